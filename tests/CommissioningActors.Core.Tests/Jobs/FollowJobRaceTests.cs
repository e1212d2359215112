using Akka.Actor;
using Akka.Streams;
using Akka.TestKit.Xunit2;
using CommissioningActors.Core.Commissioning;
using CommissioningActors.Core.Controller;
using CommissioningActors.Core.Jobs;
using CommissioningActors.Core.Streams;
using CommissioningActors.Core.Tests.Streams;

namespace CommissioningActors.Core.Tests.Jobs;

/// <summary>follow_job: the snapshot and the subscription are one step, whatever the socket is doing.</summary>
public sealed class FollowJobRaceTests : TestKit
{
    private IActorRef Follow(IActorRef job, FakeSocketWriter writer, string messageId = "m1") =>
        CreateTestProbe().ChildActorOf(FollowerActor.Props(messageId, job, FollowJob.Instance, writer, Sys.Materializer(),
            FollowJobFormat.Instance, 4000));

    // Checks the whole stream: snapshot, then every later line once and in order, then one terminal event.
    private static void AssertStream(IReadOnlyList<string> frames, long total, string terminal)
    {
        var snapshot = FakeSocketWriter.Parse(frames[0]);
        Assert.Equal("job_snapshot", snapshot["event"]!.GetValue<string>());
        var inSnapshot = snapshot["data"]!["output_lines"]!.GetValue<long>();
        var output = snapshot["data"]!["output"]!.AsArray().Select(l => l!.GetValue<string>()).ToList();
        Assert.Equal(Enumerable.Range(1, (int)inSnapshot).Select(i => $"line {i}"), output);

        var live = frames.Skip(1).Select(FakeSocketWriter.Parse).ToList();
        Assert.Equal(terminal, live[^1]["event"]!.GetValue<string>());
        var lines = live.SkipLast(1).ToList();
        Assert.All(lines, f => Assert.Equal("job_output", f["event"]!.GetValue<string>()));
        var seqs = lines.Select(f => f["data"]!["seq"]!.GetValue<long>()).ToList();
        Assert.Equal(LongRange(inSnapshot + 1, total), seqs);
        Assert.All(lines, f => Assert.Equal($"line {f["data"]!["seq"]}", f["data"]!["line"]!.GetValue<string>()));
    }

    private static IEnumerable<long> LongRange(long from, long to)
    {
        for (var i = from; i <= to; i++)
        {
            yield return i;
        }
    }

    [Fact]
    public void Lines_appended_while_the_snapshot_send_is_blocked_follow_it_exactly_once_in_order()
    {
        var job = JobUnderTest.Start(this, "j1");
        for (var i = 1; i <= 5; i++)
        {
            job.Output($"line {i}");
        }

        Assert.Equal(5, job.Snapshot().Output.LastSequence);

        var writer = new FakeSocketWriter { HoldFirst = true };
        var follower = Watch(Follow(job.Job, writer));
        AwaitCondition(() => writer.Frames.Count == 1);
        AwaitAssert(() => Assert.Equal(1, job.FollowerCount()));

        for (var i = 6; i <= 25; i++)
        {
            job.Output($"line {i}");
        }

        Assert.Equal(25, job.Snapshot().Output.LastSequence);
        Assert.Single(writer.Frames);

        writer.Release();
        job.Outcome(new AttemptFailed("j1", "timeout", "no answer"));
        ExpectTerminated(follower);

        var frames = writer.Frames;
        Assert.Equal(1 + 20 + 1, frames.Count);
        AssertStream(frames, 25, "job_failed");
        Assert.Equal(5, FakeSocketWriter.Parse(frames[0])["data"]!["output_lines"]!.GetValue<long>());
        Assert.False(writer.Overlapped);
    }

    [Fact]
    public async Task A_follow_sent_while_lines_stream_in_sees_each_line_once()
    {
        const int total = 3000;
        var job = JobUnderTest.Start(this, "j2");
        var halfway = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var feeder = Task.Run(async () =>
        {
            for (var i = 1; i <= total; i++)
            {
                job.Output($"line {i}");
                if (i == total / 4)
                {
                    halfway.SetResult();
                }

                // Bursts, so the FollowJob lands in the job's mailbox between queued lines.
                if (i % 50 == 0)
                {
                    await Task.Delay(1);
                }
            }
        });

        await halfway.Task;
        var writer = new FakeSocketWriter { HoldFirst = true };
        var follower = Watch(Follow(job.Job, writer));
        AwaitCondition(() => writer.Frames.Count == 1);
        await Task.Delay(20);
        writer.Release();
        await feeder;
        job.Outcome(new AttemptFailed("j2", "timeout", "no answer"));
        ExpectTerminated(follower);

        var frames = writer.Frames;
        AssertStream(frames, total, "job_failed");
        var inSnapshot = FakeSocketWriter.Parse(frames[0])["data"]!["output_lines"]!.GetValue<long>();
        Assert.InRange(inSnapshot, total / 4, total);
        Assert.False(writer.Overlapped);
    }

    [Fact]
    public void A_follow_queued_between_lines_gets_the_lines_behind_it_live()
    {
        var job = JobUnderTest.Start(this, "j3");
        for (var i = 1; i <= 10; i++)
        {
            job.Output($"line {i}");
        }

        // A relay stands in as the publisher, so the FollowJob can be queued right between two runs of lines.
        var relay = CreateTestProbe();
        var writer = new FakeSocketWriter { HoldFirst = true };
        var follower = Watch(CreateTestProbe().ChildActorOf(FollowerActor.Props("m3", relay.Ref, FollowJob.Instance, writer,
            Sys.Materializer(), FollowJobFormat.Instance, 4000)));
        relay.ExpectMsg<FollowJob>();
        job.Job.Tell(FollowJob.Instance, follower);
        for (var i = 11; i <= 300; i++)
        {
            job.Output($"line {i}");
        }

        AwaitCondition(() => writer.Frames.Count == 1);
        writer.Release();
        job.Outcome(new AttemptFailed("j3", "timeout", "no answer"));
        ExpectTerminated(follower);
        AssertStream(writer.Frames, 300, "job_failed");
    }
}
