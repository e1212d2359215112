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
public sealed class EventHubActor : ReceiveActor
{
    private readonly Dictionary<string, ProxyView> _proxies = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JobStatus> _jobs = new(StringComparer.Ordinal);
    private readonly HashSet<(string ProxyId, string Address)> _seen = [];
    private readonly SubscriberSet _subscribers = new();

    public EventHubActor()
    {
        Receive<ProxyConnected>(p =>
        {
            _proxies[p.ProxyId] = new ProxyView(p.ProxyId, p.Name, p.Slots, 0, 0);
            Publish(p);
        });
        Receive<ProxyDisconnected>(p =>
        {
            _proxies.Remove(p.ProxyId);
            _seen.RemoveWhere(s => s.ProxyId == p.ProxyId);
            Publish(p);
        });
        Receive<DeviceSeen>(d =>
        {
            if (_seen.Add((d.ProxyId, d.Address)))
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

    public static Props Props() => Akka.Actor.Props.Create(() => new EventHubActor());

    protected override void PreStart()
    {
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
}
