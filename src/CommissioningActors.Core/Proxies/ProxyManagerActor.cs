using Akka.Actor;
using Akka.Event;
using CommissioningActors.Core.Gate;

namespace CommissioningActors.Core.Proxies;

/// <summary>Asked by the /ble endpoint when a proxy client connects; replies ProxySessionOpened.</summary>
public sealed record OpenProxySession(IActorRef Outbound, string Name, string Remote);

public sealed record ProxySessionOpened(string ProxyId, IActorRef Session);

/// <summary>A session tells its parent when the handshake completes.</summary>
public sealed record ProxySessionReady(string ProxyId, IActorRef Gate);

public sealed record GetProxies
{
    public static readonly GetProxies Instance = new();
}

/// <summary>
/// A connected proxy: who it is and where its gate is (null until the handshake completes). Occupancy is not
/// here: the gate owns it; ask the gate (GetGateState) or read the GateState it publishes.
/// </summary>
public sealed record ProxyInfo(string Id, string Name, string Remote, bool Ready, IActorRef Session, IActorRef? Gate = null);

public sealed record ProxyList(IReadOnlyList<ProxyInfo> Proxies);

/// <summary>
/// Tell every ready proxy's gate to abort pending connects (the commissioning supervisor, when no attempt is
/// left). The manager is the one that knows the gates; nobody else learns them from the event stream.
/// </summary>
public sealed record AbortAllPendingConnects(string Reason);

/// <summary>Parent of every ProxySessionActor; knows which proxies are connected and where their gates are.</summary>
public sealed class ProxyManagerActor : ReceiveActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<IActorRef, ProxyInfo> _sessions = [];
    private long _next;

    public ProxyManagerActor(IActorRef discovery, ProxySettings settings, GateSettings gateSettings)
    {
        Receive<OpenProxySession>(open =>
        {
            var id = $"proxy-{++_next}";
            var session = Context.ActorOf(ProxySessionActor.Props(id, open.Name, open.Outbound, discovery, settings, gateSettings), id);
            Context.Watch(session);
            _sessions[session] = new ProxyInfo(id, open.Name, open.Remote, Ready: false, session);
            _log.Info("BLE proxy client {0} from {1} is {2}", open.Name, open.Remote, id);
            Sender.Tell(new ProxySessionOpened(id, session));
        });
        Receive<ProxySessionReady>(ready =>
        {
            if (_sessions.TryGetValue(Sender, out var info))
            {
                _sessions[Sender] = info with { Ready = true, Gate = ready.Gate };
            }
        });
        Receive<AbortAllPendingConnects>(abort =>
        {
            // Told now, so each abort is in its gate's mailbox before this manager answers any later GetProxies.
            foreach (var gate in _sessions.Values.Select(p => p.Gate).OfType<IActorRef>())
            {
                gate.Tell(new AbortPendingConnects(abort.Reason));
            }
        });
        Receive<GetProxies>(_ => Sender.Tell(new ProxyList(_sessions.Values.OrderBy(p => p.Id, StringComparer.Ordinal).ToList())));
        Receive<Terminated>(t => _sessions.Remove(t.ActorRef));
    }

    public static Props Props(IActorRef discovery, ProxySettings settings, GateSettings? gateSettings = null) =>
        Akka.Actor.Props.Create(() => new ProxyManagerActor(discovery, settings, gateSettings ?? GateSettings.Default));

    // A session that throws has lost its socket's state: stop it (its PostStop fails everything pending).
    protected override SupervisorStrategy SupervisorStrategy() => Akka.Actor.SupervisorStrategy.StoppingStrategy;
}
