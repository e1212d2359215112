using Akka.Actor;
using CommissioningActors.Core.Matter.Commissioning;
using CommissioningActors.Protocol.Matter.Certificates;

namespace CommissioningActors.Core.Matter.Network;

/// <summary>
/// The Matter actors on-network commissioning and the node commands use. <paramref name="Resolver"/> and
/// <paramref name="NodeManager"/> are null in a build without them: commands that need them answer a clear error.
/// </summary>
public sealed record MatterServices(
    IActorRef Transport,
    IActorRef Fabric,
    PaaTrustStore Trust,
    IActorRef? Resolver,
    IActorRef? NodeManager,
    FlowSettings Flow);
