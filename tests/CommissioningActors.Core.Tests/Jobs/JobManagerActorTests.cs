using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using CommissioningActors.Core.Commissioning;
using CommissioningActors.Core.Controller;
using CommissioningActors.Core.Jobs;
using CommissioningActors.Protocol.BleProxy;

namespace CommissioningActors.Core.Tests.Jobs;

public sealed class JobManagerActorTests : TestKit
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(3);
    private readonly TestProbe _commissioning;

    public JobManagerActorTests()
    {
        _commissioning = CreateTestProbe("commissioning");
    }

    private IActorRef StartManager(JobSettings? settings = null) =>
        Sys.ActorOf(JobManagerActor.Props(_commissioning.Ref, settings ?? JobSettings.Default));

    // Creates a running job; returns its actor and the probe standing in for its attempt.
    private async Task<(IActorRef Job, TestProbe Attempt)> CreateAsync(IActorRef manager, string id)
    {
        var created = await manager.Ask<JobCreated>(new CreateCommissionJob(JobUnderTest.Request(id), []), AskTimeout);
        _commissioning.ExpectMsg<StartCommissioning>(s => s.Request.AttemptId == id);
        var attempt = CreateTestProbe();
        _commissioning.Reply(new CommissioningStarted(id, attempt.Ref));
        return (created.Job, attempt);
    }

    private static Task<JobList> ListAsync(IActorRef manager) => manager.Ask<JobList>(ListJobs.Instance, AskTimeout);

    private static async Task<JobState> StateAsync(IActorRef manager, string id) =>
        (await ListAsync(manager)).Jobs.Single(j => j.JobId == id);

    [Fact]
    public void To_job_with_an_unknown_id_replies_unknown_job()
    {
        var manager = StartManager();
        manager.Tell(new ToJob("nope", GetJob.Instance), TestActor);
        ExpectMsg(new UnknownJob("nope", GetJob.Instance));
    }

    [Fact]
    public async Task Follow_jobs_snapshot_is_frozen_and_live_events_of_all_jobs_follow_without_gaps_or_repeats()
    {
        var manager = StartManager();
        var a = await CreateAsync(manager, "a");
        var b = await CreateAsync(manager, "b");
        for (var i = 1; i <= 3; i++)
        {
            a.Job.Tell(new AttemptOutput("a", $"a{i}"), a.Attempt.Ref);
            b.Job.Tell(new AttemptOutput("b", $"b{i}"), b.Attempt.Ref);
        }

        await AwaitAssertAsync(async () => Assert.Equal(3, (await StateAsync(manager, "b")).OutputLines));

        var follower = CreateTestProbe();
        manager.Tell(FollowJobs.Instance, follower.Ref);
        var snapshot = follower.ExpectMsg<JobList>();
        var frame = FollowJobsFormat.Instance.Format(snapshot, "m1");
        var before = snapshot.Jobs.ToList();

        for (var i = 4; i <= 20; i++)
        {
            a.Job.Tell(new AttemptOutput("a", $"a{i}"), a.Attempt.Ref);
            b.Job.Tell(new AttemptOutput("b", $"b{i}"), b.Attempt.Ref);
        }

        a.Job.Tell(new AttemptFailed("a", BleErrorCodes.Timeout, "no answer"), a.Attempt.Ref);
        await AwaitAssertAsync(async () => Assert.Equal(JobStatus.Failed, (await StateAsync(manager, "a")).Status));
        await AwaitAssertAsync(async () => Assert.Equal(20, (await StateAsync(manager, "b")).OutputLines));

        // The snapshot message and its frame are what they were when taken.
        Assert.Equal(before, snapshot.Jobs);
        Assert.Equal(frame, FollowJobsFormat.Instance.Format(snapshot, "m1"));
        Assert.All(snapshot.Jobs, j => Assert.Equal(JobStatus.Running, j.Status));

        // The manager has handled every event above, so all it sent the follower comes before this answer.
        var live = follower.ReceiveUntilAnswer<JobList>(manager, ListJobs.Instance).Cast<JobEvent>().ToList();
        foreach (var id in new[] { "a", "b" })
        {
            var inSnapshot = snapshot.Jobs.Single(j => j.JobId == id).OutputLines;
            var seqs = live.OfType<JobOutputAppended>().Where(e => e.JobId == id).Select(e => e.Sequence).ToList();
            Assert.Equal(Enumerable.Range((int)inSnapshot + 1, 20 - (int)inSnapshot).Select(i => (long)i), seqs);
        }

        var failed = Assert.Single(live.OfType<JobLifecycleChanged>());
        Assert.Equal("job_failed", failed.EventName);
        Assert.Equal(live.FindLastIndex(e => e.JobId == "a"), live.IndexOf(failed));
    }

    [Fact]
    public async Task Eviction_keeps_at_most_retain_finished_and_never_a_running_job()
    {
        var manager = StartManager(JobSettings.Default with { RetainFinished = 2 });
        Sys.EventStream.Subscribe(TestActor, typeof(JobEvicted));
        var follower = CreateTestProbe();
        manager.Tell(FollowJobs.Instance, follower.Ref);
        follower.ExpectMsg<JobList>();

        var jobs = new Dictionary<string, (IActorRef Job, TestProbe Attempt)>();
        foreach (var id in new[] { "j1", "j2", "j3", "j4" })
        {
            jobs[id] = await CreateAsync(manager, id);
        }

        foreach (var id in new[] { "j1", "j2", "j3" })
        {
            jobs[id].Job.Tell(new AttemptFailed(id, BleErrorCodes.Timeout, "no answer"), jobs[id].Attempt.Ref);
            await AwaitAssertAsync(async () =>
                Assert.True((await ListAsync(manager)).Jobs.SingleOrDefault(j => j.JobId == id) is null or { IsTerminal: true }));
        }

        ExpectMsg(new JobEvicted("j1"));
        follower.FishForMessage(m => m is JobEvicted { JobId: "j1" });
        Watch(jobs["j1"].Job);
        ExpectTerminated(jobs["j1"].Job);
        Assert.Equal(["j2", "j3", "j4"], (await ListAsync(manager)).Jobs.Select(j => j.JobId));
        // The answer is the next message: no other eviction was published before it.
        manager.Tell(new ToJob("j1", GetJob.Instance), TestActor);
        ExpectMsg<UnknownJob>();

        // Nothing finished may be kept: the running job still stays.
        var strict = StartManager(JobSettings.Default with { RetainFinished = 0, RetainFinishedFor = TimeSpan.Zero });
        var done = await CreateAsync(strict, "k1");
        await CreateAsync(strict, "k2");
        done.Job.Tell(new AttemptFailed("k1", BleErrorCodes.Timeout, "no answer"), done.Attempt.Ref);
        ExpectMsg(new JobEvicted("k1"));
        var left = Assert.Single((await ListAsync(strict)).Jobs);
        Assert.Equal("k2", left.JobId);
        Assert.Equal(JobStatus.Running, left.Status);
    }

    // A round trip through the manager, without blocking on a Task.
    private JobList ListNow(IActorRef manager)
    {
        manager.Tell(ListJobs.Instance, TestActor);
        return ExpectMsg<JobList>(AskTimeout);
    }

    [Fact]
    public async Task The_follow_jobs_snapshot_keeps_every_active_job_and_fills_up_with_the_newest_finished_ones()
    {
        var manager = StartManager(JobSettings.Default with { SnapshotMax = 3 });
        var jobs = new Dictionary<string, (IActorRef Job, TestProbe Attempt)>();
        foreach (var id in new[] { "a", "b", "c", "d", "e" })
        {
            jobs[id] = await CreateAsync(manager, id);
        }

        // One after the other: jobs are separate actors, so failures told together may finish in any order.
        foreach (var id in new[] { "a", "b", "c" })
        {
            jobs[id].Job.Tell(new AttemptFailed(id, BleErrorCodes.Timeout, "no answer"), jobs[id].Attempt.Ref);
            await AwaitAssertAsync(async () => Assert.True((await StateAsync(manager, id)).IsTerminal));
        }

        manager.Tell(FollowJobs.Instance, TestActor);
        var snapshot = ExpectMsg<JobList>();
        Assert.Equal(["c", "d", "e"], snapshot.Jobs.Select(j => j.JobId));
        Assert.Equal((5, 2), (snapshot.Total, snapshot.Omitted));

        // More active jobs than the bound: all of them, and no finished one.
        var tight = StartManager(JobSettings.Default with { SnapshotMax = 1 });
        var done = await CreateAsync(tight, "f");
        done.Job.Tell(new AttemptFailed("f", BleErrorCodes.Timeout, "no answer"), done.Attempt.Ref);
        await AwaitAssertAsync(async () => Assert.True((await StateAsync(tight, "f")).IsTerminal));
        await CreateAsync(tight, "g");
        await CreateAsync(tight, "h");
        tight.Tell(FollowJobs.Instance, TestActor);
        var crowded = ExpectMsg<JobList>();
        Assert.Equal(["g", "h"], crowded.Jobs.Select(j => j.JobId));
        Assert.Equal((3, 1), (crowded.Total, crowded.Omitted));
    }

    [Fact]
    public void Creating_beyond_the_per_client_or_service_cap_is_rejected_busy_until_a_job_finishes()
    {
        var manager = StartManager(JobSettings.Default with { MaxActive = 3, MaxActivePerClient = 2 });
        var alice = CreateTestProbe().Ref;
        var bob = CreateTestProbe().Ref;
        object Ask(string id, IActorRef client)
        {
            manager.Tell(new CreateCommissionJob(JobUnderTest.Request(id), [], client), TestActor);
            return ReceiveOne(AskTimeout)!;
        }

        var first = Assert.IsType<JobCreated>(Ask("a1", alice));
        _commissioning.ExpectMsg<StartCommissioning>();
        Assert.IsType<JobCreated>(Ask("a2", alice));
        _commissioning.ExpectMsg<StartCommissioning>();
        var perClient = Assert.IsType<JobRejected>(Ask("a3", alice));
        Assert.Equal("busy", perClient.ErrorCode);
        Assert.Contains("this connection", perClient.Message);

        Assert.IsType<JobCreated>(Ask("b1", bob));
        _commissioning.ExpectMsg<StartCommissioning>();
        var service = Assert.IsType<JobRejected>(Ask("b2", bob));
        Assert.Contains("the service already has 3", service.Message);
        Assert.Equal(["a1", "a2", "b1"], ListNow(manager).Jobs.Select(j => j.JobId));

        first.Job.Tell(new AttemptCancelled("a1", "user"));
        AwaitAssert(() => Assert.True(ListNow(manager).Jobs.Single(j => j.JobId == "a1").IsTerminal));
        Assert.IsType<JobCreated>(Ask("a4", alice));
    }

    [Fact]
    public void A_jobs_created_at_never_changes_so_pages_keep_their_order()
    {
        var manager = StartManager();
        // Both are queued before the manager runs: the listing is taken before the job's own events arrive.
        manager.Tell(new CreateCommissionJob(JobUnderTest.Request("t1"), []), TestActor);
        manager.Tell(ListJobs.Instance, TestActor);
        ExpectMsg<JobCreated>();
        var listed = ExpectMsg<JobList>().Jobs.Single().CreatedAt;

        manager.Tell(new ToJob("t1", GetJob.Instance), TestActor);
        Assert.Equal(listed, ExpectMsg<JobSnapshot>().State.CreatedAt);
        // The job published job_queued before answering, so the manager has folded it in by now.
        Assert.Equal(listed, ListNow(manager).Jobs.Single().CreatedAt);
    }
}
