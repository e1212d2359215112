using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using CommissioningActors.Core.Commissioning;
using CommissioningActors.Core.Connections;
using CommissioningActors.Core.Discovery;
using CommissioningActors.Core.Gate;
using CommissioningActors.Core.Proxies;
using CommissioningActors.Protocol.BleProxy;
using CommissioningActors.Protocol.Matter;
using CommissioningActors.Protocol.Matter.Btp;

namespace CommissioningActors.Core.Tests.Commissioning;

public sealed class CommissioningAttemptActorTests : TestKit
{
    private const string AttemptId = "attempt-1";
    private const string AddressA = "AA:BB:CC:DD:EE:01";
    private const string AddressB = "AA:BB:CC:DD:EE:02";
    private const string AddressC = "AA:BB:CC:DD:EE:03";

    // Matter's standard test device: passcode 20202021, discriminator 3840.
    private static readonly SetupPayload Payload = new(20202021, 3840, false, 0xFFF1, 0x8001,
        RendezvousInformation: RendezvousFlags.Ble);

    private static readonly MatterAdvertisement Advertisement = new(3840, 0, 0xFFF1, 0x8001, HasAdditionalData: false);

    // These tests pin the all-at-once policy (every address of the device at once); HedgedAttemptTests the default.
    private static readonly AttemptSettings Settings = AttemptSettings.Default with
    {
        CandidateSettle = TimeSpan.FromMilliseconds(100),
        ScanTimeout = TimeSpan.FromSeconds(10),
        DefaultTimeout = TimeSpan.FromSeconds(20),
        Policy = ConnectPolicy.AllAtOnce,
    };

    private readonly TestProbe _parent;
    private readonly TestProbe _reportTo;
    private readonly TestProbe _registry;
    private readonly TestProbe _proxies;
    private readonly AttemptProxy _p1;
    private readonly AttemptProxy _p2;
    private readonly List<string> _output = [];

    public CommissioningAttemptActorTests()
    {
        _parent = CreateTestProbe("parent");
        _reportTo = CreateTestProbe("report-to");
        _registry = CreateTestProbe("registry");
        _proxies = CreateTestProbe("proxies");
        _p1 = FakeGate.Proxy(this, "proxy-1");
        _p2 = FakeGate.Proxy(this, "proxy-2");
    }

    private IActorRef Start(AttemptSettings? settings = null, TimeSpan? timeout = null, IReadOnlyList<string>? addresses = null)
    {
        var request = new CommissionRequest(AttemptId, Payload, addresses, timeout);
        var attempt = _parent.ChildActorOf(CommissioningAttemptActor.Props(request, _registry.Ref, _proxies.Ref, _reportTo.Ref,
            settings ?? Settings, ConnectionSettings.Default));
        Watch(attempt);
        Assert.Equal(new AttemptStarted(AttemptId), _parent.ExpectMsg<AttemptStarted>());
        return attempt;
    }

    /// <summary>The registry gets WatchDevice for the payload's discriminator and answers with what it knows.</summary>
    private void Matching(params Sighting[] current)
    {
        Assert.Equal(new WatchDevice(3840, false), _registry.ExpectMsg<WatchDevice>());
        _registry.Reply(new MatchingDevices(current));
    }

    private static DeviceSeen Seen(Sighting s) =>
        new(s.ProxyId, s.Proxy, s.Address, s.Rssi, s.Name, s.Connectable, s.Matter, s.LastSeen);

    private void AnswerProxies(params ProxyInfo[] proxies)
    {
        _proxies.ExpectMsg<GetProxies>();
        _proxies.Reply(new ProxyList(proxies));
    }

    private (string Address, IActorRef Connection) ExpectSlotRequest(AttemptProxy proxy) =>
        (proxy.Gate.ExpectMsg<RequestSlot>().Address, proxy.Gate.LastSender);

    private Dictionary<string, IActorRef> ExpectSlotRequests(AttemptProxy proxy, int count)
    {
        var requests = new Dictionary<string, IActorRef>();
        for (var i = 0; i < count; i++)
        {
            var (address, connection) = ExpectSlotRequest(proxy);
            Assert.True(requests.TryAdd(address, connection), $"second RequestSlot for {address}");
        }

        return requests;
    }

    /// <summary>
    /// The attempt has handled everything sent so far and started exactly count connections: they are named
    /// connection-1, connection-2, ... and each asks one gate for a slot, so no further one means no further request.
    /// </summary>
    private void AssertConnections(IActorRef attempt, int count)
    {
        Assert.True(this.Settle(attempt));
        var probe = CreateTestProbe();
        Sys.ActorSelection(attempt.Path / $"connection-{count + 1}").Tell(new Identify(null), probe.Ref);
        Assert.Null(probe.ExpectMsg<ActorIdentity>().Subject);
    }

    /// <summary>Plays session and device for one granted connection until its BTP session is open.</summary>
    private static void DriveToEstablished(AttemptProxy proxy, IActorRef connection, int handle)
    {
        connection.Tell(new SlotGranted(proxy.Id, handle, 0), proxy.Gate.Ref);
        Answer<Connect>(proxy, _ => new ConnectResult(handle, 100));
        Answer<RequestMtu>(proxy, _ => new MtuResult(185));
        Answer<DiscoverServices>(proxy, _ => new ServicesResult([MatterBle.ServiceUuid]));
        Answer<DiscoverCharacteristics>(proxy, _ => new CharacteristicsResult(
            [new(MatterBle.C1WriteUuid, ["write"]), new(MatterBle.C2IndicateUuid, ["indicate"])]));
        var write = Assert.IsType<WriteAndSubscribe>(proxy.Session.ExpectMsg<ExecuteBleCommand>().Command);
        proxy.Session.Reply(new BleCommandSucceeded(write, EmptyResult.Instance, null));
        var response = BtpHandshake.Negotiate(BtpHandshakeRequest.Parse(write.WriteValue).Value!);
        connection.Tell(new ConnectionNotification(handle, MatterBle.C2IndicateUuid, response.Encode()));
    }

    private static void Answer<T>(AttemptProxy proxy, Func<T, BleCommandResult> result) where T : BleCommand
    {
        var command = Assert.IsType<T>(proxy.Session.ExpectMsg<ExecuteBleCommand>().Command);
        proxy.Session.Reply(new BleCommandSucceeded(command, result(command), null));
    }

    private static void FailConnect(AttemptProxy proxy, IActorRef connection, string code, string message)
    {
        connection.Tell(new SlotGranted(proxy.Id, 1, 0), proxy.Gate.Ref);
        var connect = Assert.IsType<Connect>(proxy.Session.ExpectMsg<ExecuteBleCommand>().Command);
        proxy.Session.Reply(new BleCommandFailed(connect, new BleProxyError(code, message), null));
    }

    /// <summary>ReportTo gets output lines then exactly one outcome; the parent hears AttemptEnded with it; the actor stops.</summary>
    private T ExpectOutcome<T>(IActorRef attempt, bool stops = true) where T : AttemptOutcome
    {
        var outcome = _reportTo.FishForMessage(m =>
        {
            if (m is AttemptOutput line)
            {
                Assert.Equal(AttemptId, line.AttemptId);
                _output.Add(line.Line);
            }

            return m is AttemptOutcome;
        });
        var typed = Assert.IsType<T>(outcome);
        Assert.Equal(AttemptId, typed.AttemptId);
        Assert.Equal(new AttemptEnded(AttemptId, typed), _parent.ExpectMsg<AttemptEnded>());
        if (stops)
        {
            ExpectTerminated(attempt);
        }

        return typed;
    }

    [Fact]
    public void Collects_candidates_from_the_snapshot_and_later_sightings_and_tries_each_address_once()
    {
        var attempt = Start();
        Matching(_p1.Saw(AddressA));
        attempt.Tell(Seen(_p1.Saw(AddressB)));
        attempt.Tell(Seen(_p1.Saw(AddressA, rssi: -40)));

        AnswerProxies(_p1.Info(slots: 3));
        var first = ExpectSlotRequests(_p1, 2);
        Assert.Equal([AddressA, AddressB], first.Keys.Order());
        AssertConnections(attempt, 2);

        // A new address after the connections started is routed on its own.
        attempt.Tell(Seen(_p1.Saw(AddressC)));
        AnswerProxies(_p1.Info(slots: 3, inUse: 2));
        Assert.Equal(AddressC, ExpectSlotRequest(_p1).Address);
        AssertConnections(attempt, 3);
    }

    [Fact]
    public void Sightings_of_other_addresses_than_requested_or_not_connectable_are_ignored()
    {
        var attempt = Start(addresses: [AddressB]);
        Matching(_p1.Saw(AddressA), _p1.Saw(AddressC) with { Connectable = false }, _p1.Saw(AddressB));
        AnswerProxies(_p1.Info(slots: 3));
        Assert.Equal(AddressB, ExpectSlotRequest(_p1).Address);
        AssertConnections(attempt, 1);
    }

    [Fact]
    public void Routes_to_the_proxy_with_the_better_rssi_when_it_has_a_free_slot()
    {
        var attempt = Start();
        Matching(_p1.Saw(AddressA, rssi: -80), _p2.Saw(AddressA, rssi: -50));
        AnswerProxies(_p1.Info(), _p2.Info());
        Assert.Equal(AddressA, ExpectSlotRequest(_p2).Address);
        AssertConnections(attempt, 1);
    }

    [Fact]
    public void Routes_to_the_other_proxy_when_the_better_one_is_full()
    {
        var attempt = Start();
        Matching(_p1.Saw(AddressA, rssi: -80), _p2.Saw(AddressA, rssi: -50));
        AnswerProxies(_p1.Info(slots: 2, inUse: 1), _p2.Info(slots: 2, inUse: 2));
        Assert.Equal(AddressA, ExpectSlotRequest(_p1).Address);
        AssertConnections(attempt, 1);
    }

    [Fact]
    public void Queues_on_the_best_rssi_when_every_proxy_is_full()
    {
        var attempt = Start();
        Matching(_p1.Saw(AddressA, rssi: -80), _p2.Saw(AddressA, rssi: -50));
        AnswerProxies(_p1.Info(slots: 1, inUse: 1), _p2.Info(slots: 1, inUse: 1));
        Assert.Equal(AddressA, ExpectSlotRequest(_p2).Address);
        AssertConnections(attempt, 1);
    }

    [Fact]
    public void Spreads_candidates_over_free_slots_it_is_about_to_use()
    {
        Start();
        Matching(_p1.Saw(AddressA, rssi: -80), _p2.Saw(AddressA, rssi: -50),
            _p1.Saw(AddressB, rssi: -80), _p2.Saw(AddressB, rssi: -50));
        AnswerProxies(_p1.Info(), _p2.Info());
        Assert.Single(ExpectSlotRequests(_p1, 1));
        Assert.Single(ExpectSlotRequests(_p2, 1));
    }

    [Fact]
    public void Scan_timeout_without_sightings_is_device_not_found_when_a_proxy_is_ready()
    {
        var attempt = Start(Settings with { ScanTimeout = TimeSpan.FromMilliseconds(300) });
        Matching();
        AnswerProxies(_p1.Info(ready: false), _p2.Info());
        var failed = ExpectOutcome<AttemptFailed>(attempt);
        Assert.Equal(BleErrorCodes.DeviceNotFound, failed.ErrorCode);
        Assert.Equal(UnwatchDevice.Instance, _registry.ExpectMsg<UnwatchDevice>());
    }

    [Fact]
    public void Scan_timeout_without_sightings_is_no_proxy_when_none_is_ready()
    {
        var attempt = Start(Settings with { ScanTimeout = TimeSpan.FromMilliseconds(300) });
        Matching();
        AnswerProxies(_p1.Info(ready: false));
        Assert.Equal(AttemptErrorCodes.NoProxy, ExpectOutcome<AttemptFailed>(attempt).ErrorCode);
    }

    [Fact]
    public void First_established_connection_wins_and_the_others_are_stopped()
    {
        var attempt = Start();
        Matching(_p1.Saw(AddressA), _p1.Saw(AddressB));
        AnswerProxies(_p1.Info(slots: 2));
        var connections = ExpectSlotRequests(_p1, 2);
        var loser = connections[AddressB];
        _p1.Gate.Watch(loser);
        var watcher = CreateTestProbe();
        watcher.Watch(connections[AddressA]);

        DriveToEstablished(_p1, connections[AddressA], handle: 5);

        var succeeded = ExpectOutcome<AttemptSucceeded>(attempt);
        Assert.Equal((AddressA, _p1.Id, (ushort)3840, (ushort?)0xFFF1, (ushort?)0x8001, 185),
            (succeeded.Address, succeeded.ProxyId, succeeded.Discriminator, succeeded.VendorId, succeeded.ProductId, succeeded.Mtu));
        Assert.Equal(BtpHandshake.SupportedVersion, succeeded.Btp.Version);

        // The queued loser dies, so the gate drops its waiter; the winner's handle goes back once.
        _p1.Gate.ExpectTerminated(loser);
        watcher.ExpectTerminated(connections[AddressA]);
        Assert.Equal(new ReleaseConnection(5), _p1.Session.ExpectMsg<ReleaseConnection>());
        // The attempt and all its connections have stopped: everything they sent is queued.
        Assert.Empty(_p1.Session.Queued());
    }

    [Fact]
    public void All_candidates_failing_prefers_slot_exhaustion_as_the_verdict()
    {
        var attempt = Start();
        Matching(_p1.Saw(AddressA), _p1.Saw(AddressB));
        AnswerProxies(_p1.Info(slots: 2));
        var connections = ExpectSlotRequests(_p1, 2);

        FailConnect(_p1, connections[AddressA], BleErrorCodes.ConnectionFailed, "Error: out of connection slots");
        // The later failure is the one that merely followed from it.
        FailConnect(_p1, connections[AddressB], BleErrorCodes.Timeout, "connect timed out");

        var failed = ExpectOutcome<AttemptFailed>(attempt);
        Assert.Equal(BleErrorCodes.OutOfConnectionSlots, failed.ErrorCode);
        Assert.Contains(SlotExhaustion.ActionableMessage, failed.Message, StringComparison.Ordinal);
        Assert.Contains("2 of 2", failed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void All_candidates_failing_without_slot_exhaustion_reports_the_last_error()
    {
        var attempt = Start();
        Matching(_p1.Saw(AddressA));
        AnswerProxies(_p1.Info());
        var (_, connection) = ExpectSlotRequest(_p1);
        FailConnect(_p1, connection, BleErrorCodes.DeviceNotFound, "device went away");
        Assert.Equal(BleErrorCodes.DeviceNotFound, ExpectOutcome<AttemptFailed>(attempt).ErrorCode);
    }

    [Fact]
    public void A_queued_connect_giving_up_after_a_silent_connect_does_not_hide_the_root_cause()
    {
        var attempt = Start();
        Matching(_p1.Saw(AddressA), _p1.Saw(AddressB));
        AnswerProxies(_p1.Info());
        var connections = ExpectSlotRequests(_p1, 2);

        FailConnect(_p1, connections[AddressA], BleErrorCodes.Timeout, "BLE proxy 'p' did not answer 'connect' in time");
        // The queued candidate's wait ends after the silent connect: the later failure, not the cause.
        connections[AddressB].Tell(new SlotDenied(_p1.Id, new BleProxyError(BleErrorCodes.ConnectionAborted,
            "waited longer than 45 s for a free connection slot on proxy proxy-1")), _p1.Gate.Ref);

        var failed = ExpectOutcome<AttemptFailed>(attempt);
        Assert.Equal(BleErrorCodes.Timeout, failed.ErrorCode);
        Assert.Contains("did not answer 'connect'", failed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_aborted_connects_give_connection_aborted()
    {
        var attempt = Start();
        Matching(_p1.Saw(AddressA));
        AnswerProxies(_p1.Info());
        var (_, connection) = ExpectSlotRequest(_p1);
        connection.Tell(new SlotDenied(_p1.Id, new BleProxyError(BleErrorCodes.ConnectionAborted, "proxy proxy-1 disconnected")),
            _p1.Gate.Ref);
        Assert.Equal(BleErrorCodes.ConnectionAborted, ExpectOutcome<AttemptFailed>(attempt).ErrorCode);
    }

    [Fact]
    public void A_verdict_quoting_a_raw_newline_is_still_one_line()
    {
        var attempt = Start();
        Matching(_p1.Saw(AddressA));
        AnswerProxies(_p1.Info());
        var (_, connection) = ExpectSlotRequest(_p1);
        FailConnect(_p1, connection, BleErrorCodes.ConnectionFailed, "refused\n[12:00:00 ERR] forged");
        var failed = ExpectOutcome<AttemptFailed>(attempt);
        Assert.Contains("refused\\n[12:00:00 ERR] forged", failed.Message, StringComparison.Ordinal);
        Assert.All(_output.Append(failed.Message), line => Assert.DoesNotContain('\n', line));
    }

    [Fact]
    public void Cancel_ends_with_attempt_cancelled_and_stops_the_connections()
    {
        var attempt = Start();
        Matching(_p1.Saw(AddressA));
        AnswerProxies(_p1.Info());
        var (_, connection) = ExpectSlotRequest(_p1);
        _p1.Gate.Watch(connection);

        attempt.Tell(new CancelAttempt("user pressed cancel"));
        Assert.Equal(new AttemptCancelled(AttemptId, "user pressed cancel"), ExpectOutcome<AttemptCancelled>(attempt));
        _p1.Gate.ExpectTerminated(connection);
    }

    [Fact]
    public void Overall_timeout_fails_with_timeout()
    {
        var attempt = Start(timeout: TimeSpan.FromMilliseconds(400));
        Matching();
        Assert.Equal(BleErrorCodes.Timeout, ExpectOutcome<AttemptFailed>(attempt).ErrorCode);
    }

    [Fact]
    public void A_candidate_no_ready_proxy_can_reach_ends_the_attempt_instead_of_waiting_for_the_timeout()
    {
        // proxy-2 saw the device, then went away before routing: nothing will ever try this address.
        var attempt = Start();
        Matching(_p2.Saw(AddressA));
        AnswerProxies(_p1.Info());

        var failed = ExpectOutcome<AttemptFailed>(attempt);
        Assert.Equal(AttemptErrorCodes.NoProxy, failed.ErrorCode);
        // The attempt and its children have stopped (ExpectOutcome saw Terminated): nothing asked the gate.
        Assert.Empty(_p1.Gate.Queued());
    }

    [Fact]
    public void An_unroutable_candidate_is_tried_once_a_ready_proxy_sees_it()
    {
        var attempt = Start();
        Matching(_p2.Saw(AddressA), _p1.Saw(AddressB));
        AnswerProxies(_p1.Info(slots: 2));
        var (address, connection) = ExpectSlotRequest(_p1);
        Assert.Equal(AddressB, address);

        attempt.Tell(Seen(_p1.Saw(AddressA)));
        AnswerProxies(_p1.Info(slots: 2, inUse: 1));
        Assert.Equal(AddressA, ExpectSlotRequest(_p1).Address);

        // Repeated advertisements through a known proxy do not ask for routing again.
        attempt.Tell(Seen(_p1.Saw(AddressA)));
        attempt.Tell(Seen(_p2.Saw(AddressB)));
        // Routing is asked for in the step that handles a sighting (the settle timer is only for the first one).
        Assert.True(this.Settle(attempt));
        Assert.Empty(_proxies.Queued());
    }

    [Fact]
    public void No_output_line_contains_the_passcode_or_the_setup_code()
    {
        var attempt = Start();
        Matching(_p1.Saw(AddressA), _p1.Saw(AddressB));
        AnswerProxies(_p1.Info(slots: 2));
        var connections = ExpectSlotRequests(_p1, 2);
        FailConnect(_p1, connections[AddressB], BleErrorCodes.ConnectionFailed, "le-connection-abort-by-local");
        DriveToEstablished(_p1, connections[AddressA], handle: 9);
        var outcome = ExpectOutcome<AttemptSucceeded>(attempt);

        Assert.NotEmpty(_output);
        var secrets = new[] { "20202021", SetupCode.ToManualCode(Payload), SetupCode.ToQrCode(Payload) };
        foreach (var line in _output.Append(outcome.ToString()))
        {
            foreach (var secret in secrets)
            {
                Assert.DoesNotContain(secret, line, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void An_ended_attempt_stays_until_a_loser_whose_connect_is_in_flight_has_given_its_slot_back()
    {
        var attempt = Start();
        Matching(_p1.Saw(AddressA), _p2.Saw(AddressB));
        AnswerProxies(_p1.Info(), _p2.Info());
        var (_, winner) = ExpectSlotRequest(_p1);
        var (_, loser) = ExpectSlotRequest(_p2);
        loser.Tell(new SlotGranted(_p2.Id, 9, 0), _p2.Gate.Ref);
        var connect = Assert.IsType<Connect>(_p2.Session.ExpectMsg<ExecuteBleCommand>().Command);

        DriveToEstablished(_p1, winner, handle: 5);
        ExpectOutcome<AttemptSucceeded>(attempt, stops: false);

        // The loser's connect is still at the proxy: its lease (and so the attempt) must outlive the answer.
        Assert.True(this.Settle(attempt));
        Assert.True(this.Settle(loser));
        _p2.Session.Reply(new BleCommandSucceeded(connect, new ConnectResult(11, 23), null));
        Assert.Equal(new ReleaseConnection(11), _p2.Session.ExpectMsg<ReleaseConnection>());
        ExpectTerminated(attempt);
    }
}
