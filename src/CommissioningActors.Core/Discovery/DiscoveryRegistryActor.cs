using Akka.Actor;
using Akka.Event;
using CommissioningActors.Protocol.Matter;

namespace CommissioningActors.Core.Discovery;

/// <summary>An advertisement seen by one proxy.</summary>
public sealed record DeviceSeen(
    string ProxyId,
    IActorRef Proxy,
    string Address,
    int? Rssi,
    string? Name,
    bool Connectable,
    MatterAdvertisement? Matter,
    DateTimeOffset At);

/// <summary>What the registry remembers per (address, proxy): the latest sighting.</summary>
public sealed record Sighting(
    string Address,
    string ProxyId,
    IActorRef Proxy,
    int? Rssi,
    string? Name,
    bool Connectable,
    MatterAdvertisement? Matter,
    DateTimeOffset LastSeen);

public sealed record GetDiscoveries
{
    public static readonly GetDiscoveries Instance = new();
}

public sealed record DiscoveriesSnapshot(IReadOnlyList<Sighting> Discoveries);

/// <summary>
/// Subscribe to a Matter discriminator: the reply is MatchingDevices (what is known now), then every later
/// matching DeviceSeen, in one handling step so nothing falls between snapshot and live. Ends with
/// UnwatchDevice or the watcher's death.
/// </summary>
public sealed record WatchDevice(ushort Discriminator, bool IsShort);

public sealed record UnwatchDevice
{
    public static readonly UnwatchDevice Instance = new();
}

public sealed record MatchingDevices(IReadOnlyList<Sighting> Current);

/// <summary>
/// Remembers, per peripheral address, which proxies saw it, their RSSI and its parsed Matter advertisement.
/// Sightings of a proxy are forgotten when its session stops.
/// </summary>
public sealed class DiscoveryRegistryActor : ReceiveActor, IWithTimers
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<(string Address, string ProxyId), Sighting> _seen = [];
    private readonly Dictionary<IActorRef, string> _proxies = [];
    private readonly Dictionary<IActorRef, WatchDevice> _watchers = [];

    private readonly TimeSpan _forgetAfter;

    /// <param name="forgetAfter">Sightings not refreshed for this long are dropped (devices rotate addresses).</param>
    public DiscoveryRegistryActor(TimeSpan? forgetAfter = null)
    {
        _forgetAfter = forgetAfter ?? TimeSpan.FromMinutes(10);
        Receive<Prune>(_ =>
        {
            var cutoff = DateTimeOffset.UtcNow - _forgetAfter;
            foreach (var key in _seen.Where(s => s.Value.LastSeen < cutoff).Select(s => s.Key).ToList())
            {
                _seen.Remove(key);
            }
        });
        Receive<DeviceSeen>(OnSeen);
        Receive<GetDiscoveries>(_ => Sender.Tell(new DiscoveriesSnapshot(_seen.Values.ToList())));
        Receive<WatchDevice>(watch =>
        {
            _watchers[Sender] = watch;
            Context.Watch(Sender);
            Sender.Tell(new MatchingDevices(_seen.Values.Where(d => d.Matter?.Matches(watch.Discriminator, watch.IsShort) == true).ToList()));
        });
        Receive<UnwatchDevice>(_ => _watchers.Remove(Sender));
        Receive<Terminated>(t =>
        {
            _watchers.Remove(t.ActorRef);
            if (_proxies.Remove(t.ActorRef, out var proxyId))
            {
                foreach (var key in _seen.Keys.Where(k => k.ProxyId == proxyId).ToList())
                {
                    _seen.Remove(key);
                }
            }
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(TimeSpan? forgetAfter = null) => Akka.Actor.Props.Create(() => new DiscoveryRegistryActor(forgetAfter));

    protected override void PreStart()
    {
        var every = TimeSpan.FromTicks(Math.Max(_forgetAfter.Ticks / 4, TimeSpan.FromMilliseconds(10).Ticks));
        Timers.StartPeriodicTimer(nameof(Prune), Prune.Instance, every);
    }

    private void OnSeen(DeviceSeen seen)
    {
        if (_proxies.TryAdd(seen.Proxy, seen.ProxyId))
        {
            Context.Watch(seen.Proxy);
        }

        var key = (seen.Address, seen.ProxyId);
        var isNew = !_seen.ContainsKey(key);
        _seen[key] = new Sighting(seen.Address, seen.ProxyId, seen.Proxy, seen.Rssi, seen.Name, seen.Connectable,
            seen.Matter, seen.At);
        if (isNew && seen.Matter is { } m)
        {
            _log.Info("Proxy {0} discovered Matter device {1} (discriminator {2}, vendor 0x{3:X4}, product 0x{4:X4}, RSSI {5})",
                seen.ProxyId, seen.Address, m.Discriminator, m.VendorId, m.ProductId, seen.Rssi?.ToString() ?? "?");
        }

        if (seen.Matter is { } matter)
        {
            foreach (var (watcher, watch) in _watchers)
            {
                if (matter.Matches(watch.Discriminator, watch.IsShort))
                {
                    watcher.Tell(seen);
                }
            }
        }

        Context.System.EventStream.Publish(seen);
    }

    private sealed record Prune
    {
        public static readonly Prune Instance = new();
    }
}
