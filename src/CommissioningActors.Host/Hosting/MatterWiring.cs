using Akka.Actor;
using Akka.Event;
using Akka.Hosting;
using CommissioningActors.Core.Matter.Commissioning;
using CommissioningActors.Core.Matter.Fabric;
using CommissioningActors.Core.Matter.Network;
using CommissioningActors.Core.Matter.Transport;
using CommissioningActors.Core.Storage;
using CommissioningActors.Protocol.Matter.Certificates;

namespace CommissioningActors.Host.Hosting;

/// <summary>
/// The Matter side of the actor system: the UDP transport, the fabric registry (on the store's dispatcher), the
/// PAA trust store, the on-network commissioning parent, and the two actors other branches build — the resolver
/// and the node manager — created in <see cref="CreateResolver"/> and <see cref="CreateNodeManager"/>.
/// </summary>
public sealed record MatterWiring(MatterServices Services, IActorRef Commissioning, IReadOnlyDictionary<string, IActorRef> TopLevel)
{
    public static MatterWiring Start(ActorSystem system, ServiceDatabase database, MatterSettings settings)
    {
        var trust = PaaTrustStore.Load(settings.PaaFolder, settings.DevelopmentPaas);
        system.RegisterOnTermination(trust.Dispose);
        foreach (var problem in trust.LoadProblems)
        {
            system.Log.Warning("PAA trust store: {0}", problem);
        }

        var transport = system.ActorOf(UdpTransportActor.Props(new UdpTransportOptions { Bind = settings.UdpBind }), "matter-udp");
        var fabric = system.ActorOf(FabricActor.Props(new FabricStore(database)), "fabric");
        var resolver = CreateResolver(system, transport, settings);
        var nodes = CreateNodeManager(system, transport, fabric, resolver, settings);
        var services = new MatterServices(transport, fabric, trust, resolver, nodes, new FlowSettings { StepTimeout = settings.StepTimeout, Resolver = resolver });
        var commissioning = system.ActorOf(NetworkCommissioningActor.Props(services, settings), "matter-commissioning");
        var topLevel = new Dictionary<string, IActorRef>
        {
            ["matter-udp"] = transport,
            ["fabric"] = fabric,
            ["matter-commissioning"] = commissioning,
        };
        if (resolver is not null)
        {
            topLevel["matter-resolver"] = resolver;
        }

        if (nodes is not null)
        {
            topLevel["nodes"] = nodes;
        }

        return new MatterWiring(services, commissioning, topLevel);
    }

    /// <summary>
    /// INTEGRATION POINT (branch `mdns`): create the MatterResolverActor here, e.g.
    /// <c>system.ActorOf(MatterResolverActor.Props(...), "matter-resolver")</c>. It answers ResolveCommissionable /
    /// ResolveOperational (Core/Matter/Resolution/ResolverMessages.cs). Null: commission_on_network needs ip_addr
    /// (without it the client gets error_code not_available).
    /// </summary>
    private static IActorRef? CreateResolver(ActorSystem system, IActorRef transport, MatterSettings settings) => null;

    /// <summary>
    /// INTEGRATION POINT (branch `nodes`): create the NodeManagerActor here, e.g.
    /// <c>system.ActorOf(NodeManagerActor.Props(transport, fabric, resolver, ...), "nodes")</c>. It answers the
    /// requests in Core/Matter/Nodes/NodeMessages.cs. Null: read_attribute, device_command and remove_node answer
    /// error_code not_available.
    /// </summary>
    private static IActorRef? CreateNodeManager(ActorSystem system, IActorRef transport, IActorRef fabric, IActorRef? resolver,
        MatterSettings settings) => null;

    /// <summary>Registers the Matter actors for lookup (tests, integrators) and adds them to the watchdog's top-level set.</summary>
    public void Register(IActorRegistry registry, IDictionary<string, IActorRef> topLevel)
    {
        registry.Register<UdpTransportActor>(Services.Transport);
        registry.Register<FabricActor>(Services.Fabric);
        registry.Register<NetworkCommissioningActor>(Commissioning);
        foreach (var (name, actor) in TopLevel)
        {
            topLevel[name] = actor;
        }
    }
}
