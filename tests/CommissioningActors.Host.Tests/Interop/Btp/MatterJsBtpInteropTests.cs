using CommissioningActors.Protocol.Matter.Btp;

namespace CommissioningActors.Host.Tests.Interop.Btp;

/// <summary>Our BTP session against matter.js 0.17.9's BtpSessionHandler, each in either role.</summary>
public class MatterJsBtpInteropTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static byte[] Message(int length, int seed) => [.. Enumerable.Range(seed, length).Select(i => (byte)(i * 7))];

    [Fact]
    public async Task Our_central_and_a_matterjs_peripheral_carry_multi_segment_messages_both_ways()
    {
        // 20-byte segments and a window of 4: a 300-byte message is 16 segments, so both the window and the acks work.
        var ours = BtpSession.Central(new BtpSessionOptions { WindowSize = 4 });
        await using var peer = await MatterJsBtpPeer.StartAsync(ours, "--role", "peripheral", "--mtu", "20");

        await peer.ApplyAsync(ours.Start(23, peer.Now));
        await peer.RunUntilAsync(() => ours.IsOpen, Timeout, "handshake");
        Assert.Equal(new BtpSessionOpened(4, 20, 4), peer.Events.OfType<BtpSessionOpened>().Single());

        var toDevice = Message(300, 1);
        var fromDevice = Message(450, 2);
        await peer.ApplyAsync(ours.Send(toDevice, peer.Now));
        await peer.PeerSendsAsync(fromDevice);
        await peer.RunUntilAsync(() => peer.ReceivedByPeer.Count == 1 && peer.ReceivedByUs.Count == 1, Timeout, "both messages");

        Assert.Equal(toDevice, peer.ReceivedByPeer[0]);
        Assert.Equal(fromDevice, peer.ReceivedByUs[0]);
        Assert.All(peer.SentByUs.Skip(1), p => Assert.InRange(p.Length, 3, 20));

        // Everything we sent gets acknowledged by matter.js (its ack timer or a piggy-backed ack).
        await peer.RunUntilAsync(() => ours.UnackedSent == 0 && ours.QueuedMessages == 0, Timeout, "matter.js acking all our packets");
        Assert.Empty(peer.PeerTrouble);
        Assert.DoesNotContain(peer.Events, e => e is BtpSessionClosed);
    }

    [Fact]
    public async Task A_matterjs_central_and_our_peripheral_carry_multi_segment_messages_both_ways()
    {
        var ours = BtpSession.Peripheral(185, new BtpSessionOptions { WindowSize = 3 });
        await using var peer = await MatterJsBtpPeer.StartAsync(ours, "--role", "central", "--mtu", "185", "--window", "5");

        await peer.RunUntilAsync(() => ours.IsOpen, Timeout, "handshake request from matter.js");
        Assert.Equal(new BtpSessionOpened(4, 182, 3), peer.Events.OfType<BtpSessionOpened>().Single());
        await peer.Process.WaitForEventAsync("opened", Timeout);

        var toCentral = Message(1000, 3);
        var toDevice = Message(700, 4);
        await peer.ApplyAsync(ours.Send(toCentral, peer.Now));
        await peer.PeerSendsAsync(toDevice);
        await peer.RunUntilAsync(() => peer.ReceivedByPeer.Count == 1 && peer.ReceivedByUs.Count == 1, Timeout, "both messages");

        Assert.Equal(toCentral, peer.ReceivedByPeer[0]);
        Assert.Equal(toDevice, peer.ReceivedByUs[0]);
        await peer.RunUntilAsync(() => ours.UnackedSent == 0, Timeout, "matter.js acking all our packets");
        Assert.Empty(peer.PeerTrouble);
        Assert.DoesNotContain(peer.Events, e => e is BtpSessionClosed);
    }

    [Fact]
    public async Task Matterjs_closes_the_session_on_an_out_of_sequence_packet()
    {
        var ours = BtpSession.Central(new BtpSessionOptions { WindowSize = 4 });
        await using var peer = await MatterJsBtpPeer.StartAsync(ours, "--role", "peripheral", "--mtu", "20");
        await peer.ApplyAsync(ours.Start(23, peer.Now));
        await peer.RunUntilAsync(() => ours.IsOpen, Timeout, "handshake");

        // Sequence 5 where 0 is due: matter.js must refuse it and close.
        await peer.Process.SendAsync("""{"op":"packet","hex":"05050100ff"}""");
        await peer.RunUntilAsync(() => peer.PeerTrouble.Count > 0, Timeout, "matter.js rejecting the packet");
        Assert.Contains(peer.PeerTrouble, t => t.Contains("closed"));
    }
}
