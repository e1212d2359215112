using Akka.Actor;
using CommissioningActors.Core.Connections;
using CommissioningActors.Core.Discovery;
using CommissioningActors.Core.Gate;
using CommissioningActors.Core.Proxies;
using CommissioningActors.Protocol.BleProxy;

namespace CommissioningActors.Core.Commissioning;

/// <summary>
/// Routing: a round asks the proxy manager which proxies are ready (and where their gates are), asks those
/// gates for their state (the gate owns it; nobody keeps a copy), then starts the connections each device
/// wants, each on its best-scored route with the others as fallbacks.
/// </summary>
public sealed partial class CommissioningAttemptActor
{
    // How long a round waits for gate states before routing with those it has (a gate that stopped never answers).
    private static readonly TimeSpan GateStateWait = TimeSpan.FromSeconds(2);

    private readonly Dictionary<DeviceKey, DeviceProgress> _devices = [];
    private readonly Dictionary<(string Address, string ProxyId), int> _ownFailures = [];
    private readonly Dictionary<string, GateState> _gateStates = new(StringComparer.Ordinal);
    private readonly HashSet<string> _awaitedGates = new(StringComparer.Ordinal);
    private Dictionary<string, ProxyInfo> _ready = new(StringComparer.Ordinal);

    // Proxies ready at the last routing; a candidate only they did not see cannot be tried.
    private HashSet<string> _readyProxies = new(StringComparer.Ordinal);
    private RoutingPhase _routing;
    private bool _routeAgain;
    private long _round;

    private enum RoutingPhase
    {
        Idle,
        AwaitingProxies,
        AwaitingGates,
    }

    /// <summary>Per physical device: how many more connects it wants, how many run, whether a link is up.</summary>
    private sealed class DeviceProgress
    {
        public int Wanted { get; set; }
        public int Running { get; set; }
        public int Up { get; set; }
    }

    private bool AllAtOnce => _settings.Policy == ConnectPolicy.AllAtOnce;

    private int MaxPerDevice => AllAtOnce ? int.MaxValue : _settings.MaxConnectsPerDevice;

    private void OnSettled()
    {
        foreach (var key in _candidates.Values.Select(c => DeviceKey.Of(c.Values.First())).Distinct())
        {
            Want(key, 0);
        }

        RequestRouting();
    }

    /// <summary>A device's first want is one connect (every address under all-at-once); more is added to it.</summary>
    private void Want(DeviceKey key, int more)
    {
        if (!_devices.TryGetValue(key, out var device))
        {
            _devices[key] = device = new DeviceProgress { Wanted = AllAtOnce ? int.MaxValue : 1 };
            if (_devices.Count > 1)
            {
                Output($"Another device answers to this discriminator ({key}); it is tried too");
            }

            return;
        }

        if (!AllAtOnce)
        {
            device.Wanted += more;
        }
    }

    private void RequestRouting()
    {
        if (_routing != RoutingPhase.Idle)
        {
            _routeAgain = true;
            return;
        }

        _routing = RoutingPhase.AwaitingProxies;
        _proxies.Tell(GetProxies.Instance);
    }

    private void OnProxyList(ProxyList list)
    {
        if (_ended)
        {
            return;
        }

        Timers.Cancel(nameof(ScanTimedOut));
        if (_candidates.Count == 0)
        {
            // Only reached from the scan timeout.
            End(list.Proxies.Any(p => p.Ready)
                ? new AttemptFailed(_request.AttemptId, BleErrorCodes.DeviceNotFound,
                    $"no Matter device with that discriminator was seen within {_settings.ScanTimeout.TotalSeconds:0} s " +
                    $"by {list.Proxies.Count(p => p.Ready)} proxy(ies); is it powered, in pairing mode and in range?")
                : new AttemptFailed(_request.AttemptId, AttemptErrorCodes.NoProxy,
                    "no BLE proxy is connected; connect a proxy client to /ble"));
            return;
        }

        _connecting = true;
        _ready = list.Proxies.Where(p => p.Ready && p.Gate is not null).ToDictionary(p => p.Id, StringComparer.Ordinal);
        _readyProxies = _ready.Keys.ToHashSet(StringComparer.Ordinal);

        // Ask only the gates of proxies that saw an address some device may still want.
        _gateStates.Clear();
        _awaitedGates.Clear();
        foreach (var proxyId in _candidates.Where(c => !_tried.Contains(c.Key)).SelectMany(c => c.Value.Keys).Distinct())
        {
            if (_ready.TryGetValue(proxyId, out var proxy) && _awaitedGates.Add(proxyId))
            {
                proxy.Gate!.Tell(GetGateState.Instance);
            }
        }

        if (_awaitedGates.Count == 0)
        {
            Launch();
            return;
        }

        _routing = RoutingPhase.AwaitingGates;
        _round++;
        Timers.StartSingleTimer(nameof(GateStatesTimedOut), new GateStatesTimedOut(_round), GateStateWait);
    }

    private void OnGateState(GateState state)
    {
        if (_routing != RoutingPhase.AwaitingGates || !_awaitedGates.Remove(state.ProxyId))
        {
            return;
        }

        _gateStates[state.ProxyId] = state;
        if (_awaitedGates.Count == 0)
        {
            Timers.Cancel(nameof(GateStatesTimedOut));
            Launch();
        }
    }

    private void OnGateStatesTimedOut(long round)
    {
        if (_routing == RoutingPhase.AwaitingGates && round == _round)
        {
            Launch();
        }
    }

    /// <summary>Starts, per device, the connects it wants and may have, on the best routes; then ends the round.</summary>
    private void Launch()
    {
        _routing = RoutingPhase.Idle;
        if (_ended)
        {
            return;
        }

        var planned = new Dictionary<string, int>(StringComparer.Ordinal);
        var now = DateTimeOffset.UtcNow;
        foreach (var group in _candidates.Where(c => !_tried.Contains(c.Key)).GroupBy(c => DeviceKey.Of(c.Value.Values.First())).ToList())
        {
            Want(group.Key, 0);
            var device = _devices[group.Key];
            foreach (var address in CandidateOrder.Order(group, now, _settings.FreshnessResolution ?? CandidateOrder.DefaultResolution).ToList())
            {
                if (device.Wanted <= 0 || device.Running >= MaxPerDevice)
                {
                    break;
                }

                if (StartConnection(group.Key, device, address, planned))
                {
                    device.Wanted--;
                }
            }

            // What could not start now waits (clamped to the room left) for a new sighting, route or failure.
            device.Wanted = AllAtOnce ? int.MaxValue : Math.Min(device.Wanted, Math.Max(0, MaxPerDevice - device.Running));
        }

        if (_connections.Count > 0)
        {
            _reportTo.Tell(new AttemptProgress(_request.AttemptId, "connecting", _candidates.Count, _connections.Count));
        }

        if (_routeAgain)
        {
            _routeAgain = false;
            RequestRouting();
            return;
        }

        EndIfNothingLeft();
    }

    private bool StartConnection(DeviceKey key, DeviceProgress device, string address, Dictionary<string, int> planned)
    {
        var routes = RouteScorer.Rank(_candidates[address].Values, _ready, _gateStates, planned,
            proxyId => _ownFailures.GetValueOrDefault((address, proxyId)));
        if (routes.Count == 0)
        {
            return false;
        }

        var best = routes[0];
        var proxy = best.Proxy;
        _tried.Add(address);
        planned[proxy.Id] = planned.GetValueOrDefault(proxy.Id) + 1;
        device.Running++;
        var fallbacks = routes.Skip(1).Select(r => new ConnectionRoute(r.Proxy.Id, r.Proxy.Session, r.Proxy.Gate!)).ToList();
        var target = new ConnectionTarget(address, proxy.Id, proxy.Session, proxy.Gate!, best.Sighting.Matter, fallbacks);
        var child = Context.ActorOf(BleConnectionActor.Props(target, _connectionSettings), $"connection-{_tried.Count}");
        _connections[Context.Watch(child)] = address;
        _deviceOf[child] = key;
        var gate = best.Gate;
        Output(gate is null ? $"Trying {address} via {proxy.Id}"
            : best.HasFreeSlot ? $"Trying {address} via {proxy.Id} ({gate.InUse}/{gate.Slots} slot(s) taken)"
            : $"Trying {address} via {proxy.Id}: waits for a connection slot ({gate.InUse + gate.Queued - gate.Slots + 1} ahead in the queue)");
        return true;
    }

    private readonly Dictionary<IActorRef, DeviceKey> _deviceOf = [];
    private readonly HashSet<IActorRef> _up = [];

    private void OnConnectStarted(ConnectStarted started)
    {
        if (AllAtOnce || _ended || !_deviceOf.TryGetValue(Sender, out var key) || _devices[key].Up > 0)
        {
            return;
        }

        // The hedge clock runs from the connect leaving, not from joining a gate's queue.
        var delay = _settings.HedgeAfter(_gateStates.GetValueOrDefault(started.ProxyId)?.TypicalConnect);
        Timers.StartSingleTimer(("hedge", key), new HedgeDue(key, delay), delay);
    }

    private void OnConnectionUp(ConnectionUp up)
    {
        if (_deviceOf.TryGetValue(Sender, out var key) && _up.Add(Sender))
        {
            _devices[key].Up++;
            Timers.Cancel(("hedge", key));
        }
    }

    private void OnHedgeDue(HedgeDue due)
    {
        var device = _devices[due.Device];
        if (_ended || device.Up > 0 || device.Running >= MaxPerDevice)
        {
            return;
        }

        if (!_candidates.Any(c => !_tried.Contains(c.Key) && DeviceKey.Of(c.Value.Values.First()) == due.Device))
        {
            return;
        }

        Output($"No link to the device {due.After.TotalMilliseconds:0} ms after its connect went out: hedging with its next address");
        device.Wanted++;
        RequestRouting();
    }

    private void OnConnectionStopped(IActorRef connection)
    {
        _connections.Remove(connection);
        if (_deviceOf.Remove(connection, out var key))
        {
            var device = _devices[key];
            device.Running--;
            if (_up.Remove(connection))
            {
                device.Up--;
            }

            // A failed connection (the winner ends the attempt first) makes room for the next address at once.
            Want(key, 1);
            if (!_ended && _candidates.Any(c => !_tried.Contains(c.Key) && DeviceKey.Of(c.Value.Values.First()) == key))
            {
                RequestRouting();
                return;
            }
        }

        EndIfNothingLeft();
    }
}
