using System.Net;
using Akka.Actor;
using Akka.Event;
using CommissioningActors.Core.Matter.Fabric;
using CommissioningActors.Core.Matter.Resolution;
using CommissioningActors.Core.Matter.Sessions;
using CommissioningActors.Core.Matter.Transport;
using CommissioningActors.Core.Storage;

namespace CommissioningActors.Core.Matter.Nodes;

/// <summary>
/// One commissioned node. It owns at most one operational secure session (a child from the injected
/// factory, opened on demand: resolver addresses first, then the node's last known ones; closed after
/// <see cref="NodeManagerSettings.IdleTimeout"/> without requests). Requests run one at a time; the others
/// wait in a bounded queue, also while the session opens. Success tells the fabric <see cref="NodeSeen"/>;
/// no session or a silent device tells it <see cref="NodeUnreachable"/> and answers node_unavailable.
/// Sessions are stopped on failure, never restarted (their keys would be gone).
/// </summary>
public sealed partial class NodeActor : ReceiveActor, IWithTimers
{
    private const string OpenTimer = "open";
    private const string ResolveTimer = "resolve";
    private const string IdleTimer = "idle";
    private const string FabricTimer = "fabric";

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly NodeRecord _node;
    private readonly IActorRef _fabric;
    private readonly IActorRef _transport;
    private readonly OperationalSessionFactory _sessions;
    private readonly NodeManagerSettings _settings;
    private readonly IActorRef? _resolver;
    private readonly ulong? _compressedFabricId;
    private readonly Queue<Queued> _queue = new();
    private Queued? _current;
    private IActorRef? _session;
    private string? _sessionAddress;
    private readonly Queue<IPEndPoint> _candidates = new();
    private string? _lastOpenFailure;
    private int _sessionCount;
    private DateTimeOffset? _seenSent;

    public NodeActor(NodeRecord node, IActorRef fabric, IActorRef transport, OperationalSessionFactory sessions,
        NodeManagerSettings settings, IActorRef? resolver, ulong? compressedFabricId)
    {
        _node = node;
        _fabric = fabric;
        _transport = transport;
        _sessions = sessions;
        _settings = settings;
        _resolver = resolver;
        _compressedFabricId = compressedFabricId;
        Closed();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private ulong NodeId => _node.NodeId;

    public static Props Props(NodeRecord node, IActorRef fabric, IActorRef transport, OperationalSessionFactory sessions,
        NodeManagerSettings settings, IActorRef? resolver = null, ulong? compressedFabricId = null) =>
        Akka.Actor.Props.Create(() => new NodeActor(node, fabric, transport, sessions, settings, resolver, compressedFabricId));

    protected override SupervisorStrategy SupervisorStrategy() => Akka.Actor.SupervisorStrategy.StoppingStrategy;

    protected override void PostStop()
    {
        // Every request gets an answer, even when this actor is stopped for a bug.
        FailAll("node_unavailable", $"node {NodeId} is no longer served");
    }

    /// <summary>Checks and queues requests; <paramref name="queued"/> runs after each one is queued.</summary>
    private void ReceiveRequests(Action queued)
    {
        Receive<ReadNodeAttribute>(r => Accept(r, queued));
        Receive<InvokeNodeCommand>(r => Accept(r, queued));
        Receive<DecommissionNode>(r => Accept(r, queued));
    }

    private void Accept(object request, Action queued)
    {
        var (plan, error) = NodeRequests.Plan(request, _settings);
        if (plan is null)
        {
            Sender.Tell(new NodeOperationFailed(NodeId, "invalid_args", error!));
            return;
        }

        if (_queue.Count + (_current is null ? 0 : 1) >= _settings.MaxQueued)
        {
            Sender.Tell(new NodeOperationFailed(NodeId, "node_unavailable", $"node {NodeId} already has {_settings.MaxQueued} requests waiting"));
            return;
        }

        _queue.Enqueue(new Queued(plan, Sender));
        queued();
    }

    /// <summary>No session: the first request opens one.</summary>
    private void Closed()
    {
        ReceiveRequests(StartOpening);
        ReceiveAny(_ => { });
    }

    private void StartOpening()
    {
        Become(Opening);
        _lastOpenFailure = null;
        _candidates.Clear();
        Timers.StartSingleTimer(OpenTimer, OpenTimedOut.Instance, _settings.OpenTimeout);
        if (_resolver is not null && _compressedFabricId is { } compressed)
        {
            _resolver.Tell(new ResolveOperational(compressed, NodeId, _settings.ResolveTimeout));
            Timers.StartSingleTimer(ResolveTimer, ResolveTimedOut.Instance, _settings.ResolveTimeout + TimeSpan.FromSeconds(1));
            return;
        }

        TryAddresses([]);
    }

    private void Opening()
    {
        ReceiveRequests(() => { });
        Receive<OperationalResolved>(r => r.NodeId == NodeId && Timers.IsTimerActive(ResolveTimer), r => TryAddresses(r.Addresses));
        Receive<ResolveFailed>(_ => Timers.IsTimerActive(ResolveTimer), _ => TryAddresses([]));
        Receive<ResolveTimedOut>(_ => TryAddresses([]));
        Receive<SessionReady>(_ => Sender.Equals(_session), _ => Opened());
        Receive<SessionEstablishmentFailed>(_ => Sender.Equals(_session), failed =>
        {
            _lastOpenFailure = failed.Reason;
            Context.Unwatch(_session!);
            _session = null;
            NextCandidate();
        });
        Receive<Terminated>(t => t.ActorRef.Equals(_session), _ =>
        {
            _session = null;
            NextCandidate();
        });
        Receive<OpenTimedOut>(_ => Unreachable($"no secure session within {_settings.OpenTimeout.TotalSeconds:0.#} s"
            + (_lastOpenFailure is null ? "" : $" ({_lastOpenFailure})")));
        ReceiveAny(_ => { });
    }

    private void TryAddresses(IReadOnlyList<IPEndPoint> resolved)
    {
        Timers.Cancel(ResolveTimer);
        foreach (var endPoint in resolved.Concat(NodeRequests.ParseAddresses(_node.Addresses)).Distinct())
        {
            _candidates.Enqueue(endPoint);
        }

        NextCandidate();
    }

    private void NextCandidate()
    {
        if (!_candidates.TryDequeue(out var endPoint))
        {
            Unreachable(_lastOpenFailure is null
                ? "no address to reach it at"
                : $"no secure session with any of its addresses ({_lastOpenFailure})");
            return;
        }

        var channel = new UdpMatterChannel(_transport, endPoint);
        _sessionAddress = channel.PeerDescription;
        _session = Context.ActorOf(_sessions(channel, Self, NodeId), $"session-{++_sessionCount}");
        Context.Watch(_session);
    }

    private void Opened()
    {
        Timers.Cancel(OpenTimer);
        _candidates.Clear();
        _log.Debug("Node {0:X16}: session open with {1}", NodeId, _sessionAddress);
        Seen();
        Become(Open);
        RunNext();
    }

    private void Open()
    {
        ReceiveRequests(RunNext);
        ReceiveOperationReplies();
        Receive<IdleTimedOut>(_ =>
        {
            if (_current is null && _queue.Count == 0)
            {
                _log.Debug("Node {0:X16}: closing the idle session", NodeId);
                CloseSession();
                Become(Closed);
            }
        });
        Receive<Terminated>(t => t.ActorRef.Equals(_session), _ =>
        {
            _session = null;
            if (_current is not null)
            {
                Finish(Failed("node_unavailable", "the secure session ended"));
            }
            else
            {
                AfterSession();
            }
        });
        ReceiveAny(_ => { });
    }

    /// <summary>Starts the next queued request, opening a session first when there is none.</summary>
    private void RunNext()
    {
        if (_current is not null)
        {
            return;
        }

        if (!_queue.TryDequeue(out var next))
        {
            Timers.StartSingleTimer(IdleTimer, IdleTimedOut.Instance, _settings.IdleTimeout);
            return;
        }

        Timers.Cancel(IdleTimer);
        _current = next;
        Run(next.Plan);
    }

    /// <summary>Answers the running request and moves on.</summary>
    private void Finish(object reply)
    {
        _conversation = null;
        Timers.Cancel(FabricTimer);
        if (_current is { } current)
        {
            _current = null;
            current.ReplyTo.Tell(reply);
        }

        if (_session is not null)
        {
            RunNext();
        }
        else
        {
            AfterSession();
        }
    }

    /// <summary>The session is gone: wait for the next request, or open a new one for those already waiting.</summary>
    private void AfterSession()
    {
        Become(Closed);
        if (_queue.Count > 0)
        {
            StartOpening();
        }
    }

    /// <summary>The node did not answer: it is unavailable, and so is every waiting request.</summary>
    private void Unreachable(string reason)
    {
        Timers.Cancel(OpenTimer);
        Timers.Cancel(ResolveTimer);
        _candidates.Clear();
        _seenSent = null;
        _log.Info("Node {0:X16} unreachable: {1}", NodeId, reason);
        _fabric.Tell(new NodeUnreachable(NodeId));
        CloseSession();
        FailAll("node_unavailable", $"node {NodeId} did not answer: {reason}");
        Become(Closed);
    }

    private void CloseSession()
    {
        _conversation = null;
        Timers.Cancel(IdleTimer);
        if (_session is { } session)
        {
            Context.Unwatch(session);
            session.Tell(CloseSecureSession.Instance);
            _session = null;
        }
    }

    private void FailAll(string code, string message)
    {
        var failure = Failed(code, message);
        if (_current is { } current)
        {
            _current = null;
            current.ReplyTo.Tell(failure);
        }

        while (_queue.TryDequeue(out var queued))
        {
            queued.ReplyTo.Tell(failure);
        }
    }

    private void Seen()
    {
        var now = _settings.Time.GetUtcNow();
        if (_seenSent is { } sent && now - sent < _settings.SeenInterval)
        {
            return;
        }

        _seenSent = now;
        _fabric.Tell(new NodeSeen(NodeId, now, _sessionAddress));
    }

    private NodeOperationFailed Failed(string code, string message) => new(NodeId, code, message);

    /// <summary>Told to the manager after a decommission: this actor answers unknown_node until it is stopped.</summary>
    internal sealed record Gone(ulong NodeId);

    private sealed record Queued(PlannedOperation Plan, IActorRef ReplyTo);

    private sealed record OpenTimedOut
    {
        public static readonly OpenTimedOut Instance = new();
    }

    private sealed record ResolveTimedOut
    {
        public static readonly ResolveTimedOut Instance = new();
    }

    private sealed record IdleTimedOut
    {
        public static readonly IdleTimedOut Instance = new();
    }
}
