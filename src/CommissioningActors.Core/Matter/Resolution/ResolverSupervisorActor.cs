using Akka.Actor;
using Akka.Event;
using CommissioningActors.Protocol.Mdns;

namespace CommissioningActors.Core.Matter.Resolution;

/// <summary>
/// The resolver as the host should spawn it: a parent that forwards everything to one
/// <see cref="MatterResolverActor"/> and restarts it when it crashes (its state is a cache, and it carries its
/// static entries over itself). Past <see cref="MaxRestarts"/> crashes a minute the child is stopped and so is
/// this actor, which a top-level watchdog turns into a host restart.
/// </summary>
public sealed class ResolverSupervisorActor : ReceiveActor
{
    public const int MaxRestarts = 10;

    private readonly IActorRef _resolver;

    public ResolverSupervisorActor(Props resolver)
    {
        _resolver = Context.Watch(Context.ActorOf(resolver, "resolver"));
        Receive<Terminated>(t => t.ActorRef.Equals(_resolver), _ =>
        {
            Context.GetLogger().Error("the Matter resolver crashed {0} times within a minute; stopping", MaxRestarts);
            Context.Stop(Self);
        });
        ReceiveAny(message => _resolver.Forward(message));
    }

    /// <summary>Props of the supervised resolver (the same arguments as <see cref="MatterResolverActor.Props"/>).</summary>
    public static Props Props(ResolverSettings settings, Func<IMulticastDns>? transport = null, TimeProvider? clock = null) =>
        Akka.Actor.Props.Create(() => new ResolverSupervisorActor(MatterResolverActor.Props(settings, transport, clock)));

    protected override SupervisorStrategy SupervisorStrategy() =>
        new OneForOneStrategy(MaxRestarts, TimeSpan.FromMinutes(1), Decider.From(_ => Directive.Restart));
}
