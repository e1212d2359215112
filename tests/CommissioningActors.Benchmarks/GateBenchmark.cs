using System.Diagnostics;
using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Configuration;
using CommissioningActors.Benchmarks.Support;
using CommissioningActors.Core.Gate;

namespace CommissioningActors.Benchmarks;

/// <summary>
/// Issue 6, benchmark 2: one ConnectGateActor in an in-process ActorSystem. A cycle is one grant and one
/// release; holders are real actors that stop on their grant, so every release goes through DeathWatch exactly
/// as a BleConnectionActor's does.
/// </summary>
public static class GateBenchmark
{
    public static async Task<JsonObject> RunAsync(BenchOptions options)
    {
        var cycles = options.Full ? 2_000_000 : 200_000;
        const int Waiters = 10_000;
        var measured = options.Full ? 10_000 : 2_000;

        using var system = ActorSystem.Create("gate-bench", ConfigurationFactory.ParseString("akka.loglevel = WARNING\nakka.stdout-loglevel = WARNING"));
        var throughput = new List<(int Slots, int Window, double PerSecond)>();
        foreach (var (slots, window) in new[] { (3, 32), (1, 1), (3, 3) })
        {
            throughput.Add((slots, window, await CyclesPerSecondAsync(system, slots, window, cycles)));
        }

        var latency = await GrantLatencyAsync(system, Waiters, measured);

        var table = new Table($"gate: one ConnectGateActor, {cycles:N0} grant/release cycles per run", "figure", "value", "target");
        foreach (var (slots, window, perSecond) in throughput)
        {
            table.Row($"cycles/s, {slots} slot(s), {window} holder(s) in flight", perSecond, slots == 3 && window == 32 ? ">= 200,000" : "-");
        }

        table.Row($"grant latency p50 (us), >= {Waiters:N0} queued", latency.P50, "-")
            .Row($"grant latency p99 (us), >= {Waiters:N0} queued", latency.P99, "< 100")
            .Row("grant latency max (us)", latency.Max, "-")
            .Row("handoffs measured", measured, "-")
            .Row($"queueing {latency.Queued:N0} waiters took (ms)", latency.QueueMs, "-")
            .Print();

        return new JsonObject
        {
            ["cycles"] = cycles,
            ["throughput"] = new JsonArray([.. throughput.Select(t => (JsonNode)new JsonObject
            {
                ["slots"] = t.Slots,
                ["holders_in_flight"] = t.Window,
                ["cycles_per_second"] = Math.Round(t.PerSecond),
            })]),
            ["cycles_per_second"] = Math.Round(throughput[0].PerSecond),
            ["grant_latency_us"] = new JsonObject
            {
                ["queued_at_least"] = Waiters,
                ["measured"] = measured,
                ["p50"] = Math.Round(latency.P50, 1),
                ["p99"] = Math.Round(latency.P99, 1),
                ["max"] = Math.Round(latency.Max, 1),
            },
        };
    }

    private static async Task<double> CyclesPerSecondAsync(ActorSystem system, int slots, int window, int cycles)
    {
        var gate = system.ActorOf(ConnectGateActor.Props($"bench-{slots}-{window}", slots, TimeSpan.FromHours(1)));
        // Warm up (JIT, pools), then measure a fresh run on the same gate.
        await DriveAsync(system, gate, window, Math.Min(cycles / 10, 20_000));
        var watch = Stopwatch.StartNew();
        await DriveAsync(system, gate, window, cycles);
        var perSecond = cycles / watch.Elapsed.TotalSeconds;
        await gate.GracefulStop(TimeSpan.FromSeconds(5));
        return perSecond;
    }

    private static Task DriveAsync(ActorSystem system, IActorRef gate, int window, int cycles)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        system.ActorOf(Props.Create(() => new CycleDriver(gate, window, cycles, done)));
        return done.Task;
    }

    /// <summary>
    /// One slot, so grants form a chain: each holder stops on its grant and the next waiter's grant follows.
    /// The gap between consecutive grants is the handoff latency (release by DeathWatch -> gate -> grant delivered),
    /// measured while at least `waiters` others stay queued behind.
    /// </summary>
    private static async Task<(double P50, double P99, double Max, int Queued, double QueueMs)> GrantLatencyAsync(
        ActorSystem system, int waiters, int measured)
    {
        var gate = system.ActorOf(ConnectGateActor.Props("bench-latency", 1, TimeSpan.FromHours(1)));
        var queued = waiters + measured + 1;
        var stamps = new long[queued + 1];
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var blocker = system.ActorOf(Props.Create(() => new Blocker(gate)));
        await blocker.Ask<SlotGranted>(Blocker.GetGrant.Instance, TimeSpan.FromSeconds(10));

        var watch = Stopwatch.StartNew();
        system.ActorOf(Props.Create(() => new WaiterSpawner(gate, queued, stamps, measured + 1, done)));
        while ((await gate.Ask<GateState>(GetGateState.Instance, TimeSpan.FromSeconds(30))).Queued < queued)
        {
            await Task.Delay(10);
        }

        var queueMs = watch.Elapsed.TotalMilliseconds;
        blocker.Tell(PoisonPill.Instance);
        await done.Task.WaitAsync(TimeSpan.FromMinutes(2));
        var gaps = Enumerable.Range(1, measured).Select(i => Stopwatch.GetElapsedTime(stamps[i - 1], stamps[i]).TotalMicroseconds).ToList();
        await gate.GracefulStop(TimeSpan.FromSeconds(30));
        return (Stats.Percentile(gaps, 50), Stats.Percentile(gaps, 99), gaps.Max(), queued, queueMs);
    }

    private sealed class CycleDriver : ReceiveActor
    {
        private readonly Props _holder;
        private readonly int _cycles;
        private readonly TaskCompletionSource _done;
        private int _spawned;
        private int _completed;

        public CycleDriver(IActorRef gate, int window, int cycles, TaskCompletionSource done)
        {
            _holder = Props.Create(() => new Holder(gate));
            _cycles = cycles;
            _done = done;
            Receive<Holder.Done>(_ =>
            {
                if (++_completed == _cycles)
                {
                    _done.TrySetResult();
                    Context.Stop(Self);
                }
                else if (_spawned < _cycles)
                {
                    Spawn();
                }
            });
            for (var i = 0; i < Math.Min(window, cycles); i++)
            {
                Spawn();
            }
        }

        private void Spawn()
        {
            _spawned++;
            Context.ActorOf(_holder);
        }
    }

    /// <summary>A zero-latency connection: asks for a slot and stops the moment it has one.</summary>
    private sealed class Holder : UntypedActor
    {
        private readonly IActorRef _gate;

        public Holder(IActorRef gate) => _gate = gate;

        protected override void PreStart() => _gate.Tell(new RequestSlot("AA:BB:CC:DD:EE:FF"));

        protected override void OnReceive(object message)
        {
            if (message is SlotGranted)
            {
                Context.Parent.Tell(Done.Instance);
                Context.Stop(Self);
            }
        }

        public sealed class Done
        {
            public static readonly Done Instance = new();
        }
    }

    private sealed class Blocker : UntypedActor
    {
        private readonly IActorRef _gate;
        private SlotGranted? _grant;
        private IActorRef? _asker;

        public Blocker(IActorRef gate) => _gate = gate;

        protected override void PreStart() => _gate.Tell(new RequestSlot("AA:BB:CC:DD:EE:00"));

        protected override void OnReceive(object message)
        {
            switch (message)
            {
                case SlotGranted g:
                    _grant = g;
                    _asker?.Tell(g);
                    break;
                case GetGrant:
                    _asker = Sender;
                    if (_grant is not null)
                    {
                        Sender.Tell(_grant);
                    }

                    break;
            }
        }

        public sealed class GetGrant
        {
            public static readonly GetGrant Instance = new();
        }
    }

    private sealed class WaiterSpawner : ReceiveActor
    {
        public WaiterSpawner(IActorRef gate, int count, long[] stamps, int toMeasure, TaskCompletionSource done)
        {
            var counter = new StrongBox(0);
            for (var i = 0; i < count; i++)
            {
                Context.ActorOf(Props.Create(() => new TimedWaiter(gate, stamps, counter, toMeasure, done)));
            }
        }
    }

    private sealed class StrongBox(int value)
    {
        public int Value = value;
    }

    private sealed class TimedWaiter : UntypedActor
    {
        private readonly IActorRef _gate;
        private readonly long[] _stamps;
        private readonly StrongBox _counter;
        private readonly int _toMeasure;
        private readonly TaskCompletionSource _done;

        public TimedWaiter(IActorRef gate, long[] stamps, StrongBox counter, int toMeasure, TaskCompletionSource done)
        {
            _gate = gate;
            _stamps = stamps;
            _counter = counter;
            _toMeasure = toMeasure;
            _done = done;
        }

        protected override void PreStart() => _gate.Tell(new RequestSlot("AA:BB:CC:DD:EE:01"));

        protected override void OnReceive(object message)
        {
            if (message is not SlotGranted)
            {
                return;
            }

            // One slot: grants are strictly sequential, so this counter is never raced.
            var index = _counter.Value++;
            if (index < _stamps.Length)
            {
                _stamps[index] = Stopwatch.GetTimestamp();
            }

            if (index + 1 == _toMeasure)
            {
                _done.TrySetResult();
            }

            Context.Stop(Self);
        }
    }
}
