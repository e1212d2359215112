using Akka.Actor;
using CommissioningActors.Core.Discovery;
using CommissioningActors.Core.Gate;
using CommissioningActors.Core.Jobs;
using CommissioningActors.Core.Matter.Fabric;
using CommissioningActors.Core.Proxies;
using CommissioningActors.Core.Streams;

namespace CommissioningActors.Core.Events;

/// <summary>A proxy as a dashboard shows it: its name and slot source from ProxyConnected, its slots from the GateState its gate published.</summary>
public sealed record ProxyView(string Id, string Name, int Slots, int InUse, int Queued, SlotsSource SlotsSource = SlotsSource.Default);

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
/// Sent to subscribers instead of discoveries over the per-window budget: how many new devices were held back
/// in the last window (they are not announced later; the registry still knows them).
/// </summary>
public sealed record DiscoveriesSuppressed(long Count, TimeSpan Window);

/// <summary>
/// Keeps the state subscribe_events starts from, fed by the event stream, and hands it out in the same step
/// as the subscription. Which sighting is a new device is the discovery registry's decision (NewDeviceDiscovered);
/// the hub only limits how many it passes on: at most AnnouncePerWindow per window, so a discovery flood
/// reaches a dashboard as a few events and one DiscoveriesSuppressed per window instead of overflowing (and
/// closing) every follower.
/// </summary>
public sealed class EventHubActor : ReceiveActor, IWithTimers
{
    private readonly Dictionary<string, ProxyConnected> _proxies = new(StringComparer.Ordinal);
    // The last state each gate published, verbatim: the gate owns the counts, the hub only relays them.
    private readonly Dictionary<string, GateState> _gates = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JobStatus> _jobs = new(StringComparer.Ordinal);
    private readonly RateWindow _announceBudget;
    private readonly DiscoverySettings _settings;
    private readonly SubscriberSet _subscribers = new();

    public EventHubActor(DiscoverySettings settings)
    {
        _settings = settings;
        _announceBudget = new RateWindow(settings.AnnouncePerWindow, settings.AnnounceWindow);
        Receive<ProxyConnected>(p =>
        {
            _proxies[p.ProxyId] = p;
            Publish(p);
        });
        Receive<ProxyDisconnected>(p =>
        {
            _proxies.Remove(p.ProxyId);
            _gates.Remove(p.ProxyId);
            Publish(p);
        });
        Receive<NewDeviceDiscovered>(OnNewDevice);
        Receive<FlushSuppressed>(_ =>
        {
            if (_announceBudget.TakeSuppressed() is > 0 and var suppressed)
            {
                Publish(new DiscoveriesSuppressed(suppressed, _settings.AnnounceWindow));
            }
        });
        // Only for listed proxies: before ProxyConnected nothing can hold a lease (attempts learn the gate from
        // the manager after the handshake), and a state arriving after ProxyDisconnected must not bring it back.
        Receive<GateState>(g =>
        {
            if (_proxies.ContainsKey(g.ProxyId))
            {
                _gates[g.ProxyId] = g;
            }
        });
        Receive<SlotAcquired>(Publish);
        Receive<SlotReleased>(Publish);
        Receive<ConnectQueued>(Publish);
        Receive<JobLifecycleChanged>(e =>
        {
            _jobs[e.JobId] = e.State.Status;
            Publish(e);
        });
        Receive<JobEvicted>(e => _jobs.Remove(e.JobId));
        Receive<NodeAdded>(Publish);
        Receive<NodeUpdated>(Publish);
        Receive<NodeRemoved>(Publish);
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

    public static Props Props(DiscoverySettings? settings = null) =>
        Akka.Actor.Props.Create(() => new EventHubActor(settings ?? DiscoverySettings.Default));

    protected override void PreStart() => SubscribeTo(Context.System.EventStream, Self);

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);

    /// <summary>
    /// Subscribes the hub to what it reports. The host calls this right after creating the hub, before any socket is
    /// served: PreStart runs later on the hub's own thread, and a proxy that connects first would never be listed.
    /// Subscribing twice is a no-op.
    /// </summary>
    public static void SubscribeTo(Akka.Event.EventStream stream, IActorRef hub)
    {
        foreach (var type in new[]
                 {
                     typeof(ProxyConnected), typeof(ProxyDisconnected), typeof(NewDeviceDiscovered), typeof(GateState), typeof(SlotAcquired),
                     typeof(SlotReleased), typeof(ConnectQueued), typeof(JobLifecycleChanged), typeof(JobEvicted),
                     typeof(NodeAdded), typeof(NodeUpdated), typeof(NodeRemoved),
                 })
        {
            stream.Subscribe(hub, type);
        }
    }

    private void OnNewDevice(NewDeviceDiscovered discovered)
    {
        // Over budget: counted in the next DiscoveriesSuppressed instead.
        if (!_announceBudget.TryTake(Context.System.Scheduler.Now))
        {
            if (!Timers.IsTimerActive(nameof(FlushSuppressed)))
            {
                Timers.StartSingleTimer(nameof(FlushSuppressed), FlushSuppressed.Instance, _settings.AnnounceWindow);
            }

            return;
        }

        Publish(discovered);
    }

    private InitialState Snapshot() => new(
        _proxies.Values.OrderBy(p => p.ProxyId, StringComparer.Ordinal).Select(View).ToList(),
        _jobs.Values.GroupBy(s => s).ToDictionary(g => g.Key, g => g.Count()));

    private ProxyView View(ProxyConnected p) => _gates.TryGetValue(p.ProxyId, out var g)
        ? new ProxyView(p.ProxyId, p.Name, g.Slots, g.InUse, g.Queued, p.SlotsSource)
        : new ProxyView(p.ProxyId, p.Name, p.Slots, 0, 0, p.SlotsSource);

    private void Publish(object e) => _subscribers.Publish(e, Self);

    private sealed record FlushSuppressed
    {
        public static readonly FlushSuppressed Instance = new();
    }
}
