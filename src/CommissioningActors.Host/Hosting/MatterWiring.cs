using System.Security.Cryptography;
using Akka.Actor;
using Akka.Event;
using Akka.Hosting;
using CommissioningActors.Core.Matter.Commissioning;
using CommissioningActors.Core.Matter.Fabric;
using CommissioningActors.Core.Matter.Network;
using CommissioningActors.Core.Matter.Nodes;
using CommissioningActors.Core.Matter.Resolution;
using CommissioningActors.Core.Matter.Transport;
using CommissioningActors.Core.Storage;
using CommissioningActors.Protocol.Matter.Certificates;
using CommissioningActors.Protocol.Matter.SecureChannel;

namespace CommissioningActors.Host.Hosting;

/// <summary>
/// The Matter side of the actor system: the UDP transport, the fabric registry (on the store's dispatcher), the
/// PAA trust store, the on-network commissioning parent, the resolver and the node manager.
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

        if (settings.WarmUp)
        {
            WarmUp(system, trust);
        }

        var transport = system.ActorOf(UdpTransportActor.Props(new UdpTransportOptions { Bind = settings.UdpBind }), "matter-udp");
        var fabric = system.ActorOf(FabricActor.Props(new FabricStore(database)), "fabric");
        var resolver = CreateResolver(system);
        var nodes = CreateNodeManager(system, transport, fabric, resolver);
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

        topLevel["nodes"] = nodes;

        return new MatterWiring(services, commissioning, topLevel);
    }

    /// <summary>
    /// Off the startup path: the first commission would otherwise pay the process's one-time crypto and JIT costs
    /// (about 150 ms of its first PASE and attestation); see <see cref="CommissioningWarmUp"/>.
    /// </summary>
    private static void WarmUp(ActorSystem system, PaaTrustStore trust) => _ = Task.Run(() =>
    {
        try
        {
            if (!CommissioningWarmUp.Run(trust))
            {
                system.Log.Warning("commissioning warm-up: our own PASE handshake did not complete");
            }
        }
        catch (Exception e) when (e is CryptographicException or ObjectDisposedException)
        {
            system.Log.Warning("commissioning warm-up failed: {0}", e.Message);
        }
    });

    /// <summary>
    /// The resolver (static entries, then DNS-SD over mDNS) under its supervisor, unless
    /// <c>commissioning.matter.resolver.enabled = off</c> (tests outside a private network namespace): then
    /// commission_on_network needs ip_addr and nodes are reached at their last known address.
    /// </summary>
    private static IActorRef? CreateResolver(ActorSystem system)
    {
        var config = system.Settings.Config;
        if (!config.GetBoolean("commissioning.matter.resolver.enabled", true))
        {
            return null;
        }

        return system.ActorOf(ResolverSupervisorActor.Props(ResolverSettings.FromConfig(config)), "matter-resolver");
    }

    /// <summary>The node manager: one node actor per commissioned node, each with its own CASE session.</summary>
    private static IActorRef CreateNodeManager(ActorSystem system, IActorRef transport, IActorRef fabric, IActorRef? resolver) =>
        system.ActorOf(NodeManagerActor.Props(fabric, transport, resolver: resolver), "nodes");

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
