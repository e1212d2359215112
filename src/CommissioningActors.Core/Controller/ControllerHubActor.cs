using Akka.Actor;

namespace CommissioningActors.Core.Controller;

/// <summary>Asked by the /ws endpoint when a controller client connects.</summary>
public sealed record OpenControllerSession(IActorRef Outbound, CommissioningActors.Core.Sockets.ISocketWriter Writer);

public sealed record ControllerSessionOpened(IActorRef Session);

public sealed record GetControllerSessionCount
{
    public static readonly GetControllerSessionCount Instance = new();
}

public sealed record ControllerSessionCount(int Count);

/// <summary>Parent of every ControllerSessionActor.</summary>
public sealed class ControllerHubActor : ReceiveActor
{
    private readonly HashSet<IActorRef> _sessions = [];
    private long _next;

    public ControllerHubActor(ControllerServices services)
    {
        Receive<OpenControllerSession>(open =>
        {
            var session = Context.ActorOf(ControllerSessionActor.Props(open.Outbound, open.Writer, services), $"client-{++_next}");
            _sessions.Add(Context.Watch(session));
            Sender.Tell(new ControllerSessionOpened(session));
        });
        Receive<GetControllerSessionCount>(_ => Sender.Tell(new ControllerSessionCount(_sessions.Count)));
        Receive<Terminated>(t => _sessions.Remove(t.ActorRef));
    }

    public static Props Props(ControllerServices services) =>
        Akka.Actor.Props.Create(() => new ControllerHubActor(services));

    // One client's failure never touches another's session.
    protected override SupervisorStrategy SupervisorStrategy() => Akka.Actor.SupervisorStrategy.StoppingStrategy;
}
