using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using CommissioningActors.Core.Gate;
using CommissioningActors.Protocol.BleProxy;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace CommissioningActors.Core.Tests.Gate;

public abstract record GateOp;

public sealed record RequestOp(int Holder) : GateOp
{
    public override string ToString() => $"Request({Holder})";
}

public sealed record DieOp(int Holder) : GateOp
{
    public override string ToString() => $"Die({Holder})";
}

public sealed record AbortOp : GateOp
{
    public override string ToString() => "Abort";
}

/// <summary>Virtual time passes (TestScheduler): waiters past the bound expire.</summary>
public sealed record AdvanceOp : GateOp
{
    public override string ToString() => "Advance";
}

/// <summary>A run: slots, holder actors, the operations, and whether every holder dies before the gate stops.</summary>
public sealed record GateScenario(int Slots, int Holders, IReadOnlyList<GateOp> Ops, bool AllDieBeforeStop)
{
    public override string ToString() =>
        $"slots={Slots} holders={Holders} allDie={AllDieBeforeStop} ops=[{string.Join(", ", Ops)}]";
}

public static class GateScenarios
{
    public static Arbitrary<GateScenario> Scenario()
    {
        var gen =
            from slots in Gen.Choose(1, 3)
            from holders in Gen.Choose(1, 6)
            from count in Gen.Choose(0, 30)
            from ops in Op(holders).ListOf(count)
            from allDie in Gen.Elements(true, false)
            select new GateScenario(slots, holders, ops.ToList(), allDie);
        return Arb.From(gen, Shrink);
    }

    private static Gen<GateOp> Op(int holders) =>
        Gen.Frequency(
            (5, Gen.Choose(0, holders - 1).Select(i => (GateOp)new RequestOp(i))),
            (2, Gen.Choose(0, holders - 1).Select(i => (GateOp)new DieOp(i))),
            (1, Gen.Constant((GateOp)new AbortOp())),
            (2, Gen.Constant((GateOp)new AdvanceOp())));

    // Drop one operation at a time so a failure shrinks to a short script.
    private static IEnumerable<GateScenario> Shrink(GateScenario s)
    {
        for (var i = 0; i < s.Ops.Count; i++)
        {
            yield return s with { Ops = s.Ops.Where((_, j) => j != i).ToList() };
        }
    }
}

/// <summary>
/// Model-based: a pure model of the gate predicts occupancy and every reply; after each step the real gate
/// (synchronised by GetGateState round trips) must agree. Time is virtual, so the bounded wait is deterministic.
/// </summary>
public sealed class ConnectGateActorPropertyTests : TestKit
{
    // Steps of 4 s against a 10 s bound: deadlines (enqueue + 10) never land exactly on a step, so no tie to model.
    internal static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(10);
    internal static readonly TimeSpan Tick = TimeSpan.FromSeconds(4);

    private readonly TestProbe _events;
    private int _run;

    public ConnectGateActorPropertyTests()
        : base("akka.scheduler.implementation = \"Akka.TestKit.TestScheduler, Akka.TestKit\"")
    {
        _events = CreateTestProbe("events");
        Sys.EventStream.Subscribe(_events.Ref, typeof(SlotAcquired));
        Sys.EventStream.Subscribe(_events.Ref, typeof(SlotReleased));
        Sys.EventStream.Subscribe(_events.Ref, typeof(ConnectQueued));
    }

    [Property(MaxTest = 80, Arbitrary = [typeof(GateScenarios)])]
    public void Gate_agrees_with_its_model_under_random_requests_deaths_and_aborts(GateScenario scenario)
    {
        var proxyId = $"prop-{++_run}";
        var gate = Sys.ActorOf(ConnectGateActor.Props(proxyId, scenario.Slots, MaxWait));
        var probes = Enumerable.Range(0, scenario.Holders).Select(i => CreateTestProbe($"run{_run}-h{i}")).ToArray();
        var model = new GateModel(scenario.Slots);
        var observed = new Observed(scenario.Holders);
        var run = new Run(this, gate, proxyId, probes, model, observed);

        foreach (var op in scenario.Ops)
        {
            run.Step(op);
        }

        if (scenario.AllDieBeforeStop)
        {
            for (var i = 0; i < probes.Length; i++)
            {
                run.Step(new DieOp(i));
            }

            // No slot leaks: with every holder and waiter dead the gate is empty.
            var state = run.State();
            Assert.Equal((0, 0), (state.InUse, state.Queued));
        }

        // The proxy goes away: every queued requester hears connection_aborted.
        Watch(gate);
        Sys.Stop(gate);
        ExpectTerminated(gate);
        model.GateStopped();
        run.CheckReplies();

        // No waiter hangs: every live requester got exactly one reply per request.
        for (var i = 0; i < probes.Length; i++)
        {
            if (!model.Dead.Contains(i))
            {
                Assert.True(observed.Requests[i] == observed.Replies[i],
                    $"holder {i}: {observed.Requests[i]} request(s) but {observed.Replies[i]} reply(ies)");
            }
        }

        foreach (var probe in probes)
        {
            Sys.Stop(probe.Ref);
        }
    }

    private sealed class Run(
        ConnectGateActorPropertyTests kit,
        IActorRef gate,
        string proxyId,
        TestProbe[] probes,
        GateModel model,
        Observed observed)
    {
        public GateState State() =>
            kit.CreateTestProbe().ExpectNothingBefore<GateState>(gate, GetGateState.Instance);

        public void Step(GateOp op)
        {
            switch (op)
            {
                case RequestOp r when !model.Dead.Contains(r.Holder):
                    gate.Tell(new RequestSlot($"h{r.Holder}"), probes[r.Holder].Ref);
                    observed.Requests[r.Holder]++;
                    model.Request(r.Holder);
                    break;
                case DieOp d when !model.Dead.Contains(d.Holder):
                    kit.Watch(probes[d.Holder].Ref);
                    kit.Sys.Stop(probes[d.Holder].Ref);
                    kit.ExpectTerminated(probes[d.Holder].Ref);
                    observed.Holding.Remove(d.Holder);
                    model.Die(d.Holder);
                    break;
                case AbortOp:
                    gate.Tell(new AbortPendingConnects("property"));
                    model.Abort();
                    break;
                case AdvanceOp:
                    // Due timers are told to the gate synchronously here, ahead of the next round trip.
                    ((TestScheduler)kit.Sys.Scheduler).Advance(Tick);
                    model.Advance(Tick);
                    break;
                default:
                    return;
            }

            // Terminated reaches the gate asynchronously; every other step is settled by one round trip.
            kit.AwaitAssert(() =>
            {
                var state = State();
                Assert.Equal(model.Expected(proxyId), state);
            }, TimeSpan.FromSeconds(3), TimeSpan.FromMilliseconds(5));

            var actual = State();
            Assert.True(actual.InUse <= actual.Slots, $"InUse {actual.InUse} > Slots {actual.Slots}");
            CheckReplies();
            Assert.Equal(observed.Holding.Count, actual.InUse);
            CheckEvents();
        }

        // The gate replied before answering GetGateState, so everything it sent this step is already queued.
        public void CheckReplies()
        {
            for (var i = 0; i < probes.Length; i++)
            {
                var expected = model.TakeOutbox(i);
                if (model.Dead.Contains(i))
                {
                    continue;
                }

                var received = new List<string>();
                while (probes[i].HasMessages)
                {
                    received.Add(Describe(i, probes[i].ReceiveOne(TimeSpan.FromSeconds(1))!));
                }

                Assert.True(expected.SequenceEqual(received),
                    $"holder {i}: expected [{string.Join(", ", expected)}] got [{string.Join(", ", received)}]");
            }
        }

        private void CheckEvents()
        {
            var events = new List<object>();
            while (kit._events.HasMessages)
            {
                events.Add(kit._events.ReceiveOne(TimeSpan.FromSeconds(1))!);
            }

            var (acquired, released, queued) = model.TakeEventCounts();
            Assert.Equal(acquired, events.OfType<SlotAcquired>().Count(e => e.ProxyId == proxyId));
            Assert.Equal(released, events.OfType<SlotReleased>().Count(e => e.ProxyId == proxyId));
            Assert.Equal(queued, events.OfType<ConnectQueued>().Count(e => e.ProxyId == proxyId));
        }

        private string Describe(int holder, object message)
        {
            switch (message)
            {
                case SlotGranted g:
                    Assert.Equal(proxyId, g.ProxyId);
                    observed.Replies[holder]++;
                    observed.Holding.Add(holder);
                    return $"granted@{g.Generation}";
                case SlotDenied d:
                    Assert.Equal(proxyId, d.ProxyId);
                    observed.Replies[holder]++;
                    return $"denied:{d.Error.Code}";
                case ConnectsAborted a:
                    Assert.Equal(proxyId, a.ProxyId);
                    return $"aborted@{a.Generation}";
                default:
                    return $"unexpected {message}";
            }
        }
    }

    private sealed class Observed(int holders)
    {
        public int[] Requests { get; } = new int[holders];
        public int[] Replies { get; } = new int[holders];
        public HashSet<int> Holding { get; } = [];
    }

    /// <summary>The contract, as a pure state machine.</summary>
    private sealed class GateModel(int slots)
    {
        private readonly List<int> _holders = [];
        private readonly List<(int Holder, TimeSpan Since)> _queue = [];
        private readonly Dictionary<int, List<string>> _outbox = [];
        private long _generation;
        private TimeSpan _now;
        private int _acquired;
        private int _released;
        private int _queued;

        public HashSet<int> Dead { get; } = [];

        // Holders here never report their connect's outcome, so every lease counts as a connect in flight.
        public GateState Expected(string proxyId) =>
            new(proxyId, slots, _holders.Count, _queue.Count, _generation, ConnectsInFlight: _holders.Count);

        public void Request(int h)
        {
            if (_holders.Contains(h) || _queue.Any(w => w.Holder == h))
            {
                Send(h, $"denied:{BleErrorCodes.ConnectionAborted}");
            }
            else if (_holders.Count < slots && _queue.Count == 0)
            {
                Grant(h);
            }
            else
            {
                _queue.Add((h, _now));
                _queued++;
            }
        }

        public void Die(int h)
        {
            Dead.Add(h);
            _queue.RemoveAll(w => w.Holder == h);
            if (_holders.Remove(h))
            {
                _released++;
                while (_holders.Count < slots && _queue.Count > 0)
                {
                    var next = _queue[0];
                    _queue.RemoveAt(0);
                    Grant(next.Holder);
                }
            }
        }

        public void Abort()
        {
            _generation++;
            DenyWaiters();
            foreach (var h in _holders)
            {
                Send(h, $"aborted@{_generation}");
            }
        }

        public void Advance(TimeSpan by)
        {
            _now += by;
            foreach (var w in _queue.Where(w => w.Since + ConnectGateActorPropertyTests.MaxWait < _now).ToList())
            {
                _queue.Remove(w);
                Send(w.Holder, $"denied:{BleErrorCodes.ConnectionAborted}");
            }
        }

        public void GateStopped() => DenyWaiters();

        public List<string> TakeOutbox(int h) => _outbox.Remove(h, out var sent) ? sent : [];

        public (int Acquired, int Released, int Queued) TakeEventCounts()
        {
            var counts = (_acquired, _released, _queued);
            (_acquired, _released, _queued) = (0, 0, 0);
            return counts;
        }

        private void DenyWaiters()
        {
            foreach (var (w, _) in _queue)
            {
                Send(w, $"denied:{BleErrorCodes.ConnectionAborted}");
            }

            _queue.Clear();
        }

        private void Grant(int h)
        {
            _holders.Add(h);
            _acquired++;
            Send(h, $"granted@{_generation}");
        }

        private void Send(int h, string message)
        {
            if (!_outbox.TryGetValue(h, out var sent))
            {
                _outbox[h] = sent = [];
            }

            sent.Add(message);
        }
    }
}
