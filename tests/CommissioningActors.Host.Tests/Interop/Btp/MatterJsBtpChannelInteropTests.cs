using Akka.Actor;
using CommissioningActors.Core.Connections;
using CommissioningActors.Core.Gate;
using CommissioningActors.Core.Matter.Transport;
using CommissioningActors.Protocol.Matter.Messages;

namespace CommissioningActors.Host.Tests.Interop.Btp;

/// <summary>
/// Our connection actor's BTP channel (its timers on the real clock) against matter.js 0.17.9's
/// BtpSessionHandler as the device, which echoes every message: segmentation, the window, acks and the
/// keep-alive through an idle period longer than both sides' 15 s ack timeout.
/// </summary>
public sealed class MatterJsBtpChannelInteropTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(30);

    private static byte[] Matter(uint counter, int payloadBytes)
    {
        var header = new MessageHeader(0, SessionType.Unicast, counter, SourceNodeId: 42).ToArray();
        return [.. header, .. Enumerable.Range((int)counter, payloadBytes).Select(i => (byte)(i * 13))];
    }

    [Fact]
    public async Task Multi_segment_messages_round_trip_and_the_channel_survives_20_s_idle_with_matterjs()
    {
        await using var peer = new JsonLineProcess(
            MatterJsFixture.Instance.StartScript("btp-peer.mjs", ["--role", "peripheral", "--mtu", "20", "--echo"]), "btp-peer.mjs");
        await peer.WaitForEventAsync("ready", TimeSpan.FromSeconds(60));
        var bridge = Sys.ActorOf(MatterJsBleBridge.Props(peer, peer.EventCount));
        var gate = CreateTestProbe();
        var parent = CreateTestProbe();
        var connection = parent.ChildActorOf(BleConnectionActor.Props(
            new ConnectionTarget("AA:BB:CC:DD:EE:42", "matter.js", bridge, gate.Ref, null),
            ConnectionSettings.Default with { BtpWindowSize = 4 }));
        gate.ExpectMsg<RequestSlot>();
        gate.Reply(new SlotGranted("matter.js", 1, 0));

        var established = Assert.IsType<ConnectionEstablished>(
            await parent.FishForMessageAsync(m => m is ConnectionEstablished or ConnectionFailed, Step));
        Assert.Equal((4, 20, 4), (established.Btp.Version, established.Btp.SegmentSize, established.Btp.WindowSize));
        var channel = established.Channel!;
        var session = CreateTestProbe();
        channel.Bind(0, session.Ref);

        // 608 bytes in 20-byte packets with a window of 4: about 34 packets, so matter.js's acks move the window.
        var first = Matter(1, 600);
        channel.Send(first);
        Assert.Equal(first, (await session.ExpectMsgAsync<InboundDatagram>(Step)).Bytes.ToArray());
        var counts = await bridge.Ask<BridgeCounts>(GetBridgeCounts.Instance);
        Assert.True(counts.Writes >= first.Length / 20, $"{counts.Writes} writes for {first.Length} bytes");
        Assert.Equal(20, counts.LargestWrite);

        // Idle past both sides' 15 s ack timeout: only the standalone-ack keep-alive holds the session.
        var packetsBefore = PeerPackets(peer);
        await Task.Delay(TimeSpan.FromSeconds(20));
        var during = await bridge.Ask<BridgeCounts>(GetBridgeCounts.Instance);
        Assert.True(during.Writes - counts.Writes >= 2, $"we sent {during.Writes - counts.Writes} keep-alive packet(s) while idle");
        Assert.True(PeerPackets(peer) - packetsBefore >= 2, $"matter.js sent {PeerPackets(peer) - packetsBefore} keep-alive packet(s) while idle");

        var second = Matter(2, 300);
        channel.Send(second);
        Assert.Equal(second, (await session.ExpectMsgAsync<InboundDatagram>(Step)).Bytes.ToArray());

        var trouble = peer.Events.Where(e => JsonLineProcess.Is(e, "closed") || JsonLineProcess.Is(e, "error")).ToList();
        Assert.True(trouble.Count == 0, string.Join("\n", trouble) + "\n" + peer.StderrTail);
        Assert.Equal(2, peer.Events.Count(e => JsonLineProcess.Is(e, "message")));
        var status = await connection.Ask<BtpChannelStatus>(GetBtpChannelStatus.Instance);
        Assert.Equal((true, 2L, 2L, 0L), (status.Open, status.Sent, status.Delivered, status.DroppedUnbound));
        Assert.DoesNotContain(parent.ReceiveWhile(TimeSpan.Zero, m => m), m => m is ConnectionFailed);

        Watch(connection);
        connection.Tell(new CancelConnection("test finished"));
        await ExpectTerminatedAsync(connection, Step);
        Assert.Contains("test finished", (await session.ExpectMsgAsync<MatterChannelClosed>(Step)).Reason);
    }

    private static int PeerPackets(JsonLineProcess peer) => peer.Events.Count(e => JsonLineProcess.Is(e, "packet"));
}
