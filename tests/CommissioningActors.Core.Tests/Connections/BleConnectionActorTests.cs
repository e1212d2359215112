using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using CommissioningActors.Core.Connections;
using CommissioningActors.Core.Gate;
using CommissioningActors.Core.Proxies;
using CommissioningActors.Protocol.BleProxy;
using CommissioningActors.Protocol.Matter;
using CommissioningActors.Protocol.Matter.Btp;

namespace CommissioningActors.Core.Tests.Connections;

public sealed class BleConnectionActorTests : TestKit
{
    private const string Address = "AA:BB:CC:DD:EE:01";
    private const string ProxyId = "proxy-1";
    private const int Handle = 7;
    private static readonly ConnectionSettings Settings = ConnectionSettings.Default with { RequestedMtu = 247, BtpWindowSize = 5 };

    private static readonly MatterAdvertisement WithAdditionalData = new(3840, 0, 0xFFF1, 0x8001, HasAdditionalData: true);
    private static readonly MatterAdvertisement WithoutAdditionalData = WithAdditionalData with { HasAdditionalData = false };

    private static readonly IReadOnlyList<CharacteristicInfo> MatterCharacteristics =
    [
        new(MatterBle.C1WriteUuid, ["write"]),
        new(MatterBle.C2IndicateUuid, ["indicate"]),
        new(MatterBle.C3AdditionalDataUuid, ["read"]),
    ];

    private readonly TestProbe _parent;
    private readonly TestProbe _session;
    private readonly TestProbe _gate;

    public BleConnectionActorTests()
    {
        _parent = CreateTestProbe("parent");
        _session = CreateTestProbe("session");
        _gate = CreateTestProbe("gate");
    }

    private IActorRef Start(MatterAdvertisement? advertisement = null, ConnectionSettings? settings = null)
    {
        var connection = _parent.ChildActorOf(BleConnectionActor.Props(
            new ConnectionTarget(Address, ProxyId, _session.Ref, _gate.Ref, advertisement), settings ?? Settings));
        Watch(connection);
        return connection;
    }

    private void Grant(long generation = 0)
    {
        Assert.Equal(Address, _gate.ExpectMsg<RequestSlot>().Address);
        _gate.Reply(new SlotGranted(ProxyId, 1, generation));
    }

    private T ExpectCommand<T>() where T : BleCommand => Assert.IsType<T>(_session.ExpectMsg<ExecuteBleCommand>().Command);

    // Replies go to LastSender: the connection actor.
    private void Succeed(BleCommand command, BleCommandResult result) =>
        _session.Reply(new BleCommandSucceeded(command, result, null));

    private void Reject(BleCommand command, string code, string message) =>
        _session.Reply(new BleCommandFailed(command, new BleProxyError(code, message), null));

    private static BleProxyError UnknownCommand(string name) => new(BleErrorCodes.InternalError, $"Unknown command: {name}");

    private Connect ExpectConnectAndSucceed(int mtu = 100)
    {
        var connect = ExpectCommand<Connect>();
        Succeed(connect, new ConnectResult(Handle, mtu));
        return connect;
    }

    private void ThroughDiscovery(IReadOnlyList<CharacteristicInfo>? characteristics = null)
    {
        var services = ExpectCommand<DiscoverServices>();
        Assert.Equal(Handle, services.ConnectionHandle);
        Succeed(services, new ServicesResult(["00001800-0000-1000-8000-00805f9b34fb", MatterBle.ServiceUuid]));
        var discover = ExpectCommand<DiscoverCharacteristics>();
        Assert.Equal(MatterBle.ServiceUuid, discover.ServiceUuid);
        Succeed(discover, new CharacteristicsResult(characteristics ?? MatterCharacteristics));
    }

    /// <summary>Slot, connect (MTU 100), request_mtu (185), discovery: up to the handshake write.</summary>
    private void ToHandshake(int negotiatedMtu = 185)
    {
        Grant();
        ExpectConnectAndSucceed();
        var mtu = ExpectCommand<RequestMtu>();
        Succeed(mtu, new MtuResult(negotiatedMtu));
        ThroughDiscovery();
    }

    private BtpHandshakeResponse AnswerHandshake(IActorRef connection, WriteAndSubscribe write)
    {
        var request = BtpHandshakeRequest.Parse(write.WriteValue);
        Assert.True(request.IsOk, request.Error?.ToString());
        var response = BtpHandshake.Negotiate(request.Value!);
        connection.Tell(new ConnectionNotification(Handle, MatterBle.C2IndicateUuid, response.Encode()));
        return response;
    }

    private IActorRef Established()
    {
        var connection = Start();
        ToHandshake();
        var write = ExpectCommand<WriteAndSubscribe>();
        Succeed(write, EmptyResult.Instance);
        AnswerHandshake(connection, write);
        ExpectOutcome<ConnectionEstablished>();
        return connection;
    }

    private T ExpectOutcome<T>() =>
        Assert.IsType<T>(_parent.FishForMessage(m => m is ConnectionEstablished or ConnectionFailed));

    private ConnectionFailed ExpectFailure(string code)
    {
        var failed = ExpectOutcome<ConnectionFailed>();
        Assert.Equal(code, failed.ErrorCode);
        Assert.Equal(Address, failed.Address);
        Assert.Equal(ProxyId, failed.ProxyId);
        return failed;
    }

    // Call once the connection has stopped (ExpectTerminated): all it ever sent is queued by then.
    private void ExpectReleasedOnce()
    {
        Assert.Equal(new ReleaseConnection(Handle), _session.ExpectMsg<ReleaseConnection>());
        Assert.Empty(_session.Queued());
    }

    [Fact]
    public void Requests_a_slot_first_and_tells_the_session_nothing_before_it_is_granted()
    {
        var connection = Start();
        Assert.Equal(Address, _gate.ExpectMsg<RequestSlot>().Address);
        Assert.True(this.Settle(connection));
        Assert.Empty(_session.Queued());

        _gate.Reply(new SlotGranted(ProxyId, 1, 0));
        var connect = ExpectCommand<Connect>();
        Assert.Equal(Address, connect.Address);
        Assert.Equal((int)Settings.ConnectTimeout.TotalMilliseconds, connect.TimeoutMs);
    }

    [Fact]
    public void Happy_path_connects_discovers_and_opens_the_btp_session()
    {
        var connection = Start(WithoutAdditionalData);
        Grant();
        ExpectConnectAndSucceed(mtu: 100);

        var mtu = ExpectCommand<RequestMtu>();
        Assert.Equal((Handle, Settings.RequestedMtu), (mtu.ConnectionHandle, mtu.Mtu));
        Succeed(mtu, new MtuResult(185));
        ThroughDiscovery();

        // The advertisement does not flag additional data: no C3 read even though C3 exists.
        var write = ExpectCommand<WriteAndSubscribe>();
        Assert.Equal(Handle, write.ConnectionHandle);
        Assert.Equal(MatterBle.C1WriteUuid, write.WriteUuid);
        Assert.Equal(MatterBle.C2IndicateUuid, write.SubscribeUuid);
        Assert.True(write.WriteResponse);
        var request = BtpHandshakeRequest.Parse(write.WriteValue);
        Assert.True(request.IsOk, request.Error?.ToString());
        Assert.Equal(BtpHandshakeRequest.Default(185, Settings.BtpWindowSize), request.Value);
        Succeed(write, EmptyResult.Instance);

        var response = AnswerHandshake(connection, write);
        var lines = new List<string>();
        var outcome = _parent.FishForMessage(m =>
        {
            if (m is ConnectionProgress p)
            {
                Assert.Equal((Address, ProxyId), (p.Address, p.ProxyId));
                lines.Add(p.Line);
            }

            return m is ConnectionEstablished or ConnectionFailed;
        });

        var established = Assert.IsType<ConnectionEstablished>(outcome);
        Assert.Equal(new ConnectionEstablished(Address, ProxyId, Handle, 185, response, null), established with { Channel = null });
        Assert.Equal(connection, Assert.IsType<BtpMatterChannel>(established.Channel).Connection);
        Assert.Equal(BtpHandshake.SupportedVersion, established.Btp.Version);
        Assert.Contains(lines, l => l.Contains("slot acquired", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(lines, l => l.Contains("Connected to " + Address, StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("BTP session open", StringComparison.Ordinal));

        // Established is not the end of the lease: the actor lives on holding the connection.
        Assert.True(this.Settle(connection));
        Assert.Empty(_session.Queued());
        Assert.Empty(_parent.Queued());
    }

    [Fact]
    public void No_advertisement_means_no_c3_read()
    {
        Start(advertisement: null);
        ToHandshake();
        ExpectCommand<WriteAndSubscribe>();
    }

    [Fact]
    public void Additional_data_flag_reads_c3_with_the_value_in_the_read_result()
    {
        var connection = Start(WithAdditionalData);
        ToHandshake();
        var read = ExpectCommand<ReadCharacteristic>();
        Assert.Equal((Handle, MatterBle.C3AdditionalDataUuid), (read.ConnectionHandle, read.CharacteristicUuid));
        Succeed(read, new ReadResult([0x15, 0x30, 0x01]));

        var write = ExpectCommand<WriteAndSubscribe>();
        AnswerHandshake(connection, write);
        Assert.Equal(new byte[] { 0x15, 0x30, 0x01 }, ExpectOutcome<ConnectionEstablished>().AdditionalData);
    }

    [Fact]
    public void Additional_data_can_arrive_as_a_later_read_frame()
    {
        var connection = Start(WithAdditionalData);
        ToHandshake();
        var read = ExpectCommand<ReadCharacteristic>();
        Succeed(read, new ReadResult(null));

        // The value comes as a 0x03 frame: nothing happens until it does.
        Assert.True(this.Settle(connection));
        Assert.Empty(_session.Queued());
        connection.Tell(new ConnectionReadValue(Handle, [0x15, 0x18]));

        var write = ExpectCommand<WriteAndSubscribe>();
        AnswerHandshake(connection, write);
        Assert.Equal(new byte[] { 0x15, 0x18 }, ExpectOutcome<ConnectionEstablished>().AdditionalData);
    }

    [Fact]
    public void Unsupported_request_mtu_is_remembered_and_the_connect_mtu_is_kept()
    {
        var connection = Start();
        Grant();
        ExpectConnectAndSucceed(mtu: 100);
        var mtu = ExpectCommand<RequestMtu>();
        Reject(mtu, BleErrorCodes.InternalError, "Unknown command: request_mtu");

        Assert.Equal(new MarkCommandUnsupported("request_mtu"), _session.ExpectMsg<MarkCommandUnsupported>());
        ThroughDiscovery();
        var write = ExpectCommand<WriteAndSubscribe>();
        Assert.Equal(100, BtpHandshakeRequest.Parse(write.WriteValue).Value!.AttMtu);

        AnswerHandshake(connection, write);
        Assert.Equal(100, ExpectOutcome<ConnectionEstablished>().Mtu);
    }

    [Fact]
    public void Unsupported_write_and_subscribe_falls_back_to_write_then_subscribe_back_to_back()
    {
        var connection = Start();
        ToHandshake();
        var combined = ExpectCommand<WriteAndSubscribe>();
        _session.Reply(new BleCommandFailed(combined, UnknownCommand("write_and_subscribe"), null));

        Assert.Equal(new MarkCommandUnsupported("write_and_subscribe"), _session.ExpectMsg<MarkCommandUnsupported>());
        var write = ExpectCommand<WriteCharacteristic>();
        Assert.Equal((Handle, MatterBle.C1WriteUuid, true), (write.ConnectionHandle, write.CharacteristicUuid, write.Response));
        Assert.Equal(combined.WriteValue, write.Value);

        // No waiting for the write's answer: the indication may follow it at once.
        var subscribe = ExpectCommand<SubscribeCharacteristic>();
        Assert.Equal((Handle, MatterBle.C2IndicateUuid), (subscribe.ConnectionHandle, subscribe.CharacteristicUuid));
        Succeed(write, EmptyResult.Instance);
        Succeed(subscribe, EmptyResult.Instance);

        AnswerHandshake(connection, combined);
        Assert.Equal(Handle, ExpectOutcome<ConnectionEstablished>().ConnectionHandle);
    }

    [Fact]
    public void Missing_matter_service_fails_with_service_not_found_and_releases()
    {
        var connection = Start();
        Grant();
        ExpectConnectAndSucceed();
        Succeed(ExpectCommand<RequestMtu>(), new MtuResult(185));
        var services = ExpectCommand<DiscoverServices>();
        Succeed(services, new ServicesResult(["00001800-0000-1000-8000-00805f9b34fb"]));

        ExpectFailure(BleErrorCodes.ServiceNotFound);
        ExpectTerminated(connection);
        ExpectReleasedOnce();
    }

    [Theory]
    [InlineData(MatterBle.C1WriteUuid)]
    [InlineData(MatterBle.C2IndicateUuid)]
    public void Missing_c1_or_c2_fails_with_characteristic_not_found(string missing)
    {
        var connection = Start();
        Grant();
        ExpectConnectAndSucceed();
        Succeed(ExpectCommand<RequestMtu>(), new MtuResult(185));
        ThroughDiscovery(MatterCharacteristics.Where(c => c.Uuid != missing).ToList());

        ExpectFailure(BleErrorCodes.CharacteristicNotFound);
        ExpectTerminated(connection);
        ExpectReleasedOnce();
    }

    [Theory]
    [InlineData(BleErrorCodes.OutOfConnectionSlots, "no free slot")]
    [InlineData(BleErrorCodes.ConnectionFailed, "Error connecting: ESP32 proxy is out of connection slots (0/3 free)")]
    public void Slot_exhaustion_on_connect_fails_with_the_actionable_message(string code, string message)
    {
        var connection = Start();
        Grant();
        Reject(ExpectCommand<Connect>(), code, message);

        var failed = ExpectFailure(BleErrorCodes.OutOfConnectionSlots);
        Assert.Contains(SlotExhaustion.ActionableMessage, failed.Message, StringComparison.Ordinal);
        ExpectTerminated(connection);
        // Never connected: nothing to release.
        Assert.Empty(_session.Queued());
    }

    [Fact]
    public void Other_connect_failures_keep_their_code()
    {
        Start();
        Grant();
        Reject(ExpectCommand<Connect>(), BleErrorCodes.ConnectionFailed, "le-connection-abort-by-local");
        Assert.Contains("le-connection-abort-by-local", ExpectFailure(BleErrorCodes.ConnectionFailed).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Slot_denied_fails_with_connection_aborted_and_never_connects()
    {
        var connection = Start();
        _gate.ExpectMsg<RequestSlot>();
        _gate.Reply(new SlotDenied(ProxyId, new BleProxyError(BleErrorCodes.ConnectionAborted, "pending connects were aborted")));

        ExpectFailure(BleErrorCodes.ConnectionAborted);
        ExpectTerminated(connection);
        Assert.Empty(_session.Queued());
    }

    [Fact]
    public void Stopped_by_its_parent_after_connecting_releases_the_handle_once()
    {
        var connection = Start();
        Grant();
        ExpectConnectAndSucceed();
        ExpectCommand<RequestMtu>();

        Sys.Stop(connection);
        ExpectTerminated(connection);
        ExpectReleasedOnce();
    }

    [Fact]
    public void Poison_pill_while_established_releases_the_handle_once()
    {
        var connection = Established();
        connection.Tell(PoisonPill.Instance);
        ExpectTerminated(connection);
        ExpectReleasedOnce();
        Assert.Empty(_parent.Queued());
    }

    [Fact]
    public void Stopped_while_queued_for_a_slot_releases_nothing()
    {
        var connection = Start();
        _gate.ExpectMsg<RequestSlot>();
        Sys.Stop(connection);
        ExpectTerminated(connection);
        Assert.Empty(_session.Queued());
    }

    [Fact]
    public void Failing_a_later_step_releases_the_handle_once()
    {
        var connection = Start();
        Grant();
        ExpectConnectAndSucceed();
        Succeed(ExpectCommand<RequestMtu>(), new MtuResult(185));
        Reject(ExpectCommand<DiscoverServices>(), BleErrorCodes.DiscoveryFailed, "GATT error 133");

        ExpectFailure(BleErrorCodes.DiscoveryFailed);
        ExpectTerminated(connection);
        ExpectReleasedOnce();
    }

    [Theory]
    [InlineData("device_disconnected", BleErrorCodes.ConnectionFailed)]
    [InlineData("proxy_disconnected", BleErrorCodes.ConnectionAborted)]
    public void Connection_lost_fails_and_releases_nothing(string reason, string code)
    {
        var connection = Start();
        ToHandshake();
        ExpectCommand<WriteAndSubscribe>();
        connection.Tell(new ConnectionLost(Handle, reason));

        ExpectFailure(code);
        ExpectTerminated(connection);
        // The session already released the handle: a second disconnect is what seed 000 got wrong.
        Assert.Empty(_session.Queued());
    }

    [Fact]
    public void Connect_completing_after_a_newer_abort_is_torn_down_once()
    {
        var connection = Start();
        Grant(generation: 3);
        var connect = ExpectCommand<Connect>();
        connection.Tell(new ConnectsAborted(ProxyId, 4, "commissioning ended"));
        // The grant's progress line, then ConnectStarted (the hedge clock): nothing after them.
        _parent.FishForMessage(m => m is ConnectStarted);
        Assert.True(this.Settle(connection));
        Assert.Empty(_parent.Queued());

        Succeed(connect, new ConnectResult(Handle, 247));

        ExpectFailure(BleErrorCodes.ConnectionAborted);
        ExpectTerminated(connection);
        // No request_mtu: straight to the single release.
        ExpectReleasedOnce();
    }

    [Fact]
    public void Abort_while_connected_stops_and_releases()
    {
        var connection = Start();
        Grant(generation: 3);
        ExpectConnectAndSucceed();
        ExpectCommand<RequestMtu>();

        connection.Tell(new ConnectsAborted(ProxyId, 4, "commissioning ended"));
        ExpectFailure(BleErrorCodes.ConnectionAborted);
        ExpectTerminated(connection);
        ExpectReleasedOnce();
    }

    [Fact]
    public void Abort_after_established_stops_and_releases()
    {
        var connection = Established();
        connection.Tell(new ConnectsAborted(ProxyId, 1, "commissioning ended"));
        ExpectTerminated(connection);
        ExpectReleasedOnce();
    }

    [Fact]
    public void Abort_not_newer_than_the_lease_is_ignored()
    {
        var connection = Start();
        Grant(generation: 3);
        var connect = ExpectCommand<Connect>();
        connection.Tell(new ConnectsAborted(ProxyId, 3, "an older commission ended"));
        Succeed(connect, new ConnectResult(Handle, 100));

        var mtu = ExpectCommand<RequestMtu>();
        connection.Tell(new ConnectsAborted(ProxyId, 2, "even older"));
        Succeed(mtu, new MtuResult(185));
        ThroughDiscovery();
        var write = ExpectCommand<WriteAndSubscribe>();
        AnswerHandshake(connection, write);
        ExpectOutcome<ConnectionEstablished>();
    }

    [Fact]
    public void Btp_handshake_without_an_answer_times_out_and_releases()
    {
        var connection = Start(settings: Settings with { BtpHandshakeTimeout = TimeSpan.FromMilliseconds(300) });
        ToHandshake();
        Succeed(ExpectCommand<WriteAndSubscribe>(), EmptyResult.Instance);

        Assert.Contains("BTP handshake", ExpectFailure(BleErrorCodes.Timeout).Message, StringComparison.Ordinal);
        ExpectTerminated(connection);
        ExpectReleasedOnce();
    }

    [Fact]
    public void Malformed_handshake_answer_fails()
    {
        var connection = Start();
        ToHandshake();
        ExpectCommand<WriteAndSubscribe>();
        connection.Tell(new ConnectionNotification(Handle, MatterBle.C2IndicateUuid, [0x01, 0x02]));
        ExpectFailure(BleErrorCodes.InternalError);
        ExpectTerminated(connection);
        ExpectReleasedOnce();
    }

    [Fact]
    public void Handshake_answer_granting_more_window_than_asked_fails_with_the_reason()
    {
        var connection = Start();
        ToHandshake();
        var asked = BtpHandshakeRequest.Parse(ExpectCommand<WriteAndSubscribe>().WriteValue).Value!.WindowSize;

        connection.Tell(new ConnectionNotification(Handle, MatterBle.C2IndicateUuid, new BtpHandshakeResponse(4, 244, (byte)(asked + 1)).Encode()));

        Assert.Contains("HandshakeFailed", ExpectFailure(BleErrorCodes.InternalError).Message, StringComparison.Ordinal);
        ExpectTerminated(connection);
        ExpectReleasedOnce();
    }

    [Fact]
    public void Gate_terminating_while_queued_fails_with_connection_aborted()
    {
        var connection = Start();
        _gate.ExpectMsg<RequestSlot>();
        Sys.Stop(_gate.Ref);

        ExpectFailure(BleErrorCodes.ConnectionAborted);
        ExpectTerminated(connection);
    }

    [Fact]
    public void Session_terminating_mid_connection_fails_with_connection_aborted()
    {
        var connection = Start();
        Grant();
        ExpectConnectAndSucceed();
        ExpectCommand<RequestMtu>();
        Sys.Stop(_session.Ref);

        ExpectFailure(BleErrorCodes.ConnectionAborted);
        ExpectTerminated(connection);
    }

    // The storm benchmark's finding: a loser stopped while its connect was in flight gave its lease back while
    // the proxy still held the slot, so the next connect was refused.
    [Fact]
    public void Cancelled_while_connecting_it_keeps_the_lease_until_the_connect_is_answered_then_disconnects()
    {
        var connection = Start();
        Grant();
        var connect = ExpectCommand<Connect>();
        connection.Tell(new CancelConnection("attempt ended"));
        Assert.True(this.Settle(connection)); // still alive: the proxy still holds the slot

        Succeed(connect, new ConnectResult(Handle, 23));

        ExpectTerminated(connection);
        ExpectReleasedOnce();
    }

    [Fact]
    public void Cancelled_while_connecting_it_stops_when_the_connect_fails()
    {
        var connection = Start();
        Grant();
        var connect = ExpectCommand<Connect>();
        connection.Tell(new CancelConnection("attempt ended"));
        Reject(connect, BleErrorCodes.Timeout, "no answer");
        ExpectTerminated(connection);
        Assert.Empty(_session.Queued());
    }

    [Fact]
    public void Cancelled_while_queued_it_stops_at_once()
    {
        var connection = Start();
        _gate.ExpectMsg<RequestSlot>();
        connection.Tell(new CancelConnection("attempt ended"));
        ExpectTerminated(connection);
    }
}
