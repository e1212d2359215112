using Akka.Actor;
using CommissioningActors.Core.Connections;
using CommissioningActors.Core.Discovery;
using CommissioningActors.Core.Gate;
using CommissioningActors.Core.Matter.Commissioning;
using CommissioningActors.Core.Matter.Network;
using CommissioningActors.Core.Proxies;
using CommissioningActors.Protocol.BleProxy;
using CommissioningActors.Protocol.Text;

namespace CommissioningActors.Core.Commissioning;

/// <summary>
/// One per commission request. Scans for the discriminator and collects candidate addresses for the settle
/// window; addresses with the same discriminator, vendor and product are one physical device (a rotating
/// address shows up several times, possibly through several proxies). Per device it connects one address at a
/// time, freshest and strongest first, through the best-scored proxy (RouteScorer, from the gates' own state),
/// and hedges with the next address when no link is up after the hedge delay or when a connect fails, never
/// more than MaxConnectsPerDevice at once (policy all-at-once: every address at once). The first open BTP
/// session wins; the other connections are cancelled, which frees their slots.
/// Tells its parent (the supervisor) AttemptStarted / AttemptEnded. Routing is in the .Routing part.
/// </summary>
public sealed partial class CommissioningAttemptActor : ReceiveActor, IWithTimers
{
    private const int MaxLine = 1024;

    private readonly CommissionRequest _request;
    private readonly IActorRef _discovery;
    private readonly IActorRef _proxies;
    private readonly IActorRef _reportTo;
    private readonly AttemptSettings _settings;
    private readonly ConnectionSettings _connectionSettings;
    private readonly MatterServices? _matter;
    private readonly CommissioningNetworks? _networks;

    // Address -> sightings by proxy; the candidates found so far.
    private readonly Dictionary<string, Dictionary<string, Sighting>> _candidates = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _tried = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<IActorRef, string> _connections = [];
    private readonly List<ConnectionFailed> _failures = [];
    private bool _connecting;
    private bool _ended;

    public CommissioningAttemptActor(CommissionRequest request, IActorRef discovery, IActorRef proxies, IActorRef reportTo,
        AttemptSettings settings, ConnectionSettings connectionSettings, MatterServices? matter = null, CommissioningNetworks? networks = null)
    {
        _matter = matter;
        _networks = networks;
        _request = request;
        _discovery = discovery;
        _proxies = proxies;
        _reportTo = reportTo;
        _settings = settings;
        _connectionSettings = connectionSettings;

        Receive<MatchingDevices>(m =>
        {
            foreach (var sighting in m.Current)
            {
                OnSighting(sighting);
            }
        });
        Receive<DeviceSeen>(seen => OnSighting(new Sighting(seen.Address, seen.ProxyId, seen.Proxy, seen.Rssi, seen.Name,
            seen.Connectable, seen.Matter, seen.At)));
        Receive<SettleElapsed>(_ => OnSettled());
        Receive<ProxyList>(OnProxyList);
        Receive<GateState>(OnGateState);
        Receive<GateStatesTimedOut>(t => OnGateStatesTimedOut(t.Round));
        Receive<HedgeDue>(OnHedgeDue);
        Receive<ScanTimedOut>(_ => _proxies.Tell(GetProxies.Instance));
        Receive<ConnectionProgress>(p => Output(p.Line));
        Receive<ConnectStarted>(OnConnectStarted);
        Receive<ConnectionUp>(OnConnectionUp);
        Receive<ConnectionFailed>(OnConnectionFailed);
        Receive<ConnectionEstablished>(OnEstablished);
        Receive<Terminated>(t => OnConnectionStopped(t.ActorRef));
        Receive<AttemptTimedOut>(_ => End(new AttemptFailed(_request.AttemptId, BleErrorCodes.Timeout,
            $"commissioning did not finish within {Timeout.TotalSeconds:0} s{LastErrorSuffix()}")));
        Receive<CancelAttempt>(c => End(new AttemptCancelled(_request.AttemptId, c.Reason)));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private TimeSpan Timeout => _request.Timeout ?? _settings.DefaultTimeout;

    /// <param name="matter">Set (with the stored <paramref name="networks"/>): the winning link carries the commissioning flow. Null: the attempt ends at the BTP handshake.</param>
    public static Props Props(CommissionRequest request, IActorRef discovery, IActorRef proxies, IActorRef reportTo,
        AttemptSettings settings, ConnectionSettings connectionSettings, MatterServices? matter = null, CommissioningNetworks? networks = null) =>
        Akka.Actor.Props.Create(() => new CommissioningAttemptActor(request, discovery, proxies, reportTo, settings, connectionSettings, matter, networks));

    // A restarted connection would ask for a second lease; stopped, its lease goes back by DeathWatch.
    protected override SupervisorStrategy SupervisorStrategy() => Akka.Actor.SupervisorStrategy.StoppingStrategy;

    protected override void PreStart()
    {
        Context.Parent.Tell(new AttemptStarted(_request.AttemptId));
        Timers.StartSingleTimer(nameof(AttemptTimedOut), AttemptTimedOut.Instance, Timeout);
        Timers.StartSingleTimer(nameof(ScanTimedOut), ScanTimedOut.Instance, _settings.ScanTimeout);
        var payload = _request.Payload;
        Output(payload.IsShortDiscriminator
            ? $"Scanning for a Matter device with short discriminator {payload.ShortDiscriminator}"
            : $"Scanning for a Matter device with discriminator {payload.Discriminator}");
        _discovery.Tell(new WatchDevice(payload.Discriminator, payload.IsShortDiscriminator));
        _reportTo.Tell(new AttemptProgress(_request.AttemptId, "scanning", 0, 0));
    }

    private void OnSighting(Sighting d)
    {
        if (_ended || !d.Connectable
            || (_request.Addresses is { Count: > 0 } only && !only.Contains(d.Address, StringComparer.OrdinalIgnoreCase)))
        {
            return;
        }

        if (!_candidates.TryGetValue(d.Address, out var byProxy))
        {
            if (_candidates.Count >= _settings.MaxCandidates)
            {
                return;
            }

            _candidates[d.Address] = byProxy = [];
            Output($"Found {d.Address} via {d.ProxyId} (RSSI {d.Rssi?.ToString() ?? "?"})");
            if (_candidates.Count == 1)
            {
                // Give rotating addresses and other proxies a moment to show up, then start.
                Timers.StartSingleTimer(nameof(SettleElapsed), SettleElapsed.Instance, _settings.CandidateSettle);
            }
        }

        var newRoute = byProxy.TryAdd(d.ProxyId, d);
        if (!newRoute)
        {
            byProxy[d.ProxyId] = d;
        }

        // A new address, or an untried one a further proxy now sees (its earlier proxy may not be ready):
        // route it if its device wants a connect. Repeated advertisements through a known proxy change nothing.
        if (_connecting && newRoute && !_tried.Contains(d.Address))
        {
            Want(DeviceKey.Of(d), 0);
            RequestRouting();
        }
    }

    private void OnConnectionFailed(ConnectionFailed failed)
    {
        _failures.Add(failed);
        _ownFailures[(failed.Address, failed.ProxyId)] = _ownFailures.GetValueOrDefault((failed.Address, failed.ProxyId)) + 1;
        Output($"{failed.Address} via {failed.ProxyId}: {failed.ErrorCode}: {failed.Message}");
    }

    private void EndIfNothingLeft()
    {
        // An untried candidate that no ready proxy saw would otherwise hold the attempt until its overall timeout.
        if (_ended || !_connecting || _routing != RoutingPhase.Idle || _connections.Count > 0
            || _candidates.Any(c => !_tried.Contains(c.Key) && c.Value.Keys.Any(_readyProxies.Contains)))
        {
            return;
        }

        End(Verdict());
    }

    private AttemptOutcome Verdict()
    {
        if (_failures.Count == 0)
        {
            return new AttemptFailed(_request.AttemptId, AttemptErrorCodes.NoProxy,
                "no connected proxy can reach the device any more");
        }

        var chosen = RootCause()!; // not null: there are failures
        return new AttemptFailed(_request.AttemptId, chosen.ErrorCode,
            $"{_failures.Count} of {_tried.Count} candidate connection(s) failed; {chosen.Message}");
    }

    private void OnEstablished(ConnectionEstablished established)
    {
        if (_ended)
        {
            return;
        }

        if (_matter is not null && established.Channel is { } channel)
        {
            StartFlow(established, channel);
            return;
        }

        var matter = _candidates.GetValueOrDefault(established.Address)?.Values.FirstOrDefault()?.Matter;
        End(new AttemptSucceeded(_request.AttemptId, established.Address, established.ProxyId,
            matter?.Discriminator ?? _request.Payload.Discriminator,
            matter?.VendorId ?? _request.Payload.VendorId, matter?.ProductId ?? _request.Payload.ProductId,
            established.Mtu, established.Btp));
    }

    // The root cause, not whichever failure landed last: slot exhaustion is the fact a person can act on;
    // then what a proxy or device did (a connect never answered, a refusal); connection_aborted (a queued
    // connect that gave up, a proxy gone) only when nothing else happened.
    private ConnectionFailed? RootCause() =>
        _failures.FirstOrDefault(f => f.ErrorCode == BleErrorCodes.OutOfConnectionSlots)
        ?? _failures.LastOrDefault(f => f.ErrorCode != BleErrorCodes.ConnectionAborted)
        ?? _failures.LastOrDefault();

    private string LastErrorSuffix() => RootCause() is { } cause ? $"; last error: {cause.Message}" : string.Empty;

    private void End(AttemptOutcome outcome)
    {
        if (_ended)
        {
            return;
        }

        _ended = true;
        if (outcome is AttemptFailed failed)
        {
            outcome = failed with { Message = PeerText.Escape(failed.Message, MaxLine) };
        }

        _discovery.Tell(UnwatchDevice.Instance);
        Output(outcome switch
        {
            AttemptSucceeded s => $"Commissioning channel open: {s.Address} via {s.ProxyId}, BTP v{s.Btp.Version}, segment {s.Btp.SegmentSize}",
            NodeCommissioned n => $"commissioned: node {n.NodeId} (vendor 0x{n.VendorId:X4}, product 0x{n.ProductId:X4}) over ble",
            AttemptFailed f => $"Failed: {f.ErrorCode}: {f.Message}",
            AttemptCancelled c => $"Cancelled: {c.Reason}",
            _ => outcome.ToString(),
        });

        Context.Parent.Tell(new AttemptEnded(_request.AttemptId, outcome));
        _reportTo.Tell(outcome);

        // Cancelled connections stop (their slots go back by DeathWatch in the gate, each disconnected once);
        // one whose connect is still in flight first waits for the proxy's answer, so the gate never hands out
        // a slot the proxy still holds. This actor lingers, silent, until they are gone.
        foreach (var connection in _connections.Keys)
        {
            connection.Tell(new CancelConnection("attempt ended"));
        }

        Become(Draining);
        Timers.StartSingleTimer(nameof(DrainTimedOut), DrainTimedOut.Instance,
            _connectionSettings.ConnectTimeout + TimeSpan.FromSeconds(10));
        StopWhenDrained();
    }

    private void Draining()
    {
        Receive<Terminated>(t =>
        {
            _connections.Remove(t.ActorRef);
            _flow = t.ActorRef.Equals(_flow) ? null : _flow;
            StopWhenDrained();
        });
        Receive<DrainTimedOut>(_ => Context.Stop(Self));
        ReceiveAny(_ => { });
    }

    private void StopWhenDrained()
    {
        // A flow still closing its sessions after its verdict is waited for too (bounded by the drain timeout).
        if (_connections.Count == 0 && _flow is null)
        {
            Context.Stop(Self);
        }
    }

    // Lines quote what proxies said (already escaped at the session); escaping again here keeps a job's output
    // one event per line whatever a future caller passes. Escaping is idempotent on escaped text.
    private void Output(string line) => _reportTo.Tell(new AttemptOutput(_request.AttemptId, PeerText.Escape(line, MaxLine)));

    private sealed record SettleElapsed
    {
        public static readonly SettleElapsed Instance = new();
    }

    private sealed record ScanTimedOut
    {
        public static readonly ScanTimedOut Instance = new();
    }

    private sealed record AttemptTimedOut
    {
        public static readonly AttemptTimedOut Instance = new();
    }

    private sealed record DrainTimedOut
    {
        public static readonly DrainTimedOut Instance = new();
    }

    private sealed record GateStatesTimedOut(long Round);

    private sealed record HedgeDue(DeviceKey Device, TimeSpan After);
}
