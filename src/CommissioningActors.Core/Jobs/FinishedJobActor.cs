using Akka.Actor;
using CommissioningActors.Core.Streams;

namespace CommissioningActors.Core.Jobs;

/// <summary>
/// A job that finished before the service restarted: it answers get_job and follow_job from its stored
/// snapshot exactly as a finished live job does, and cannot be cancelled.
/// </summary>
public sealed class FinishedJobActor : ReceiveActor
{
    public FinishedJobActor(JobSnapshot snapshot)
    {
        var verdict = new JobLifecycleChanged(JobRecords.VerdictEvent(snapshot.State.Status), snapshot.State);
        Receive<GetJob>(_ => Sender.Tell(snapshot));
        Receive<FollowJob>(_ =>
        {
            Sender.Tell(snapshot);
            Sender.Tell(verdict);
        });
        Receive<CancelJob>(_ => Sender.Tell(new CancelJobResult(snapshot.State.JobId, false)));
        Receive<GetFollowerCount>(_ => Sender.Tell(new FollowerCount(0)));
    }

    public static Props Props(JobSnapshot snapshot) => Akka.Actor.Props.Create(() => new FinishedJobActor(snapshot));
}
