using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using CommissioningActors.Core.Connections;
using CommissioningActors.Core.Gate;
using CommissioningActors.Core.Matter.Transport;
using CommissioningActors.Core.Proxies;
using CommissioningActors.Protocol.BleProxy;
using CommissioningActors.Protocol.Matter;
using CommissioningActors.Protocol.Matter.Btp;
using CommissioningActors.Protocol.Matter.Messages;

namespace CommissioningActors.Core.Tests.Connections;

/// <summary>The open BTP session as a Matter channel, against the shared peripheral BtpSession (FakeBtpDevice).</summary>
public sealed class BleConnectionChannelTests : TestKit
{
    private const string Address = "AA:BB:CC:DD:EE:01";
    private const string ProxyId = "proxy-1";
    private const int Handle = 7;

    // Short BTP timers so acks, keep-alive and the peer-ack deadline show within a test.
    private static readonly BtpSessionOptions FastBtp = new()
    {
        AckTimeout = TimeSpan.FromSeconds(2),
        SendAckDelay = TimeSpan.FromMilliseconds(300),
        IdleTimeout = null,
    };

    private static readonly ConnectionSettings Settings =
        ConnectionSettings.Default with { RequestedMtu = 247, BtpWindowSize = 4, Btp = FastBtp };

    private readonly TestProbe _parent;
    private readonly TestProbe _gatt;
    private readonly TestProbe _deviceInbox;
    private readonly TestProbe _gate;

    public BleConnectionChannelTests()
    {
        _parent = CreateTestProbe("parent");
        _gatt = CreateTestProbe("gatt");
        _deviceInbox = CreateTestProbe("device-inbox");
        _gate = CreateTestProbe("gate");
    }

    private static byte[] Matter(ushort sessionId, uint counter, int payloadBytes)
    {
        var header = new MessageHeader(sessionId, SessionType.Unicast, counter).ToArray();
        var message = new byte[header.Length + payloadBytes];
        header.CopyTo(message, 0);
        for (var i = header.Length; i < message.Length; i++)
        {
            message[i] = (byte)i;
        }

        return message;
    }

    private T ExpectCommand<T>() where T : BleCommand => Assert.IsType<T>(_gatt.ExpectMsg<ExecuteBleCommand>().Command);

    private void Succeed(BleCommand command, BleCommandResult result) => _gatt.Reply(new BleCommandSucceeded(command, result, null));

    /// <summary>Slot, connect, GATT discovery and the BTP handshake with a 23-byte ATT MTU device (20-byte segments).</summary>
    private (IActorRef Connection, IActorRef Device, BtpMatterChannel Channel) Open(BtpSessionOptions? deviceOptions = null,
        ConnectionSettings? settings = null)
    {
        var device = Sys.ActorOf(FakeBtpDevice.Props(_gatt, _deviceInbox.Ref, 23, deviceOptions ?? FastBtp));
        var connection = _parent.ChildActorOf(BleConnectionActor.Props(
            new ConnectionTarget(Address, ProxyId, device, _gate.Ref, null), settings ?? Settings));
        Watch(connection);
        _gate.ExpectMsg<RequestSlot>();
        _gate.Reply(new SlotGranted(ProxyId, 1, 0));
        Succeed(ExpectCommand<Connect>(), new ConnectResult(Handle, 23));
        Succeed(ExpectCommand<RequestMtu>(), new MtuResult(23));
        Succeed(ExpectCommand<DiscoverServices>(), new ServicesResult([MatterBle.ServiceUuid]));
        Succeed(ExpectCommand<DiscoverCharacteristics>(), new CharacteristicsResult(
            [new(MatterBle.C1WriteUuid, ["write"]), new(MatterBle.C2IndicateUuid, ["indicate"])]));
        Succeed(ExpectCommand<WriteAndSubscribe>(), EmptyResult.Instance);

        var established = Assert.IsType<ConnectionEstablished>(_parent.FishForMessage(m => m is ConnectionEstablished or ConnectionFailed));
        Assert.Equal(20, established.Btp.SegmentSize);
        var channel = Assert.IsType<BtpMatterChannel>(established.Channel);
        Assert.True(channel.IsReliable);
        Assert.Equal(connection, channel.Connection);
        Assert.Equal($"ble {Address} via {ProxyId}", channel.PeerDescription);
        return (connection, device, channel);
    }

    private BtpChannelStatus Status(IActorRef connection)
    {
        var probe = CreateTestProbe();
        connection.Tell(GetBtpChannelStatus.Instance, probe.Ref);
        return probe.ExpectMsg<BtpChannelStatus>();
    }

    private ConnectionFailed ExpectFailure()
    {
        var failed = Assert.IsType<ConnectionFailed>(_parent.FishForMessage(m => m is ConnectionFailed));
        Assert.Equal(Address, failed.Address);
        return failed;
    }

    [Fact]
    public void Whole_messages_cross_in_both_directions_segmented_and_are_routed_by_session_id()
    {
        var (connection, device, channel) = Open();
        var unsecured = CreateTestProbe();
        var secured = CreateTestProbe();
        channel.Bind(0, unsecured.Ref);
        channel.Bind(0x1234, secured.Ref);
        Assert.Equal(2, Status(connection).BoundSessions);

        // 300 bytes in 20-byte segments with a window of 4: only BTP's acks let it through.
        var outbound = Matter(0x4321, 1, 292);
        channel.Send(outbound);
        Assert.Equal(outbound, _deviceInbox.ExpectMsg<DeviceReceived>().Message);

        var toSecured = Matter(0x1234, 7, 400);
        var toUnsecured = Matter(0, 8, 30);
        device.Tell(new DeviceSend(Matter(0x0999, 9, 10))); // nobody bound: dropped, counted
        device.Tell(new DeviceSend([0x01, 0x02, 0x03])); // not a Matter message: dropped, counted
        device.Tell(new DeviceSend(toSecured));
        device.Tell(new DeviceSend(toUnsecured));
        Assert.Equal(toSecured, secured.ExpectMsg<InboundDatagram>().Bytes.ToArray());
        Assert.Equal(toUnsecured, unsecured.ExpectMsg<InboundDatagram>().Bytes.ToArray());

        var status = Status(connection);
        Assert.Equal((1L, 1L, 2L, 1L), (status.DroppedUnbound, status.DroppedMalformed, status.Delivered, status.Sent));
        Assert.Empty(secured.Queued());
        Assert.Empty(unsecured.Queued());
    }

    [Fact]
    public void A_rebound_session_id_goes_to_the_new_session_and_an_unbind_by_another_is_ignored()
    {
        var (connection, device, channel) = Open();
        var first = CreateTestProbe();
        var second = CreateTestProbe();
        channel.Bind(5, first.Ref);
        channel.Bind(5, second.Ref);
        channel.Unbind(5, first.Ref); // not the current holder: no effect
        var message = Matter(5, 1, 4);
        device.Tell(new DeviceSend(message));
        Assert.Equal(message, second.ExpectMsg<InboundDatagram>().Bytes.ToArray());

        channel.Unbind(5, second.Ref);
        device.Tell(new DeviceSend(Matter(5, 2, 4)));
        AwaitAssert(() => Assert.Equal(1, Status(connection).DroppedUnbound));
        Assert.Empty(first.Queued());
        Assert.Empty(second.Queued());
    }

    [Fact]
    public void A_stopped_session_loses_its_route()
    {
        var (connection, device, channel) = Open();
        var session = CreateTestProbe();
        channel.Bind(9, session.Ref);
        Assert.Equal(1, Status(connection).BoundSessions);
        Watch(session.Ref);
        Sys.Stop(session.Ref);
        ExpectTerminated(session.Ref);

        AwaitAssert(() => Assert.Equal(0, Status(connection).BoundSessions));
        device.Tell(new DeviceSend(Matter(9, 1, 4)));
        AwaitAssert(() => Assert.Equal(1, Status(connection).DroppedUnbound));
        Assert.True(this.Settle(connection)); // a dead session is not the proxy: the link stays up
    }

    [Fact]
    public void The_device_disconnecting_closes_the_channel_for_every_bound_session_and_fails_the_connection()
    {
        var (connection, _, channel) = Open();
        var a = CreateTestProbe();
        var b = CreateTestProbe();
        channel.Bind(0, a.Ref);
        channel.Bind(77, b.Ref);
        channel.Bind(78, b.Ref); // one session under two ids hears it once
        Assert.Equal(3, Status(connection).BoundSessions);

        connection.Tell(new ConnectionLost(Handle, "link lost"));
        ExpectTerminated(connection);
        Assert.Contains("link lost", a.ExpectMsg<MatterChannelClosed>().Reason);
        Assert.Contains("link lost", b.ExpectMsg<MatterChannelClosed>().Reason);
        Assert.Empty(b.Queued());
        var failed = ExpectFailure();
        Assert.Equal(BleErrorCodes.ConnectionFailed, failed.ErrorCode);
        Assert.Empty(_gatt.Queued()); // the proxy already dropped the handle: no release
    }

    [Fact]
    public void The_proxy_going_away_closes_the_channel()
    {
        var (connection, _, channel) = Open();
        var session = CreateTestProbe();
        channel.Bind(0, session.Ref);
        Assert.Equal(1, Status(connection).BoundSessions);

        connection.Tell(new ConnectionLost(Handle, "proxy_disconnected"));
        ExpectTerminated(connection);
        Assert.Contains("disconnected", session.ExpectMsg<MatterChannelClosed>().Reason);
        Assert.Equal(BleErrorCodes.ConnectionAborted, ExpectFailure().ErrorCode);
    }

    [Fact]
    public void Cancelling_an_established_connection_closes_the_channel_releases_once_and_reports_no_failure()
    {
        var (connection, _, channel) = Open();
        var session = CreateTestProbe();
        channel.Bind(0, session.Ref);
        Assert.Equal(1, Status(connection).BoundSessions);

        connection.Tell(new CancelConnection("commissioning finished"));
        ExpectTerminated(connection);
        Assert.Contains("commissioning finished", session.ExpectMsg<MatterChannelClosed>().Reason);
        Assert.Equal(new ReleaseConnection(Handle), _gatt.ExpectMsg<ReleaseConnection>());
        Assert.Empty(_gatt.Queued());
        Assert.DoesNotContain(_parent.Queued(), m => m is ConnectionFailed);
    }

    [Fact]
    public void A_malformed_btp_packet_from_the_device_closes_the_channel_with_the_reason()
    {
        var (connection, device, channel) = Open();
        var session = CreateTestProbe();
        channel.Bind(0, session.Ref);
        Assert.Equal(1, Status(connection).BoundSessions);

        device.Tell(new DeviceIndicateRaw([0x90, 0x01])); // reserved flag bits
        ExpectTerminated(connection);
        Assert.Contains(nameof(BtpCloseReason.MalformedPacket), session.ExpectMsg<MatterChannelClosed>().Reason);
        Assert.Contains(nameof(BtpCloseReason.MalformedPacket), ExpectFailure().Message);
        Assert.Equal(new ReleaseConnection(Handle), _gatt.ExpectMsg<ReleaseConnection>());
    }

    [Fact]
    public async Task Idle_peers_keep_the_session_alive_well_past_the_ack_timeout()
    {
        var (connection, device, channel) = Open();
        var session = CreateTestProbe();
        channel.Bind(0, session.Ref);
        channel.Send(Matter(0, 1, 50));
        _deviceInbox.ExpectMsg<DeviceReceived>();

        // Three ack timeouts of silence: only the standalone-ack keep-alive (the BTP timers) keeps both sides open.
        await Task.Delay(FastBtp.AckTimeout * 3);
        Assert.True(Status(connection).Open);
        Assert.DoesNotContain(_parent.Queued(), m => m is ConnectionFailed);

        var reply = Matter(0, 2, 100);
        device.Tell(new DeviceSend(reply));
        Assert.Equal(reply, session.ExpectMsg<InboundDatagram>().Bytes.ToArray());
        Assert.Empty(_deviceInbox.Queued()); // no BtpSessionClosed on the device side either
    }

    [Fact]
    public void A_device_that_stops_acknowledging_closes_the_channel_after_the_ack_timeout()
    {
        var (connection, device, channel) = Open();
        var session = CreateTestProbe();
        channel.Bind(0, session.Ref);
        device.Tell(new DeviceGoSilent());
        channel.Send(Matter(0, 1, 10));

        ExpectTerminated(connection, TimeSpan.FromSeconds(10));
        Assert.Contains(nameof(BtpCloseReason.AckTimeout), session.ExpectMsg<MatterChannelClosed>().Reason);
        Assert.Contains(nameof(BtpCloseReason.AckTimeout), ExpectFailure().Message);
    }

    [Fact]
    public void A_full_send_queue_fails_the_channel_clearly_instead_of_losing_a_message()
    {
        var settings = Settings with { Btp = FastBtp with { MaxQueuedMessages = 2, AckTimeout = TimeSpan.FromSeconds(30) } };
        var (connection, device, channel) = Open(settings: settings);
        var session = CreateTestProbe();
        channel.Bind(0, session.Ref);
        device.Tell(new DeviceGoSilent());
        Assert.True(this.Settle(device));

        // The window (4) fills with the first message's segments; the rest queue until the bound of 2 is hit.
        for (var i = 0; i < 5; i++)
        {
            channel.Send(Matter(0, (uint)i, 200));
        }

        ExpectTerminated(connection);
        var closed = session.ExpectMsg<MatterChannelClosed>();
        Assert.Contains("refused a message", closed.Reason);
        Assert.Contains("already wait", closed.Reason);
        Assert.Contains("refused a message", ExpectFailure().Message);
    }

    [Fact]
    public void The_send_queue_bound_from_hocon_is_the_one_the_channel_enforces()
    {
        // Default 16: two messages would queue fine. The HOCON bound of 1 refuses the second while the first waits.
        var settings = ConnectionSettings.FromConfig(Akka.Configuration.ConfigurationFactory.ParseString(
            "commissioning.connection { btp-window-size = 4, btp.max-queued-messages = 1 }"));
        Assert.Equal(1, settings.Btp.MaxQueuedMessages);
        var (connection, device, channel) = Open(settings: settings);
        var session = CreateTestProbe();
        channel.Bind(0, session.Ref);
        device.Tell(new DeviceGoSilent());
        Assert.True(this.Settle(device));

        channel.Send(Matter(0, 0, 200)); // fills the window of 4; its other segments are the one queued message
        channel.Send(Matter(0, 1, 10));

        ExpectTerminated(connection);
        var closed = session.ExpectMsg<MatterChannelClosed>();
        Assert.Contains("1 messages already wait", closed.Reason);
    }
}
