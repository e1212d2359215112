using Akka.Actor;
using CommissioningActors.Core.Discovery;
using CommissioningActors.Core.Gate;
using CommissioningActors.Core.Jobs;
using CommissioningActors.Core.Proxies;
using CommissioningActors.Core.Streams;

namespace CommissioningActors.Core.Events;

public sealed record ProxyView(string Id, string Name, int Slots, int InUse, int Queued);

/// <summary>The subscribe_events snapshot: proxies with their slots, and job counts by status.</summary>
public sealed record InitialState(IReadOnlyList<ProxyView> Proxies, IReadOnlyDictionary<JobStatus, int> Jobs);

/// <summary>Sender gets InitialState, then live events (proxy, discovery, slot and job lifecycle records).</summary>
public sealed record SubscribeEvents
{
    public static readonly SubscribeEvents Instance = new();
}

/// <summary>The same snapshot without subscribing (server_info).</summary>
public sealed record GetInitialState
{
    public static readonly GetInitialState Instance = new();
}

/// <summary>
/// Keeps the state subscribe_events starts from, fed by the event stream, and hands it out in the same step
/// as the subscription. Repeated advertisements are not news: only a first sighting per (proxy, address) is.
/// </summary>
public sealed class EventHubActor : ReceiveActor, IWithTimers
{
    private readonly Dictionary<string, ProxyView> _proxies = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JobStatus> _jobs = new(StringComparer.Ordinal);
    // Matter sightings already announced, with when they were last seen (pruned like the registry's).
    private readonly Dictionary<(string ProxyId, string Address), DateTimeOffset> _seen = [];
    private readonly TimeSpan _forgetAfter;
    private readonly SubscriberSet _subscribers = new();

    public EventHubActor(TimeSpan? forgetAfter = null)
    {
        _forgetAfter = forgetAfter ?? TimeSpan.FromMinutes(10);
        Receive<Prune>(_ =>
        {
            var cutoff = DateTimeOffset.UtcNow - _forgetAfter;
            foreach (var key in _seen.Where(s => s.Value < cutoff).Select(s => s.Key).ToList())
            {
                _seen.Remove(key);
            }
        });
        Receive<ProxyConnected>(p =>
        {
            _proxies[p.ProxyId] = new ProxyView(p.ProxyId, p.Name, p.Slots, 0, 0);
            Publish(p);
        });
        Receive<ProxyDisconnected>(p =>
        {
            _proxies.Remove(p.ProxyId);
            foreach (var key in _seen.Keys.Where(k => k.ProxyId == p.ProxyId).ToList())
            {
                _seen.Remove(key);
            }

            Publish(p);
        });
        Receive<DeviceSeen>(d =>
        {
            // Only Matter devices are news for a commissioning dashboard; other advertisements would flood it.
            if (d.Matter is null)
            {
                return;
            }

            var isNew = !_seen.ContainsKey((d.ProxyId, d.Address));
            _seen[(d.ProxyId, d.Address)] = d.At;
            if (isNew)
            {
                Publish(d);
            }
        });
        Receive<SlotAcquired>(e => Occupancy(e.ProxyId, e.InUse, e.Queued, e));
        Receive<SlotReleased>(e => Occupancy(e.ProxyId, e.InUse, e.Queued, e));
        Receive<ConnectQueued>(e => Occupancy(e.ProxyId, e.InUse, e.Queued, e));
        Receive<JobLifecycleChanged>(e =>
        {
            _jobs[e.JobId] = e.State.Status;
            Publish(e);
        });
        Receive<JobEvicted>(e => _jobs.Remove(e.JobId));
        Receive<SubscribeEvents>(_ =>
        {
            Sender.Tell(Snapshot());
            _subscribers.Add(Sender, Context);
        });
        Receive<GetInitialState>(_ => Sender.Tell(Snapshot()));
        Receive<GetFollowerCount>(_ => Sender.Tell(new FollowerCount(_subscribers.Count)));
        Receive<Terminated>(t => _subscribers.Remove(t.ActorRef));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(TimeSpan? forgetAfter = null) => Akka.Actor.Props.Create(() => new EventHubActor(forgetAfter));

    protected override void PreStart()
    {
        Timers.StartPeriodicTimer(nameof(Prune), Prune.Instance, TimeSpan.FromTicks(Math.Max(_forgetAfter.Ticks / 4, TimeSpan.FromMilliseconds(10).Ticks)));
        foreach (var type in new[]
                 {
                     typeof(ProxyConnected), typeof(ProxyDisconnected), typeof(DeviceSeen), typeof(SlotAcquired),
                     typeof(SlotReleased), typeof(ConnectQueued), typeof(JobLifecycleChanged), typeof(JobEvicted),
                 })
        {
            Context.System.EventStream.Subscribe(Self, type);
        }
    }

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);

    private void Occupancy(string proxyId, int inUse, int queued, object e)
    {
        if (_proxies.TryGetValue(proxyId, out var view))
        {
            _proxies[proxyId] = view with { InUse = inUse, Queued = queued };
        }

        Publish(e);
    }

    private InitialState Snapshot() => new(
        _proxies.Values.OrderBy(p => p.Id, StringComparer.Ordinal).ToList(),
        _jobs.Values.GroupBy(s => s).ToDictionary(g => g.Key, g => g.Count()));

    private void Publish(object e) => _subscribers.Publish(e, Self);

    private sealed record Prune
    {
        public static readonly Prune Instance = new();
    }
}
