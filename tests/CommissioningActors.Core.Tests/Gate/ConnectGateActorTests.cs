using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using CommissioningActors.Core.Gate;
using CommissioningActors.Protocol.BleProxy;

namespace CommissioningActors.Core.Tests.Gate;

public sealed class ConnectGateActorTests : TestKit
{
    private const string ProxyId = "proxy-1";
    private static readonly TimeSpan LongWait = TimeSpan.FromMinutes(5);

    private readonly TestProbe _stateProbe;
    private readonly TestProbe _events;

    public ConnectGateActorTests()
    {
        _stateProbe = CreateTestProbe("state");
        _events = CreateTestProbe("events");
        Sys.EventStream.Subscribe(_events.Ref, typeof(SlotAcquired));
        Sys.EventStream.Subscribe(_events.Ref, typeof(SlotReleased));
        Sys.EventStream.Subscribe(_events.Ref, typeof(ConnectQueued));
    }

    private IActorRef StartGate(int slots, TimeSpan? maxWait = null, IActorRef? listener = null) =>
        Sys.ActorOf(ConnectGateActor.Props(ProxyId, slots, maxWait ?? LongWait, listener));

    private GateState StateOf(IActorRef gate)
    {
        gate.Tell(GetGateState.Instance, _stateProbe.Ref);
        return _stateProbe.ExpectMsg<GateState>();
    }

    // Terminated reaches the gate asynchronously, so state after a death is awaited, not read once.
    private void AwaitState(IActorRef gate, int inUse, int queued, long generation = 0) =>
        AwaitAssert(() =>
        {
            var state = StateOf(gate);
            Assert.Equal((inUse, queued, generation), (state.InUse, state.Queued, state.Generation));
        }, TimeSpan.FromSeconds(3), TimeSpan.FromMilliseconds(10));

    private TestProbe Request(IActorRef gate, string address)
    {
        var probe = CreateTestProbe(address.Replace(':', '-'));
        gate.Tell(new RequestSlot(address), probe.Ref);
        return probe;
    }

    private void Kill(TestProbe probe)
    {
        Watch(probe.Ref);
        probe.Ref.Tell(PoisonPill.Instance);
        ExpectTerminated(probe.Ref);
    }

    private static void AssertAborted(SlotDenied denied)
    {
        Assert.Equal(ProxyId, denied.ProxyId);
        Assert.Equal(BleErrorCodes.ConnectionAborted, denied.Error.Code);
    }

    /// <summary>
    /// After a round trip to the gate, everything it told anyone before answering is queued: these probes got
    /// nothing more. (The gate publishes events and tells requesters in the handling step that causes them.)
    /// </summary>
    private void AssertNothingMore(IActorRef gate, params TestProbe[] probes)
    {
        StateOf(gate);
        foreach (var probe in probes)
        {
            Assert.Empty(probe.Queued());
        }
    }

    private List<object> DrainEvents(IActorRef gate)
    {
        StateOf(gate);
        return _events.Queued();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void At_most_slots_leases_are_out_and_extra_requesters_are_queued(int slots)
    {
        var gate = StartGate(slots);
        var holders = Enumerable.Range(0, slots).Select(i => Request(gate, $"holder-{i}")).ToList();
        foreach (var holder in holders)
        {
            Assert.Equal(ProxyId, holder.ExpectMsg<SlotGranted>().ProxyId);
        }

        var waiters = Enumerable.Range(0, 2).Select(i => Request(gate, $"waiter-{i}")).ToList();
        var state = StateOf(gate);
        Assert.Equal((slots, slots, 2), (state.Slots, state.InUse, state.Queued));
        Assert.All(waiters, w => Assert.Empty(w.Queued()));
        Assert.Equal(2, _events.Queued().OfType<ConnectQueued>().Count());

        // A released slot goes to exactly one waiter; the total never exceeds the slots.
        Kill(holders[0]);
        waiters[0].ExpectMsg<SlotGranted>();
        AssertNothingMore(gate, waiters[1]);
        AwaitState(gate, inUse: slots, queued: 1);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Waiters_are_granted_in_request_order_as_holders_stop(int slots)
    {
        var gate = StartGate(slots);
        var holders = Enumerable.Range(0, slots).Select(i => Request(gate, $"holder-{i}")).ToList();
        holders.ForEach(h => h.ExpectMsg<SlotGranted>());
        var waiters = Enumerable.Range(0, 4).Select(i => Request(gate, $"waiter-{i}")).ToList();
        AwaitState(gate, inUse: slots, queued: 4);

        var granted = new List<TestProbe>();
        var current = new Queue<TestProbe>(holders);
        for (var i = 0; i < waiters.Count; i++)
        {
            Kill(current.Dequeue());
            waiters[i].ExpectMsg<SlotGranted>();
            AssertNothingMore(gate, [.. waiters.Skip(i + 1)]);

            current.Enqueue(waiters[i]);
        }

        AwaitState(gate, inUse: slots, queued: 0);
    }

    [Fact]
    public void A_dead_waiter_leaves_the_queue_and_the_next_waiter_gets_the_slot()
    {
        var gate = StartGate(1);
        var holder = Request(gate, "holder");
        holder.ExpectMsg<SlotGranted>();
        var dead = Request(gate, "dead-waiter");
        var next = Request(gate, "next-waiter");
        AwaitState(gate, inUse: 1, queued: 2);

        Kill(dead);
        AwaitState(gate, inUse: 1, queued: 1);
        DrainEvents(gate);

        Kill(holder);
        next.ExpectMsg<SlotGranted>();
        AwaitState(gate, inUse: 1, queued: 0);

        // The dead waiter was never handed the slot: the only acquisition after the release is the next waiter's.
        Assert.Equal("holder", _events.ExpectMsg<SlotReleased>().Address);
        Assert.Equal("next-waiter", _events.ExpectMsg<SlotAcquired>().Address);
        AssertNothingMore(gate, _events);
    }

    [Fact]
    public void A_stopping_gate_denies_its_waiters_with_connection_aborted()
    {
        var listener = CreateTestProbe("listener");
        var gate = StartGate(1, listener: listener.Ref);
        var holder = Request(gate, "holder");
        holder.ExpectMsg<SlotGranted>();
        var waiters = new[] { Request(gate, "waiter-0"), Request(gate, "waiter-1") };
        AwaitState(gate, inUse: 1, queued: 2);

        Watch(gate);
        Sys.Stop(gate);
        ExpectTerminated(gate);

        // The gate is dead: all it ever sent is queued.
        foreach (var waiter in waiters)
        {
            AssertAborted(waiter.ExpectMsg<SlotDenied>());
            Assert.Empty(waiter.Queued());
        }

        // The last occupancy the gate reported is the one it died with: one lease, two waiters, nothing granted since.
        var last = listener.Queued().Cast<GateState>().Last();
        Assert.Equal((1, 2), (last.InUse, last.Queued));
    }

    [Fact]
    public void AbortPendingConnects_denies_waiters_and_keeps_the_leases()
    {
        var gate = StartGate(1);
        var holder = Request(gate, "holder");
        holder.ExpectMsg<SlotGranted>();
        var waiters = new[] { Request(gate, "waiter-0"), Request(gate, "waiter-1") };
        AwaitState(gate, inUse: 1, queued: 2);

        gate.Tell(new AbortPendingConnects("commissioning ended"));

        foreach (var waiter in waiters)
        {
            AssertAborted(waiter.ExpectMsg<SlotDenied>());
        }

        holder.ExpectMsg<ConnectsAborted>();
        AwaitState(gate, inUse: 1, queued: 0, generation: 1);

        // The denied waiters are out for good: the freed slot is not handed to them.
        Kill(holder);
        AwaitState(gate, inUse: 0, queued: 0, generation: 1);
        AssertNothingMore(gate, waiters);
    }

    [Fact]
    public void Abort_bumps_the_generation_for_holders_and_later_leases()
    {
        var gate = StartGate(2);
        var first = Request(gate, "first");
        var second = Request(gate, "second");
        Assert.Equal(0, first.ExpectMsg<SlotGranted>().Generation);
        Assert.Equal(0, second.ExpectMsg<SlotGranted>().Generation);

        gate.Tell(new AbortPendingConnects("commissioning ended"));
        foreach (var holder in new[] { first, second })
        {
            var aborted = holder.ExpectMsg<ConnectsAborted>();
            Assert.Equal((ProxyId, 1L), (aborted.ProxyId, aborted.Generation));
        }

        Kill(first);
        var late = Request(gate, "late");
        Assert.Equal(1, late.ExpectMsg<SlotGranted>().Generation);

        gate.Tell(new AbortPendingConnects("again"));
        Assert.Equal(2, second.ExpectMsg<ConnectsAborted>().Generation);
        Assert.Equal(2, late.ExpectMsg<ConnectsAborted>().Generation);
        AwaitState(gate, inUse: 2, queued: 0, generation: 2);
    }

    [Theory]
    [InlineData(StopHow.PoisonPill, false)]
    [InlineData(StopHow.ContextStop, false)]
    [InlineData(StopHow.Crash, false)]
    [InlineData(StopHow.PoisonPill, true)]
    [InlineData(StopHow.Crash, true)]
    public void A_lease_is_released_exactly_once_when_its_holder_stops(StopHow how, bool abortedFirst)
    {
        var gate = StartGate(1);
        var report = CreateTestProbe("report");
        var parent = Sys.ActorOf(Props.Create(() => new StoppingParent()));
        parent.Tell(Props.Create(() => new LeaseHolder(gate, "holder", report.Ref)));
        report.ExpectMsg<SlotGranted>();
        var holder = report.LastSender;
        var waiter = Request(gate, "waiter");
        AwaitState(gate, inUse: 1, queued: 1);
        if (abortedFirst)
        {
            // The abort denies the waiter; the holder still owns its lease until it stops.
            gate.Tell(new AbortPendingConnects("commissioning ended"));
            report.ExpectMsg<ConnectsAborted>();
            waiter.ExpectMsg<SlotDenied>();
        }

        DrainEvents(gate);

        Watch(holder);
        switch (how)
        {
            case StopHow.PoisonPill:
                holder.Tell(PoisonPill.Instance);
                break;
            case StopHow.ContextStop:
                holder.Tell("stop");
                break;
            case StopHow.Crash:
                holder.Tell("crash");
                break;
        }

        ExpectTerminated(holder);
        Assert.Equal("holder", _events.ExpectMsg<SlotReleased>().Address);
        if (!abortedFirst)
        {
            waiter.ExpectMsg<SlotGranted>();
            Assert.Equal("waiter", _events.ExpectMsg<SlotAcquired>().Address);
        }

        AwaitState(gate, inUse: abortedFirst ? 0 : 1, queued: 0, generation: abortedFirst ? 1 : 0);
        AssertNothingMore(gate, _events);
    }

    [Fact]
    public void A_second_request_from_the_same_holder_or_waiter_is_denied_without_changing_accounting()
    {
        var gate = StartGate(1);
        var holder = Request(gate, "holder");
        var lease = holder.ExpectMsg<SlotGranted>();
        var waiter = Request(gate, "waiter");
        AwaitState(gate, inUse: 1, queued: 1);
        DrainEvents(gate);

        gate.Tell(new RequestSlot("holder"), holder.Ref);
        AssertAborted(holder.ExpectMsg<SlotDenied>());
        gate.Tell(new RequestSlot("waiter"), waiter.Ref);
        AssertAborted(waiter.ExpectMsg<SlotDenied>());
        AwaitState(gate, inUse: 1, queued: 1);
        AssertNothingMore(gate, _events);

        // The original lease and place in the queue still stand, and the lease is released once.
        Kill(holder);
        Assert.NotEqual(lease.LeaseId, waiter.ExpectMsg<SlotGranted>().LeaseId);
        _events.ExpectMsg<SlotReleased>();
        _events.ExpectMsg<SlotAcquired>();
        AwaitState(gate, inUse: 1, queued: 0);
        AssertNothingMore(gate, _events);
    }

    [Fact]
    public void The_listener_hears_the_gate_state_after_every_change()
    {
        var listener = CreateTestProbe("listener");
        var gate = StartGate(1, listener: listener.Ref);
        Assert.Equal((0, 0), Occupancy(listener.ExpectMsg<GateState>()));
        var holder = Request(gate, "holder");
        Assert.Equal((1, 0), Occupancy(listener.ExpectMsg<GateState>()));
        Request(gate, "waiter");
        Assert.Equal((1, 1), Occupancy(listener.ExpectMsg<GateState>()));
        Kill(holder);
        Assert.Equal((1, 0), Occupancy(listener.FishForMessage<GateState>(s => s.Queued == 0)));
        AwaitState(gate, inUse: 1, queued: 0);
        listener.Queued();
        gate.Tell(new AbortPendingConnects("done"));
        Assert.Equal(1, listener.ExpectMsg<GateState>().Generation);
    }

    [Theory]
    [InlineData(1, -1)]
    [InlineData(1, 0)]
    [InlineData(0, 20_000)]
    public void A_gate_without_a_positive_bound_or_slot_refuses_to_start(int slots, int maxWaitMs)
    {
        // With an infinite wait the first queued request crashed the gate, and the restart forgot the lease still out,
        // so the next requester was granted a second lease on a one-slot proxy.
        var maxWait = maxWaitMs < 0 ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(maxWaitMs);
        var gate = Sys.ActorOf(ConnectGateActor.Props(ProxyId, slots, maxWait));
        Watch(gate);
        ExpectTerminated(gate);
    }

    private static (int InUse, int Queued) Occupancy(GateState state) => (state.InUse, state.Queued);

    public enum StopHow
    {
        PoisonPill,
        ContextStop,
        Crash,
    }

    // Supervises holders with Stop, so a crash ends the holder (the default would restart it and keep the lease).
    private sealed class StoppingParent : ReceiveActor
    {
        public StoppingParent() => Receive<Props>(props => Context.ActorOf(props));

        protected override SupervisorStrategy SupervisorStrategy() => Akka.Actor.SupervisorStrategy.StoppingStrategy;
    }

    // A stand-in for a BleConnectionActor: asks for a slot when it starts and reports what the gate tells it.
    private sealed class LeaseHolder : ReceiveActor
    {
        private readonly IActorRef _gate;
        private readonly string _address;

        public LeaseHolder(IActorRef gate, string address, IActorRef report)
        {
            _gate = gate;
            _address = address;
            Receive<SlotGranted>(m => report.Tell(m));
            Receive<SlotDenied>(m => report.Tell(m));
            Receive<ConnectsAborted>(m => report.Tell(m));
            Receive<string>(s => s == "stop", _ => Context.Stop(Self));
            Receive<string>(s => s == "crash", _ => throw new InvalidOperationException("holder crashed"));
        }

        protected override void PreStart() => _gate.Tell(new RequestSlot(_address));
    }
}
