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

namespace CommissioningActors.Core.Tests.Commissioning;

/// <summary>The default policy: one address of a physical device at a time, hedged, on the best-scored route.</summary>
public sealed class HedgedAttemptTests : TestKit
{
    private const string AddressA = "AA:BB:CC:DD:EE:01";
    private const string AddressB = "AA:BB:CC:DD:EE:02";
    private const string AddressC = "AA:BB:CC:DD:EE:03";

    private static readonly SetupPayload Payload = new(20202021, 3840, false, 0xFFF1, 0x8001, RendezvousInformation: RendezvousFlags.Ble);

    private static readonly AttemptSettings Settings = AttemptSettings.Default with
    {
        CandidateSettle = TimeSpan.FromMilliseconds(100),
        ScanTimeout = TimeSpan.FromSeconds(10),
        DefaultTimeout = TimeSpan.FromSeconds(30),
        HedgeDelayMin = TimeSpan.FromMilliseconds(50),
    };

    private readonly TestProbe _registry;
    private readonly TestProbe _proxies;
    private readonly TestProbe _reportTo;
    private readonly AttemptProxy _p1;
    private readonly AttemptProxy _p2;

    public HedgedAttemptTests()
    {
        _registry = CreateTestProbe("registry");
        _proxies = CreateTestProbe("proxies");
        _reportTo = CreateTestProbe("report-to");
        _p1 = FakeGate.Proxy(this, "proxy-1");
        _p2 = FakeGate.Proxy(this, "proxy-2");
    }

    private IActorRef Start(params Sighting[] current)
    {
        var parent = CreateTestProbe("parent");
        var attempt = parent.ChildActorOf(CommissioningAttemptActor.Props(new CommissionRequest("attempt-1", Payload), _registry.Ref,
            _proxies.Ref, _reportTo.Ref, Settings, ConnectionSettings.Default));
        _registry.ExpectMsg<WatchDevice>();
        _registry.Reply(new MatchingDevices(current));
        return attempt;
    }

    private void AnswerProxies(params ProxyInfo[] proxies)
    {
        _proxies.ExpectMsg<GetProxies>();
        _proxies.Reply(new ProxyList(proxies));
    }

    private static (RequestSlot Request, IActorRef Connection) ExpectSlotRequest(AttemptProxy proxy) =>
        (proxy.Gate.ExpectMsg<RequestSlot>(), proxy.Gate.LastSender);

    /// <summary>Synchronised on the attempt: exactly count connections exist (named connection-1..count).</summary>
    private void AssertConnections(IActorRef attempt, int count)
    {
        Assert.True(this.Settle(attempt));
        var probe = CreateTestProbe();
        Sys.ActorSelection(attempt.Path / $"connection-{count}").Tell(new Identify(null), probe.Ref);
        Assert.NotNull(probe.ExpectMsg<ActorIdentity>().Subject);
        Sys.ActorSelection(attempt.Path / $"connection-{count + 1}").Tell(new Identify(null), probe.Ref);
        Assert.Null(probe.ExpectMsg<ActorIdentity>().Subject);
    }

    [Fact]
    public void Addresses_of_one_physical_device_are_tried_one_at_a_time_and_another_device_on_its_own()
    {
        var otherProduct = new MatterAdvertisement(3840, 0, 0xFFF1, 0x9999, HasAdditionalData: false);
        var attempt = Start(_p1.Saw(AddressA), _p1.Saw(AddressB), _p1.Saw(AddressC, matter: otherProduct));
        AnswerProxies(_p1.Info(slots: 3));

        // A and B share discriminator, vendor and product: one device, one connect. C is another device.
        var first = ExpectSlotRequest(_p1).Request.Address;
        var second = ExpectSlotRequest(_p1).Request.Address;
        Assert.Equal([AddressA, AddressC], new[] { first, second }.Order());
        AssertConnections(attempt, 2);
    }

    [Fact]
    public void The_freshest_address_goes_first_even_when_an_older_one_is_stronger()
    {
        var now = DateTimeOffset.UtcNow;
        var attempt = Start(_p1.Saw(AddressA, rssi: -40, at: now - TimeSpan.FromSeconds(30)), _p1.Saw(AddressB, rssi: -75, at: now));
        AnswerProxies(_p1.Info(slots: 3));

        Assert.Equal(AddressB, ExpectSlotRequest(_p1).Request.Address);
        AssertConnections(attempt, 1);
    }

    [Fact]
    public void A_slow_first_candidate_is_hedged_with_the_next_after_the_typical_connect_time()
    {
        var now = DateTimeOffset.UtcNow;
        var attempt = Start(_p1.Saw(AddressA, at: now), _p1.Saw(AddressB, at: now - TimeSpan.FromSeconds(10)));
        AnswerProxies(_p1.Info(slots: 3, typicalConnect: TimeSpan.FromMilliseconds(300)));
        var (request, first) = ExpectSlotRequest(_p1);
        Assert.Equal(AddressA, request.Address);

        // The connect goes out and the proxy says nothing: after ~300 ms (the gate's typical connect) the next goes.
        var started = DateTime.UtcNow;
        first.Tell(new SlotGranted(_p1.Id, 1, 0), _p1.Gate.Ref);
        Assert.IsType<Connect>(_p1.Session.ExpectMsg<ExecuteBleCommand>().Command);
        AnswerProxies(_p1.Info(slots: 3, inUse: 1, inFlight: 1, typicalConnect: TimeSpan.FromMilliseconds(300)));
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromMilliseconds(280), "hedged before the hedge delay");
        Assert.Equal(AddressB, ExpectSlotRequest(_p1).Request.Address);
        AssertConnections(attempt, 2);
        _reportTo.FishForMessage(m => m is AttemptOutput o && o.Line.Contains("hedging", StringComparison.Ordinal));
    }

    [Fact]
    public void A_failed_first_candidate_is_followed_at_once_by_the_next()
    {
        var now = DateTimeOffset.UtcNow;
        var attempt = Start(_p1.Saw(AddressA, at: now), _p1.Saw(AddressB, at: now - TimeSpan.FromSeconds(10)));
        AnswerProxies(_p1.Info(slots: 3, typicalConnect: TimeSpan.FromMinutes(1)));
        var (_, first) = ExpectSlotRequest(_p1);
        first.Tell(new SlotGranted(_p1.Id, 1, 0), _p1.Gate.Ref);
        var connect = Assert.IsType<Connect>(_p1.Session.ExpectMsg<ExecuteBleCommand>().Command);
        _p1.Session.Reply(new BleCommandFailed(connect, new BleProxyError(BleErrorCodes.DeviceNotFound, "gone"), null));

        // Long before the (one-minute) hedge delay: the failure itself starts the next address.
        AnswerProxies(_p1.Info(slots: 3, failures: 1));
        Assert.Equal(AddressB, ExpectSlotRequest(_p1).Request.Address);
    }

    [Fact]
    public void When_the_best_gate_turns_out_full_the_next_proxy_that_saw_the_device_is_asked_then_the_best_is_queued_on()
    {
        var attempt = Start(_p1.Saw(AddressA, rssi: -80), _p2.Saw(AddressA, rssi: -50));
        // Both looked free when routing asked; by the time the connection asks, both are full.
        AnswerProxies(_p1.Info(), _p2.Info());

        var (best, connection) = ExpectSlotRequest(_p2);
        Assert.False(best.WaitIfFull);
        connection.Tell(new SlotBusy(_p2.Id, new GateState(_p2.Id, 1, 1, 0, 0)), _p2.Gate.Ref);
        var fallback = ExpectSlotRequest(_p1).Request;
        Assert.Equal((AddressA, false), (fallback.Address, fallback.WaitIfFull));
        connection.Tell(new SlotBusy(_p1.Id, new GateState(_p1.Id, 1, 1, 0, 0)), _p1.Gate.Ref);
        var queued = ExpectSlotRequest(_p2).Request;
        Assert.Equal((AddressA, true), (queued.Address, queued.WaitIfFull));
        AssertConnections(attempt, 1);
    }

    [Fact]
    public void A_proxy_with_recent_failures_loses_to_a_slightly_weaker_one()
    {
        var attempt = Start(_p1.Saw(AddressA, rssi: -60), _p2.Saw(AddressA, rssi: -57));
        AnswerProxies(_p1.Info(), _p2.Info(failures: 3));

        Assert.Equal(AddressA, ExpectSlotRequest(_p1).Request.Address);
        AssertConnections(attempt, 1);
    }

    [Fact]
    public void A_proxy_with_connects_in_flight_loses_to_an_idle_one_of_similar_rssi()
    {
        var attempt = Start(_p1.Saw(AddressA, rssi: -60), _p2.Saw(AddressA, rssi: -58));
        AnswerProxies(_p1.Info(slots: 3), _p2.Info(slots: 3, inUse: 1, inFlight: 1));

        Assert.Equal(AddressA, ExpectSlotRequest(_p1).Request.Address);
        AssertConnections(attempt, 1);
    }
}
