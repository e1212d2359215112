using Akka.Actor;
using Akka.Event;
using CommissioningActors.Protocol.BleProxy;
using CommissioningActors.Protocol.Matter;
using CommissioningActors.Protocol.Text;

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

/// <summary>
/// Published on the event stream when the registry decides a sighting is a new physical device (see
/// <see cref="KnownDevices"/>); the event hub announces exactly these as device_discovered.
/// </summary>
public sealed record NewDeviceDiscovered(DeviceSeen Sighting);

/// <summary>
/// A proxy's raw advertisement report, as the transport received it (address validated by the codec, name
/// untrusted). The registry works out what it means: Matter service data, the escaped name.
/// </summary>
public sealed record AdvertisementReceived(string ProxyId, IActorRef Proxy, DeviceDiscovered Advertisement, DateTimeOffset At);

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
/// Sightings of a proxy are forgotten when its session stops. Memory is bounded: at most
/// MaxSightingsPerProxy per proxy and MaxSightings in total, the stalest evicted first, so a proxy reporting
/// a flood of random addresses only churns its own share. The "discovered" log line is rate-limited.
/// </summary>
public sealed class DiscoveryRegistryActor : ReceiveActor, IWithTimers
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly SightingTable<Sighting> _seen;
    private readonly KnownDevices _devices = new();
    private readonly Dictionary<IActorRef, string> _proxies = [];
    private readonly Dictionary<IActorRef, WatchDevice> _watchers = [];
    private readonly HashSet<string> _warnedFull = new(StringComparer.Ordinal);
    private readonly DiscoverySettings _settings;
    private readonly RateWindow _logBudget;

    public DiscoveryRegistryActor(DiscoverySettings settings)
    {
        _settings = settings;
        _seen = new SightingTable<Sighting>(settings.MaxSightingsPerProxy, settings.MaxSightings, gone => _devices.Remove(gone.Matter));
        _logBudget = new RateWindow(settings.LogPerWindow, settings.LogWindow);
        Receive<Prune>(_ => _seen.RemoveOlderThan(DateTimeOffset.UtcNow - _settings.ForgetAfter));
        Receive<AdvertisementReceived>(a => OnSeen(Interpret(a)));
        Receive<DeviceSeen>(OnSeen);
        Receive<GetDiscoveries>(_ => Sender.Tell(new DiscoveriesSnapshot(_seen.Values.ToList())));
        Receive<WatchDevice>(watch =>
        {
            _watchers[Sender] = watch;
            Context.Watch(Sender);
            Sender.Tell(new MatchingDevices(_seen.Values.Where(d => d.Matter?.Matches(watch.Discriminator, watch.IsShort) == true).ToList()));
        });
        // A block body: a lambda returning bool would be Akka's "handled?" overload, and a second unwatch unhandled.
        Receive<UnwatchDevice>(_ =>
        {
            _watchers.Remove(Sender);
        });
        Receive<FlushLogSummary>(_ =>
        {
            var suppressed = _logBudget.TakeSuppressed();
            if (suppressed > 0)
            {
                _log.Info("{0} more discovered Matter device(s) not logged in the last {1} (at most {2} logged per window); {3} sighting(s) kept",
                    suppressed, _settings.LogWindow, _settings.LogPerWindow, _seen.Count);
            }
        });
        Receive<Terminated>(t =>
        {
            _watchers.Remove(t.ActorRef);
            if (_proxies.Remove(t.ActorRef, out var proxyId))
            {
                _seen.RemoveProxy(proxyId);
                _warnedFull.Remove(proxyId);
            }
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(DiscoverySettings? settings = null) =>
        Akka.Actor.Props.Create(() => new DiscoveryRegistryActor(settings ?? DiscoverySettings.Default));

    protected override void PreStart()
    {
        var every = TimeSpan.FromTicks(Math.Max(_settings.ForgetAfter.Ticks / 4, TimeSpan.FromMilliseconds(10).Ticks));
        Timers.StartPeriodicTimer(nameof(Prune), Prune.Instance, every);
    }

    private static DeviceSeen Interpret(AdvertisementReceived received)
    {
        var ad = received.Advertisement;
        MatterAdvertisement? matter = null;
        if (ad.ServiceData.TryGetValue(MatterBle.ServiceUuid, out var serviceData))
        {
            var parsed = MatterAdvertisement.Parse(serviceData);
            matter = parsed.IsOk ? parsed.Value : null;
        }

        // The name is free text, kept short and escaped (BLE names are <= 248 bytes).
        return new DeviceSeen(received.ProxyId, received.Proxy, ad.Address, ad.Rssi, PeerText.Escape(ad.Name, 64), ad.Connectable,
            matter, received.At);
    }

    private void OnSeen(DeviceSeen seen)
    {
        if (_proxies.TryAdd(seen.Proxy, seen.ProxyId))
        {
            Context.Watch(seen.Proxy);
        }

        // Decided here and only here: the event hub announces what this says is new.
        var isNewDevice = seen.Matter is { } advertised && !_devices.Contains(advertised);
        _seen.TryGetValue(seen.ProxyId, seen.Address, out var previous);
        var evictedBefore = _seen.Evicted;
        var isNew = _seen.Upsert(seen.ProxyId, seen.Address, new Sighting(seen.Address, seen.ProxyId, seen.Proxy, seen.Rssi, seen.Name,
            seen.Connectable, seen.Matter, seen.At), seen.At);
        // A refreshed entry replaced its value without leaving the table: move its count to the new identity.
        if (!isNew)
        {
            _devices.Remove(previous?.Matter);
        }

        _devices.Add(seen.Matter);
        if (_seen.Evicted > evictedBefore && _warnedFull.Add(seen.ProxyId))
        {
            _log.Warning("Proxy {0}: more than {1} devices seen (at most {2} kept in total); evicting the stalest sightings",
                seen.ProxyId, _settings.MaxSightingsPerProxy, _settings.MaxSightings);
        }

        if (isNewDevice && seen.Matter is { } m)
        {
            if (_logBudget.TryTake(Context.System.Scheduler.Now))
            {
                _log.Info("Proxy {0} discovered Matter device {1} (discriminator {2}, vendor 0x{3:X4}, product 0x{4:X4}, RSSI {5})",
                    seen.ProxyId, seen.Address, m.Discriminator, m.VendorId, m.ProductId, seen.Rssi?.ToString() ?? "?");
            }
            else if (!Timers.IsTimerActive(nameof(FlushLogSummary)))
            {
                Timers.StartSingleTimer(nameof(FlushLogSummary), FlushLogSummary.Instance, _settings.LogWindow);
            }
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
        if (isNewDevice)
        {
            Context.System.EventStream.Publish(new NewDeviceDiscovered(seen));
        }
    }

    private sealed record Prune
    {
        public static readonly Prune Instance = new();
    }

    private sealed record FlushLogSummary
    {
        public static readonly FlushLogSummary Instance = new();
    }
}
