using Akka.Actor;
using Akka.Event;
using CommissioningActors.Core.Matter.Fabric;
using CommissioningActors.Core.Matter.Transport;
using CommissioningActors.Protocol.Matter.InteractionModel;
using CommissioningActors.Protocol.Matter.SecureChannel;

namespace CommissioningActors.Core.Matter.Nodes;

/// <summary>
/// Props for one operational secure session with <paramref name="nodeId"/> over <paramref name="channel"/>,
/// reporting SessionReady / SessionEstablishmentFailed to <paramref name="owner"/>: CASE in the service, a PASE
/// session in tests that have no commissioned node (a PASE session is a full secure session too).
/// </summary>
public delegate Props OperationalSessionFactory(IMatterChannel channel, IActorRef owner, ulong nodeId);

public sealed record NodeManagerSettings
{
    /// <summary>An open session with no request for this long is closed.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Bounds resolving and establishing a session over every candidate address; then node_unavailable.</summary>
    public TimeSpan OpenTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the resolver may take before the node's last known addresses are tried alone.</summary>
    public TimeSpan ResolveTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Bounds each wait for the device within an operation (per message of a chunked read).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Requests waiting per node (the one running included); more get node_unavailable at once.</summary>
    public int MaxQueued { get; init; } = 16;

    /// <summary>The fabric registry's answers (GetNode, RemoveNode) must come within this.</summary>
    public TimeSpan FabricTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The TimedRequest timeout for commands the catalogue marks as timed.</summary>
    public ushort TimedInvokeTimeoutMs { get; init; } = 10_000;

    public ReadLimits ReadLimits { get; init; } = ReadLimits.Default;

    /// <summary>NodeSeen (a store write) goes to the fabric at most this often per node while it keeps answering.</summary>
    public TimeSpan SeenInterval { get; init; } = TimeSpan.FromMinutes(1);

    public TimeProvider Time { get; init; } = TimeProvider.System;
}

/// <summary>
/// Reads and controls commissioned nodes: one <see cref="NodeActor"/> child per node, created on the first
/// request after the fabric registry confirmed the node (unknown nodes get unknown_node). Requests for a node
/// whose lookup is under way wait (bounded). A node child that throws is stopped (its waiting requests are
/// answered node_unavailable as it stops) and recreated from the registry on the next request.
/// </summary>
public sealed class NodeManagerActor : ReceiveActor, IWithTimers
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly IActorRef _fabric;
    private readonly IActorRef _transport;
    private readonly OperationalSessionFactory _sessions;
    private readonly IActorRef? _resolver;
    private readonly NodeManagerSettings _settings;
    private readonly Dictionary<ulong, IActorRef> _nodes = [];
    private readonly Dictionary<ulong, List<(object Request, IActorRef ReplyTo)>> _lookups = [];
    private ulong? _compressedFabricId;

    public NodeManagerActor(IActorRef fabric, IActorRef transport, OperationalSessionFactory sessions, NodeManagerSettings settings, IActorRef? resolver)
    {
        _fabric = fabric;
        _transport = transport;
        _sessions = sessions;
        _settings = settings;
        _resolver = resolver;

        Receive<ReadNodeAttribute>(r => Route(r.NodeId, r));
        Receive<InvokeNodeCommand>(r => Route(r.NodeId, r));
        Receive<DecommissionNode>(r => Route(r.NodeId, r));
        Receive<NodeFound>(OnNodeFound);
        Receive<UnknownNode>(u => FailLookup(u.NodeId, "unknown_node", $"no node {u.NodeId} on our fabric"));
        Receive<LookupTimedOut>(t => FailLookup(t.NodeId, "node_unavailable", "the fabric registry did not answer"));
        Receive<FabricInfo>(info => _compressedFabricId = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(
            CaseKeySchedule.CompressedFabricId(info.RootCertificate.PublicKey, info.FabricId)));
        Receive<FabricUnavailable>(u => _log.Warning("Node manager: the fabric is unavailable: {0}", u.Reason));
        Receive<NodeActor.Gone>(gone =>
        {
            if (_nodes.TryGetValue(gone.NodeId, out var node) && node.Equals(Sender))
            {
                _nodes.Remove(gone.NodeId);
            }

            // After what is already in its mailbox (it answers those unknown_node), not before.
            Sender.Tell(PoisonPill.Instance);
        });
        Receive<Terminated>(t =>
        {
            foreach (var (id, _) in _nodes.Where(n => n.Value.Equals(t.ActorRef)).ToList())
            {
                _nodes.Remove(id);
            }
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IActorRef fabric, IActorRef transport, OperationalSessionFactory sessions, NodeManagerSettings? settings = null, IActorRef? resolver = null) =>
        Akka.Actor.Props.Create(() => new NodeManagerActor(fabric, transport, sessions, settings ?? new NodeManagerSettings(), resolver));

    protected override void PreStart()
    {
        if (_resolver is not null)
        {
            // The operational instance name needs the compressed fabric id.
            _fabric.Tell(GetFabric.Instance);
        }
    }

    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(e =>
    {
        _log.Error(e, "A node actor failed; it is stopped and recreated on the next request");
        return Directive.Stop;
    });

    private void Route(ulong nodeId, object request)
    {
        if (_nodes.TryGetValue(nodeId, out var node))
        {
            node.Forward(request);
            return;
        }

        if (_lookups.TryGetValue(nodeId, out var waiting))
        {
            if (waiting.Count >= _settings.MaxQueued)
            {
                Sender.Tell(new NodeOperationFailed(nodeId, "node_unavailable", $"node {nodeId} already has {waiting.Count} requests waiting"));
                return;
            }

            waiting.Add((request, Sender));
            return;
        }

        _lookups[nodeId] = [(request, Sender)];
        _fabric.Tell(new GetNode(nodeId));
        Timers.StartSingleTimer(("lookup", nodeId), new LookupTimedOut(nodeId), _settings.FabricTimeout);
    }

    private void OnNodeFound(NodeFound found)
    {
        var id = found.Node.NodeId;
        if (!_lookups.Remove(id, out var waiting))
        {
            return;
        }

        Timers.Cancel(("lookup", id));
        var node = Context.ActorOf(NodeActor.Props(found.Node, _fabric, _transport, _sessions, _settings, _resolver, _compressedFabricId),
            $"node-{id:X16}-{Guid.NewGuid():N}"[..30]);
        Context.Watch(node);
        _nodes[id] = node;
        foreach (var (request, replyTo) in waiting)
        {
            node.Tell(request, replyTo);
        }
    }

    private void FailLookup(ulong nodeId, string code, string message)
    {
        if (!_lookups.Remove(nodeId, out var waiting))
        {
            return;
        }

        Timers.Cancel(("lookup", nodeId));
        foreach (var (_, replyTo) in waiting)
        {
            replyTo.Tell(new NodeOperationFailed(nodeId, code, message));
        }
    }

    private sealed record LookupTimedOut(ulong NodeId);
}
