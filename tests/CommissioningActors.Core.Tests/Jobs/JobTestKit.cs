using Akka.Actor;
using Akka.TestKit;
using CommissioningActors.Core.Commissioning;
using CommissioningActors.Core.Jobs;
using CommissioningActors.Protocol.Matter;

namespace CommissioningActors.Core.Tests.Jobs;

/// <summary>A JobActor wired to probes: the commissioning supervisor, the attempt it starts and the manager.</summary>
public sealed class JobUnderTest
{
    public required string Id { get; init; }
    public required IActorRef Job { get; init; }
    public required TestProbe Commissioning { get; init; }
    public required TestProbe Attempt { get; init; }
    public required TestProbe Manager { get; init; }
    public required Akka.TestKit.Xunit2.TestKit Kit { get; init; }

    public static CommissionRequest Request(string id) => new(id, new SetupPayload(20202021, 3840, false), Label: $"label-{id}");

    public static JobUnderTest Start(Akka.TestKit.Xunit2.TestKit kit, string id, JobOutputLimits? limits = null, IReadOnlyList<string>? secrets = null)
    {
        var commissioning = kit.CreateTestProbe();
        var attempt = kit.CreateTestProbe();
        var manager = kit.CreateTestProbe();
        var job = kit.Sys.ActorOf(JobActor.Props(Request(id), secrets ?? [], commissioning.Ref, manager.Ref, limits ?? JobOutputLimits.Default));
        var start = commissioning.ExpectMsg<StartCommissioning>();
        Assert.Equal(id, start.Request.AttemptId);
        commissioning.Reply(new CommissioningStarted(id, attempt.Ref));
        return new JobUnderTest { Id = id, Job = job, Commissioning = commissioning, Attempt = attempt, Manager = manager, Kit = kit };
    }

    public void Output(string line) => Job.Tell(new AttemptOutput(Id, line), Attempt.Ref);

    public void Outcome(AttemptOutcome outcome) => Job.Tell(outcome, Attempt.Ref);

    // Round trips through a fresh probe: synchronous, without blocking on a task.
    public JobSnapshot Snapshot() => Kit.CreateTestProbe().ExpectNothingBefore<JobSnapshot>(Job, GetJob.Instance);

    public int FollowerCount() => Kit.CreateTestProbe().ExpectNothingBefore<FollowerCount>(Job, GetFollowerCount.Instance).Count;

    /// <summary>Everything the job has told its manager so far (a round trip from the manager's probe bounds it).</summary>
    public List<object> PublishedToManager() => Manager.ReceiveUntilAnswer<JobSnapshot>(Job, GetJob.Instance);
}
