using Akka.Actor;
using Akka.Event;

namespace CommissioningActors.Core.Proxies;

/// <summary>Asked by the /ble endpoint when a proxy client connects; replies ProxySessionOpened.</summary>
public sealed record OpenProxySession(IActorRef Outbound, string Name, string Remote);

public sealed record ProxySessionOpened(string ProxyId, IActorRef Session);

public sealed record GetProxies
{
    public static readonly GetProxies Instance = new();
}

public sealed record ProxyInfo(string Id, string Name, string Remote, bool Ready, IActorRef Session);

public sealed record ProxyList(IReadOnlyList<ProxyInfo> Proxies);

/// <summary>Parent of every ProxySessionActor; knows which proxies are connected.</summary>
public sealed class ProxyManagerActor : ReceiveActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<IActorRef, ProxyInfo> _sessions = [];
    private long _next;

    public ProxyManagerActor(IActorRef discovery, ProxySettings settings)
    {
        Receive<OpenProxySession>(open =>
        {
            var id = $"proxy-{++_next}";
            var session = Context.ActorOf(ProxySessionActor.Props(id, open.Name, open.Outbound, discovery, settings), id);
            Context.Watch(session);
            _sessions[session] = new ProxyInfo(id, open.Name, open.Remote, Ready: false, session);
            _log.Info("BLE proxy client {0} from {1} is {2}", open.Name, open.Remote, id);
            Sender.Tell(new ProxySessionOpened(id, session));
        });
        Receive<ProxySessionReady>(_ =>
        {
            if (_sessions.TryGetValue(Sender, out var info))
            {
                _sessions[Sender] = info with { Ready = true };
            }
        });
        Receive<GetProxies>(_ => Sender.Tell(new ProxyList(_sessions.Values.OrderBy(p => p.Id, StringComparer.Ordinal).ToList())));
        Receive<Terminated>(t => _sessions.Remove(t.ActorRef));
    }

    public static Props Props(IActorRef discovery, ProxySettings settings) =>
        Akka.Actor.Props.Create(() => new ProxyManagerActor(discovery, settings));

    // A session that throws has lost its socket's state: stop it (its PostStop fails everything pending).
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Stop);
}
