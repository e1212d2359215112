using Akka.Actor;
using Akka.Event;
using CommissioningActors.Core.Connections;
using CommissioningActors.Core.Proxies;

namespace CommissioningActors.Core.Commissioning;

/// <summary>
/// Parent of every attempt. Counts attempts in progress from AttemptStarted / AttemptEnded and DeathWatch
/// (a crashed attempt counts as ended). Only when the count reaches zero does it tell every gate to abort
/// pending connects and release orphaned connections, so finishing one attempt never tears down another's.
/// </summary>
public sealed class CommissioningSupervisorActor : ReceiveActor
{
    public const string NoCommissioningInProgress = "no commissioning in progress";

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly HashSet<IActorRef> _inProgress = [];

    private readonly IActorRef _proxies;

    public CommissioningSupervisorActor(IActorRef discovery, IActorRef proxies, AttemptSettings settings, ConnectionSettings connectionSettings)
    {
        _proxies = proxies;
        Receive<StartCommissioning>(start =>
        {
            var attempt = Context.ActorOf(CommissioningAttemptActor.Props(start.Request, discovery, proxies, start.ReportTo,
                settings, connectionSettings), $"attempt-{Uri.EscapeDataString(start.Request.AttemptId)}");
            Sender.Tell(new CommissioningStarted(start.Request.AttemptId, attempt));
        });
        Receive<AttemptStarted>(_ =>
        {
            _inProgress.Add(Context.Watch(Sender));
        });
        Receive<AttemptEnded>(_ => Ended(Sender));
        Receive<Terminated>(t => Ended(t.ActorRef));
        Receive<GetCommissioningStatus>(_ => Sender.Tell(new CommissioningStatus(_inProgress.Count)));
    }

    public static Props Props(IActorRef discovery, IActorRef proxies, AttemptSettings settings, ConnectionSettings connectionSettings) =>
        Akka.Actor.Props.Create(() => new CommissioningSupervisorActor(discovery, proxies, settings, connectionSettings));

    // An attempt that throws is stopped: it counts as ended, and its connections stop with it.
    protected override SupervisorStrategy SupervisorStrategy() => Akka.Actor.SupervisorStrategy.StoppingStrategy;

    private void Ended(IActorRef attempt)
    {
        if (!_inProgress.Remove(attempt) || _inProgress.Count > 0)
        {
            return;
        }

        // Through the proxy manager, which knows the gates: a later attempt learns its proxies from the manager
        // too, so the abort reaches every gate before that attempt can queue a connect there.
        _proxies.Tell(new AbortAllPendingConnects(NoCommissioningInProgress));
        _log.Debug("No commissioning in progress: releasing pending connects on every gate");
    }
}
