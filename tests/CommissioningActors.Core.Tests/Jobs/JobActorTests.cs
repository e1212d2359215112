using Akka.Actor;
using Akka.Streams;
using Akka.TestKit.Xunit2;
using CommissioningActors.Core.Commissioning;
using CommissioningActors.Core.Controller;
using CommissioningActors.Core.Jobs;
using CommissioningActors.Core.Streams;
using CommissioningActors.Core.Tests.Streams;
using CommissioningActors.Protocol.BleProxy;

namespace CommissioningActors.Core.Tests.Jobs;

public sealed class JobActorTests : TestKit
{
    private IActorRef Follow(IActorRef job, FakeSocketWriter writer, string messageId = "m1") =>
        CreateTestProbe().ChildActorOf(FollowerActor.Props(messageId, job, FollowJob.Instance, writer, Sys.Materializer(),
            FollowJobFormat.Instance, 4000));

    [Fact]
    public void Cancel_reaches_the_attempt_and_followers_get_one_job_cancelled_then_their_stream_ends()
    {
        var job = JobUnderTest.Start(this, "c1");
        job.Output("line 1");
        var writers = new[] { new FakeSocketWriter(), new FakeSocketWriter() };
        var followers = writers.Select(w => Watch(Follow(job.Job, w))).ToList();
        AwaitAssert(() => Assert.Equal(2, job.FollowerCount()));

        job.Job.Tell(new CancelJob("user"), TestActor);
        ExpectMsg(new CancelJobResult("c1", true));
        Assert.Equal("user", job.Attempt.ExpectMsg<CancelAttempt>().Reason);

        job.Outcome(new AttemptCancelled("c1", "user"));
        // A stray late outcome must not produce a second verdict.
        job.Outcome(new AttemptFailed("c1", BleErrorCodes.Timeout, "late"));
        var stopped = ReceiveN(2).Cast<Terminated>().Select(t => t.ActorRef).ToHashSet();
        Assert.True(stopped.SetEquals(followers));

        foreach (var writer in writers)
        {
            var names = writer.Frames.Select(FakeSocketWriter.EventName).ToList();
            Assert.Equal(["job_snapshot", "job_cancelled"], names);
        }

        var state = job.Snapshot().State;
        Assert.Equal(JobStatus.Cancelled, state.Status);
        Assert.Equal(0, job.FollowerCount());
        job.Job.Tell(new CancelJob("again"), TestActor);
        ExpectMsg(new CancelJobResult("c1", false));

        var terminal = job.PublishedToManager().OfType<JobLifecycleChanged>()
            .Where(e => e.State.IsTerminal).ToList();
        Assert.Equal(["job_cancelled"], terminal.Select(e => e.EventName));
    }

    [Fact]
    public void Slot_exhaustion_seen_early_is_the_verdict_and_the_trim_notice_counts_every_elided_line()
    {
        const string secret = "20202021";
        var limits = new JobOutputLimits(InFlightCap: 10, RetentionFloor: 4);
        var job = JobUnderTest.Start(this, "v1", limits, [secret]);
        job.Output($"connect failed: out_of_connection_slots on proxy-1 (passcode {secret})");
        for (var i = 1; i <= 30; i++)
        {
            job.Output($"line {i} code 2020-2021");
        }

        var running = job.Snapshot();
        Assert.True(running.State.SawSlotExhaustion);
        Assert.Equal(31, running.Output.LastSequence);
        Assert.Equal(JobOutputBuffer.TrimNotice(running.Output.Elided), running.Output.Lines[0]);
        Assert.Equal(21, running.Output.Elided);

        job.Outcome(new AttemptFailed("v1", BleErrorCodes.Timeout, $"no answer (passcode {secret})"));
        var final = job.Snapshot();
        Assert.Equal(JobStatus.Failed, final.State.Status);
        Assert.Equal(BleErrorCodes.OutOfConnectionSlots, final.State.ErrorCode);
        Assert.True(final.State.SawSlotExhaustion);
        Assert.Equal(31 - 4, final.Output.Elided);
        Assert.Equal(27, final.State.OutputElided);
        Assert.Equal(
            ["... [output trimmed: 27 earlier line(s) elided]", "line 27 code ***", "line 28 code ***", "line 29 code ***", "line 30 code ***"],
            final.Output.Lines);

        var published = job.PublishedToManager().OfType<JobEvent>().ToList();
        var lines = published.OfType<JobOutputAppended>().ToList();
        Assert.Equal(31, lines.Count);
        Assert.All(lines, l => Assert.DoesNotContain("2021", l.Line));
        Assert.All(running.Output.Lines.Concat(final.Output.Lines), l => Assert.DoesNotContain("2021", l));
        Assert.DoesNotContain(secret, ControllerJson.JobWithOutput(final).ToJsonString());
        Assert.All(published.OfType<JobLifecycleChanged>(), e => Assert.DoesNotContain(secret, ControllerJson.Job(e.State).ToJsonString()));
    }

    [Fact]
    public void An_attempt_that_stops_without_an_outcome_fails_the_job_once()
    {
        var job = JobUnderTest.Start(this, "s1");
        var writer = new FakeSocketWriter();
        var follower = Watch(Follow(job.Job, writer));
        AwaitAssert(() => Assert.Equal(1, job.FollowerCount()));
        Sys.Stop(job.Attempt.Ref);
        ExpectTerminated(follower);
        Assert.Equal(["job_snapshot", "job_failed"], writer.Frames.Select(FakeSocketWriter.EventName));
        Assert.Equal(BleErrorCodes.InternalError, job.Snapshot().State.ErrorCode);
    }

    [Theory]
    [InlineData("completed", "job_completed")]
    [InlineData("failed", "job_failed")]
    [InlineData("cancelled", "job_cancelled")]
    public void Following_a_finished_job_sends_its_snapshot_then_exactly_one_terminal_event_and_ends(string verdict, string terminal)
    {
        var job = JobUnderTest.Start(this, "d1");
        job.Output("line 1");
        job.Outcome(verdict switch
        {
            "completed" => new AttemptSucceeded("d1", "C0:FF:EE:00:00:01", "proxy-1", 3840, 0xFFF1, 0x8001, 247,
                new CommissioningActors.Protocol.Matter.Btp.BtpHandshakeResponse(4, 244, 6)),
            "failed" => new AttemptFailed("d1", BleErrorCodes.Timeout, "no answer"),
            _ => new AttemptCancelled("d1", "user"),
        });
        AwaitAssert(() => Assert.True(job.Snapshot().State.IsTerminal));

        var writer = new FakeSocketWriter();
        var follower = Watch(Follow(job.Job, writer));
        ExpectTerminated(follower);

        Assert.Equal(["job_snapshot", terminal], writer.Frames.Select(FakeSocketWriter.EventName));
        var last = FakeSocketWriter.Parse(writer.Frames[^1]);
        Assert.Equal("m1", last["message_id"]!.GetValue<string>());
        Assert.Equal("d1", last["data"]!["job_id"]!.GetValue<string>());
        Assert.Equal(verdict, last["data"]!["status"]!.GetValue<string>());
        Assert.Equal(0, job.FollowerCount());
    }
}
