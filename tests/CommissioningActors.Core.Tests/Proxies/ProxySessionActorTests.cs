using System.Text;
using Akka.Actor;
using Akka.Event;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using CommissioningActors.Core.Discovery;
using CommissioningActors.Core.Gate;
using CommissioningActors.Core.Proxies;
using CommissioningActors.Core.Sockets;
using CommissioningActors.Protocol.BleProxy;
using CommissioningActors.Protocol.Matter;

namespace CommissioningActors.Core.Tests.Proxies;

public sealed class ProxySessionActorTests : TestKit
{
    private static readonly ProxySettings Quiet = ProxySettings.Default with { ScanOnConnect = false };

    private readonly TestProbe _outbound;
    private readonly TestProbe _discovery;
    private readonly TestProbe _parent;

    public ProxySessionActorTests()
    {
        _outbound = CreateTestProbe("outbound");
        _discovery = CreateTestProbe("discovery");
        _parent = CreateTestProbe("parent");
        _parent.IgnoreMessages<GateState>();
    }

    private IActorRef StartSession(ProxySettings? settings = null) =>
        _parent.ChildActorOf(ProxySessionActor.Props("proxy-1", "test-proxy", _outbound.Ref, _discovery.Ref, settings ?? Quiet));

    private static SocketTextReceived Text(string json) => new(Encoding.UTF8.GetBytes(json));

    private static SocketTextReceived Client(ClientMessage message) => Text(BleProxyCodec.Serialize(message));

    private ServerMessage ExpectServerMessage()
    {
        var sent = _outbound.ExpectMsg<SendText>();
        var parsed = BleProxyCodec.ParseServerMessage(sent.Text);
        Assert.True(parsed.IsOk, parsed.Error?.ToString());
        return parsed.Value!;
    }

    private CommandFrame ExpectCommand() => Assert.IsType<CommandFrame>(ExpectServerMessage());

    private IActorRef ReadySession(ProxySettings? settings = null)
    {
        var session = StartSession(settings);
        session.Tell(Text("""{"type":"hello","version":1}"""));
        var response = Assert.IsType<HelloResponse>(ExpectServerMessage());
        Assert.Null(response.Error);
        _parent.ExpectMsg<ProxySessionReady>();
        return session;
    }

    private (int Handle, TestProbe Owner) Connected(IActorRef session, int handle = 7)
    {
        var owner = CreateTestProbe();
        session.Tell(new ExecuteBleCommand(new Connect("AA:BB:CC:DD:EE:01")), owner);
        var frame = ExpectCommand();
        session.Tell(Client(CommandResponse.Ok(frame.Id, new ConnectResult(handle, 247))));
        var ok = owner.ExpectMsg<BleCommandSucceeded>();
        Assert.Equal(new ConnectResult(handle, 247), ok.Result);
        return (handle, owner);
    }

    [Fact]
    public void Hello_gets_hello_response_and_the_parent_hears_ready()
    {
        ReadySession();
    }

    [Fact]
    public void A_stopped_scan_is_published_with_its_session_for_the_scan_intent()
    {
        var listener = CreateTestProbe();
        Sys.EventStream.Subscribe<ProxyScanStopped>(listener.Ref);
        var session = ReadySession(ProxySettings.Default);
        session.Tell(Client(new ScanStopped("adapter_off")));
        var stopped = listener.ExpectMsg<ProxyScanStopped>();
        Assert.Equal(session, stopped.Session);
        Assert.Equal("adapter_off", stopped.Reason);
    }

    [Fact]
    public void No_hello_within_the_deadline_closes_the_socket_and_stops()
    {
        var session = StartSession(Quiet with { HandshakeTimeout = TimeSpan.FromMilliseconds(200) });
        Watch(session);
        var close = _outbound.ExpectMsg<CloseSocket>();
        Assert.Equal(1008, close.Status);
        ExpectTerminated(session);
    }

    [Fact]
    public void Unsupported_version_is_answered_with_the_error_then_closed()
    {
        var session = StartSession();
        Watch(session);
        session.Tell(Text("""{"type":"hello","version":2}"""));
        var response = Assert.IsType<HelloResponse>(ExpectServerMessage());
        Assert.Equal("unsupported_version", response.Error);
        Assert.Equal(1, response.Version);
        _outbound.ExpectMsg<CloseSocket>();
        ExpectTerminated(session);
    }

    [Fact]
    public void A_message_before_hello_closes_the_socket()
    {
        var session = StartSession();
        Watch(session);
        session.Tell(Text("""{"event":"scan_stopped","data":{}}"""));
        Assert.Equal(1002, _outbound.ExpectMsg<CloseSocket>().Status);
        ExpectTerminated(session);
    }

    [Fact]
    public void Command_ids_increase_and_responses_are_correlated_out_of_order()
    {
        var session = ReadySession();
        var requester = CreateTestProbe();
        session.Tell(new ExecuteBleCommand(new DiscoverServices(1), "first"), requester);
        session.Tell(new ExecuteBleCommand(new RequestMtu(1, 247), "second"), requester);
        var first = ExpectCommand();
        var second = ExpectCommand();
        Assert.True(second.Id > first.Id);

        session.Tell(Client(CommandResponse.Ok(second.Id, new MtuResult(185))));
        session.Tell(Client(CommandResponse.Ok(first.Id, new ServicesResult([MatterBle.ServiceUuid]))));

        var a = requester.ExpectMsg<BleCommandSucceeded>();
        Assert.Equal("second", a.Correlation);
        Assert.Equal(new MtuResult(185), a.Result);
        var b = requester.ExpectMsg<BleCommandSucceeded>();
        Assert.Equal("first", b.Correlation);
        Assert.Equal([MatterBle.ServiceUuid], Assert.IsType<ServicesResult>(b.Result).ServiceUuids);
    }

    [Fact]
    public void A_failure_response_becomes_a_typed_BleProxyError()
    {
        var session = ReadySession();
        session.Tell(new ExecuteBleCommand(new Connect("AA:BB:CC:DD:EE:01"), 42), TestActor);
        var frame = ExpectCommand();
        session.Tell(Client(CommandResponse.Fail(frame.Id, "connection_failed", "Connection failed: out of connection slots")));
        var failed = ExpectMsg<BleCommandFailed>();
        Assert.Equal(42, failed.Correlation);
        Assert.Equal(BleErrorCodes.ConnectionFailed, failed.Error.Code);
        Assert.True(failed.Error.IsOutOfConnectionSlots);
    }

    [Fact]
    public void A_command_without_an_answer_fails_with_timeout()
    {
        var session = ReadySession(Quiet with { CommandTimeout = TimeSpan.FromMilliseconds(200) });
        session.Tell(new ExecuteBleCommand(new DiscoverServices(1)), TestActor);
        ExpectCommand();
        var failed = ExpectMsg<BleCommandFailed>(TimeSpan.FromSeconds(3));
        Assert.Equal(BleErrorCodes.Timeout, failed.Error.Code);
    }

    [Fact]
    public void Socket_close_fails_every_pending_command_at_once()
    {
        var session = ReadySession();
        var a = CreateTestProbe();
        var b = CreateTestProbe();
        session.Tell(new ExecuteBleCommand(new Connect("AA:BB:CC:DD:EE:01", 30_000)), a);
        session.Tell(new ExecuteBleCommand(new DiscoverServices(3)), b);
        ExpectCommand();
        ExpectCommand();

        session.Tell(new SocketClosed("test"));

        // Far below both the 15 s command timeout and the 35 s connect timeout.
        Assert.Equal(BleErrorCodes.ConnectionAborted, a.ExpectMsg<BleCommandFailed>(TimeSpan.FromSeconds(2)).Error.Code);
        Assert.Equal(BleErrorCodes.ConnectionAborted, b.ExpectMsg<BleCommandFailed>(TimeSpan.FromSeconds(2)).Error.Code);
    }

    [Fact]
    public void Socket_close_tells_connection_owners_their_handle_is_lost()
    {
        var session = ReadySession();
        var (handle, owner) = Connected(session);
        session.Tell(new SocketClosed("test"));
        Assert.Equal(handle, owner.ExpectMsg<ConnectionLost>().ConnectionHandle);
    }

    [Fact]
    public void Binary_notifications_and_json_notifications_reach_the_handle_owner()
    {
        var session = ReadySession();
        var (handle, owner) = Connected(session, handle: 9);
        var other = Connected(session, handle: 10).Owner;

        session.Tell(new SocketBinaryReceived(BleProxyCodec.Serialize(new BinaryFrame(BinaryOpcode.Notification, 9, [1, 2, 3]))));
        session.Tell(Client(new CharacteristicNotification(9, MatterBle.C2IndicateUuid, [4, 5])));
        session.Tell(new SocketBinaryReceived(BleProxyCodec.Serialize(new BinaryFrame(BinaryOpcode.ReadResponse, 9, [6]))));

        Assert.Equal([1, 2, 3], owner.ExpectMsg<ConnectionNotification>(n => n.ConnectionHandle == handle).Value);
        Assert.Equal([4, 5], owner.ExpectMsg<ConnectionNotification>().Value);
        Assert.Equal([6], owner.ExpectMsg<ConnectionReadValue>().Value);
        // All three frames are handled, so a misrouted one would be queued at the other owner by now.
        Assert.Empty(other.Queued());
    }

    [Fact]
    public void Btp_writes_from_the_handle_owner_go_out_as_0x01_frames_and_others_are_dropped()
    {
        var session = ReadySession();
        var (handle, owner) = Connected(session, handle: 0x0102);
        var other = Connected(session, handle: 10).Owner;
        var stranger = CreateTestProbe();

        session.Tell(new WriteBtpData(handle, [0xAA]), other.Ref); // another connection's owner
        session.Tell(new WriteBtpData(handle, [0xBB]), stranger.Ref); // no handle at all
        session.Tell(new WriteBtpData(99, [0xCC]), owner.Ref); // a handle nobody holds
        session.Tell(new WriteBtpData(-1, [0xDD]), owner.Ref); // not even a u16
        session.Tell(new WriteBtpData(handle, [0x05, 0x00, 0x01]), owner.Ref);

        // Messages are handled in order, so the owner's frame being the first one out means the others went nowhere.
        var frame = _outbound.ExpectMsg<SendBinary>();
        Assert.Equal([0x01, 0x01, 0x02, 0x05, 0x00, 0x01], frame.Data);
        Assert.Empty(_outbound.Queued());

        // After the device drops, the handle is no one's: the old owner's late write is dropped too.
        session.Tell(Client(new Disconnected(handle, "link lost")));
        owner.ExpectMsg<ConnectionLost>();
        session.Tell(new WriteBtpData(handle, [0xEE]), owner.Ref);
        session.Tell(new WriteBtpData(10, [0x07]), other.Ref);
        Assert.Equal([0x01, 0x00, 0x0A, 0x07], _outbound.ExpectMsg<SendBinary>().Data);
    }

    [Fact]
    public void An_unexpected_disconnect_event_reaches_the_owner()
    {
        var session = ReadySession();
        var (handle, owner) = Connected(session);
        session.Tell(Client(new Disconnected(handle, "link lost")));
        Assert.Equal("link lost", owner.ExpectMsg<ConnectionLost>().Reason);
    }

    [Fact]
    public void An_owner_that_dies_holding_a_handle_gets_it_disconnected_exactly_once()
    {
        var session = ReadySession();
        var (handle, owner) = Connected(session);
        // A second handle of the same owner makes the session's handling of the death visible: its disconnect.
        session.Tell(new ExecuteBleCommand(new Connect("AA:BB:CC:DD:EE:02")), owner.Ref);
        session.Tell(Client(CommandResponse.Ok(ExpectCommand().Id, new ConnectResult(8, 247))));
        owner.ExpectMsg<BleCommandSucceeded>();

        // The owner's own disconnect racing its death must not produce a second disconnect.
        session.Tell(new ExecuteBleCommand(new Disconnect(handle)), owner.Ref);
        owner.Ref.Tell(PoisonPill.Instance);

        Assert.Equal(handle, Assert.IsType<Disconnect>(ExpectCommand().Command).ConnectionHandle);
        Assert.Equal(8, Assert.IsType<Disconnect>(ExpectCommand().Command).ConnectionHandle);
        // Everything the death caused was sent in that one step: nothing else is queued.
        Assert.Empty(_outbound.Queued());
    }

    [Fact]
    public void A_disconnect_after_the_session_already_released_the_handle_is_not_sent_again()
    {
        var session = ReadySession();
        var (handle, owner) = Connected(session);
        session.Tell(Client(new Disconnected(handle, "link lost")));
        owner.ExpectMsg<ConnectionLost>();

        session.Tell(new ExecuteBleCommand(new Disconnect(handle)), owner.Ref);
        owner.ExpectMsg<BleCommandSucceeded>();
        // Answered in the same step that would have sent a disconnect: none is queued.
        Assert.Empty(_outbound.Queued());
    }

    [Fact]
    public void A_connect_that_completes_after_its_requester_stopped_is_torn_down()
    {
        var session = ReadySession();
        var requester = CreateTestProbe();
        session.Tell(new ExecuteBleCommand(new Connect("AA:BB:CC:DD:EE:01")), requester);
        var frame = ExpectCommand();
        Watch(requester.Ref);
        requester.Ref.Tell(PoisonPill.Instance);
        ExpectTerminated(requester.Ref);

        // The session watched the requester before we did, so its Terminated was enqueued first.
        session.Tell(Client(CommandResponse.Ok(frame.Id, new ConnectResult(5, 23))));
        Assert.Equal(new Disconnect(5), ExpectCommand().Command);
    }

    [Fact]
    public void A_connect_answered_after_its_timeout_is_torn_down()
    {
        var session = ReadySession(Quiet with { ConnectTimeoutMargin = TimeSpan.Zero });
        session.Tell(new ExecuteBleCommand(new Connect("AA:BB:CC:DD:EE:01", TimeoutMs: 150)), TestActor);
        var frame = ExpectCommand();
        Assert.Equal(BleErrorCodes.Timeout, ExpectMsg<BleCommandFailed>(TimeSpan.FromSeconds(3)).Error.Code);

        session.Tell(Client(CommandResponse.Ok(frame.Id, new ConnectResult(11, 23))));
        Assert.Equal(new Disconnect(11), ExpectCommand().Command);
    }

    [Fact]
    public void Bad_frames_are_ignored_and_the_session_keeps_working()
    {
        var session = ReadySession();
        session.Tell(Text("{not json"));
        session.Tell(Text("""{"id":"one","success":true}"""));
        session.Tell(new SocketBinaryReceived([0x02]));
        session.Tell(Text("""{"event":"warp_drive","data":{}}"""));

        session.Tell(new ExecuteBleCommand(new StopScan()), TestActor);
        var frame = ExpectCommand();
        session.Tell(Client(CommandResponse.Ok(frame.Id, EmptyResult.Instance)));
        ExpectMsg<BleCommandSucceeded>();
    }

    [Fact]
    public void Discoveries_reach_the_registry_as_reported_by_the_proxy()
    {
        var session = ReadySession();
        var advert = new MatterAdvertisement(Discriminator: 3840, AdvertisementVersion: 0, VendorId: 0xFFF1, ProductId: 0x8000,
            HasAdditionalData: true).Encode();
        session.Tell(Client(new DeviceDiscovered("C0:FF:EE:00:00:01", true, "light", -48,
            new Dictionary<string, byte[]> { [MatterBle.ServiceUuid] = advert }, new Dictionary<int, byte[]>(), [MatterBle.ServiceUuid])));

        var received = _discovery.ExpectMsg<AdvertisementReceived>();
        Assert.Equal("proxy-1", received.ProxyId);
        Assert.Equal(session, received.Proxy);
        Assert.Equal("C0:FF:EE:00:00:01", received.Advertisement.Address);
        Assert.Equal(-48, received.Advertisement.Rssi);
        Assert.Equal(advert, received.Advertisement.ServiceData[MatterBle.ServiceUuid]);
    }
    [Fact]
    public void A_connect_answered_with_a_handle_already_live_fails_and_the_first_connection_keeps_it()
    {
        var session = ReadySession();
        var (handle, first) = Connected(session, handle: 7);
        var second = CreateTestProbe();
        session.Tell(new ExecuteBleCommand(new Connect("AA:BB:CC:DD:EE:02"), "second"), second);
        var frame = ExpectCommand();
        session.Tell(Client(CommandResponse.Ok(frame.Id, new ConnectResult(handle, 247))));

        var failed = second.ExpectMsg<BleCommandFailed>();
        Assert.Equal("second", failed.Correlation);
        Assert.Equal(BleErrorCodes.InternalError, failed.Error.Code);
        Assert.Contains("connection handle 7", failed.Error.Message);
        Assert.Contains("already holds", failed.Error.Message);

        // Notifications on the handle still reach the first owner only.
        session.Tell(new SocketBinaryReceived(BleProxyCodec.Serialize(new BinaryFrame(BinaryOpcode.Notification, 7, [1]))));
        Assert.Equal([1], first.ExpectMsg<ConnectionNotification>().Value);

        // No disconnect went out for the duplicate: the next frame on the socket is this stop_scan.
        session.Tell(new ExecuteBleCommand(new StopScan()), TestActor);
        Assert.IsType<StopScan>(ExpectCommand().Command);

        // The first owner's death disconnects the handle exactly once.
        first.Ref.Tell(PoisonPill.Instance);
        Assert.Equal(new Disconnect(7), ExpectCommand().Command);
        session.Tell(new ExecuteBleCommand(new StopScan()), TestActor);
        // That frame is a round trip through the session: whatever it told the second requester is queued by now.
        Assert.IsType<StopScan>(ExpectCommand().Command);
        Assert.Empty(second.Queued());
    }

    [Fact]
    public void A_late_connect_reusing_a_live_handle_does_not_disconnect_that_handle()
    {
        var session = ReadySession(Quiet with { ConnectTimeoutMargin = TimeSpan.Zero });
        session.Tell(new ExecuteBleCommand(new Connect("AA:BB:CC:DD:EE:02", TimeoutMs: 150)), TestActor);
        var late = ExpectCommand();
        Assert.Equal(BleErrorCodes.Timeout, ExpectMsg<BleCommandFailed>(TimeSpan.FromSeconds(3)).Error.Code);
        var (handle, first) = Connected(session, handle: 12);

        session.Tell(Client(CommandResponse.Ok(late.Id, new ConnectResult(handle, 23))));
        session.Tell(new ExecuteBleCommand(new StopScan()), TestActor);
        Assert.IsType<StopScan>(ExpectCommand().Command);
        session.Tell(new SocketBinaryReceived(BleProxyCodec.Serialize(new BinaryFrame(BinaryOpcode.Notification, 12, [2]))));
        Assert.Equal([2], first.ExpectMsg<ConnectionNotification>().Value);
    }
    [Fact]
    public void A_proxy_error_message_with_a_forged_line_reaches_the_requester_as_one_escaped_line()
    {
        var session = ReadySession();
        session.Tell(new ExecuteBleCommand(new Connect("AA:BB:CC:DD:EE:01")), TestActor);
        var frame = ExpectCommand();
        session.Tell(Client(CommandResponse.Fail(frame.Id, "connection_failed\r\n", "gone\n[12:00:00 ERR] fake\u001b[2J")));

        var failed = ExpectMsg<BleCommandFailed>();
        Assert.Equal("connection_failed\\r\\n", failed.Error.Code);
        Assert.Equal("gone\\n[12:00:00 ERR] fake\\u001b[2J", failed.Error.Message);
    }

    [Fact]
    public void A_disconnect_reason_reaches_the_owner_escaped_and_truncated()
    {
        var session = ReadySession();
        var (handle, owner) = Connected(session);
        session.Tell(Client(new Disconnected(handle, "lost\n[ERR] fake" + new string('x', 5000))));
        var reason = owner.ExpectMsg<ConnectionLost>().Reason;
        Assert.StartsWith("lost\\n[ERR] fake", reason);
        Assert.True(reason.Length <= ProxyPeerText.MaxMessage + 1);
    }

    [Fact]
    public void Peer_strings_in_log_lines_are_escaped()
    {
        var logs = CreateTestProbe();
        Sys.EventStream.Subscribe(logs.Ref, typeof(LogEvent));
        var session = ReadySession();
        session.Tell(Text("""{"event":"warp\n[12:00:00 ERR] forged","data":{}}"""));
        session.Tell(Client(new ScanStopped("adapter_off\r\n[12:00:00 ERR] forged")));

        var badFrame = logs.FishForMessage<Warning>(w => w.Message.ToString()!.Contains("bad frame"));
        var stopped = logs.FishForMessage<Info>(i => i.Message.ToString()!.Contains("stopped scanning"));
        foreach (var line in new[] { badFrame.Message.ToString()!, stopped.Message.ToString()! })
        {
            Assert.DoesNotContain('\n', line);
            Assert.DoesNotContain('\r', line);
            Assert.Contains("\\n[12:00:00 ERR] forged", line);
        }
    }
}
