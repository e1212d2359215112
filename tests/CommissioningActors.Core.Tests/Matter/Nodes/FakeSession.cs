using Akka.Actor;
using CommissioningActors.Core.Matter.Transport;

namespace CommissioningActors.Core.Tests.Matter.Nodes;

/// <summary>A session actor the test plays: it announces itself to the probe and forwards every message there.</summary>
public sealed class FakeSession : ReceiveActor
{
    public FakeSession(IMatterChannel channel, IActorRef owner, IActorRef probe)
    {
        Channel = channel.PeerDescription;
        Owner = owner;
        probe.Tell(new Started(Self, owner, channel.PeerDescription));
        Receive<Core.Matter.Sessions.CloseSecureSession>(m =>
        {
            probe.Forward(m);
            Context.Stop(Self);
        });
        ReceiveAny(probe.Forward);
    }

    public string Channel { get; }

    public IActorRef Owner { get; }

    public sealed record Started(IActorRef Session, IActorRef Owner, string Peer);
}
