using Akka.Actor;
using Akka.Event;

namespace CommissioningActors.Core.Supervision;

/// <summary>Why the host stopped: a top-level actor failed and the guardian stopped it.</summary>
public sealed class TopLevelActorFailed(string actor) : CoordinatedShutdown.Reason
{
    public string Actor { get; } = actor;

    /// <summary>Non-zero, so a process supervisor (systemd, a container runtime) starts the service again.</summary>
    public override int ExitCode => 1;

    public override string ToString() => $"top-level actor '{Actor}' failed";
}

/// <summary>
/// Watches the top-level actors. The user guardian stops a top-level actor that throws
/// (akka.actor.guardian-supervisor-strategy = StoppingSupervisorStrategy) instead of restarting it with
/// empty state; this actor then shuts the whole host down through CoordinatedShutdown, so the service
/// never runs on without its registry, jobs, supervisor or event hub. A stop during shutdown is expected.
/// </summary>
public sealed class TopLevelWatchdogActor : ReceiveActor
{
    public const string GuardianHocon = "akka.actor.guardian-supervisor-strategy = \"Akka.Actor.StoppingSupervisorStrategy\"";

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly IReadOnlyDictionary<string, IActorRef> _actors;

    /// <param name="onFailed">Runs once per failed actor; null = CoordinatedShutdown with TopLevelActorFailed.</param>
    public TopLevelWatchdogActor(IReadOnlyDictionary<string, IActorRef> actors, Action<string>? onFailed = null)
    {
        _actors = actors;
        onFailed ??= name => CoordinatedShutdown.Get(Context.System).Run(new TopLevelActorFailed(name));
        Receive<Terminated>(t =>
        {
            var name = _actors.FirstOrDefault(a => a.Value.Equals(t.ActorRef)).Key ?? t.ActorRef.Path.Name;
            if (CoordinatedShutdown.Get(Context.System).ShutdownReason is not null)
            {
                return;
            }

            _log.Error("Top-level actor {0} stopped after a failure; stopping the host", name);
            onFailed(name);
        });
    }

    public static Props Props(IReadOnlyDictionary<string, IActorRef> actors, Action<string>? onFailed = null) =>
        Akka.Actor.Props.Create(() => new TopLevelWatchdogActor(actors, onFailed));

    protected override void PreStart()
    {
        foreach (var actor in _actors.Values)
        {
            Context.Watch(actor);
        }
    }
}
