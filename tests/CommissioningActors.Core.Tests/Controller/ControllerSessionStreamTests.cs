using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using CommissioningActors.Core.Commissioning;
using CommissioningActors.Core.Events;
using CommissioningActors.Core.Jobs;
using CommissioningActors.Core.Proxies;
using CommissioningActors.Core.Sockets;
using CommissioningActors.Core.Tests.Streams;
using CommissioningActors.Protocol.Controller;

namespace CommissioningActors.Core.Tests.Controller;

public sealed class ControllerSessionStreamTests : TestKit
{
    private void PublishProxies(int from, int count)
    {
        for (var i = from; i < from + count; i++)
        {
            Sys.EventStream.Publish(new ProxyConnected($"p{i}", $"proxy {i}", TestActor, TestActor, 3));
        }
    }

    [Fact]
    public async Task An_unsubscribe_reply_comes_after_the_last_frame_of_the_stream_it_ends()
    {
        var world = new SessionWorld(this);
        await world.ReadyAsync();
        var writer = new FakeSocketWriter { HoldFirst = true };
        var (session, outbound) = world.Session(writer);
        SessionWorld.Command(session, "s1", "subscribe_events");
        // The snapshot's send has started and is held: everything after it queues in the follower's stream.
        await AwaitConditionAsync(() => Task.FromResult(writer.Frames.Count == 1));
        PublishProxies(0, 5);
        // The hub has told the follower every event before it answers (so before the stop below reaches it).
        await world.ReadyAsync();

        SessionWorld.Command(session, "u1", "unsubscribe", new JsonObject { ["stream_id"] = "s1" });
        Assert.Equal(0, await SessionWorld.CountAsync(session));
        // That round trip went through the session after the unsubscribe: an early reply would be queued now.
        Assert.DoesNotContain(outbound.Queued().OfType<SendText>(), t => t.Text.Contains("\"u1\"", StringComparison.Ordinal));

        writer.Release();
        var reply = outbound.FishForMessage<SendText>(t => t.Text.Contains("\"u1\"", StringComparison.Ordinal));
        Assert.True(FakeSocketWriter.Parse(reply.Text)["result"]!["unsubscribed"]!.GetValue<bool>());
        // Every frame of the stream was written before the reply was even handed to the socket.
        var frames = SessionWorld.FramesOf(writer, "s1").ToList();
        Assert.Equal(6, frames.Count);
        Assert.Equal(5, frames.Count(f => FakeSocketWriter.EventName(f) == "proxy_connected"));
    }

    [Fact]
    public async Task Closing_the_socket_or_unsubscribing_leaves_no_follower_behind()
    {
        var world = new SessionWorld(this);
        await world.ReadyAsync();
        var job = await world.CreateJobAsync("j1");
        var writers = new[] { new FakeSocketWriter(), new FakeSocketWriter() };
        var sessions = writers.Select(w => world.Session(w).Session).ToList();
        foreach (var session in sessions)
        {
            SessionWorld.Command(session, "f1", "follow_job", new JsonObject { ["job_id"] = "j1" });
            SessionWorld.Command(session, "f2", "follow_jobs");
            SessionWorld.Command(session, "f3", "subscribe_events");
        }

        await AwaitAssertAsync(async () =>
        {
            Assert.Equal(2, await world.JobFollowersAsync("j1"));
            Assert.Equal(2, await SessionWorld.CountAsync(world.Jobs));
            Assert.Equal(2, await SessionWorld.CountAsync(world.Events));
        });
        var streams = await world.StreamsAsync(sessions[0]);
        Assert.Equal(3, streams.Count);
        streams.ToList().ForEach(s => Watch(s));

        SessionWorld.Command(sessions[0], "u1", "unsubscribe", new JsonObject { ["stream_id"] = "f2" });
        await AwaitAssertAsync(async () => Assert.Equal(1, await SessionWorld.CountAsync(world.Jobs)));
        Assert.Equal(2, await world.JobFollowersAsync("j1"));

        sessions[0].Tell(new SocketClosed("peer went away"));
        var stopped = ReceiveN(3).Cast<Terminated>().Select(t => t.ActorRef).ToHashSet();
        Assert.True(stopped.SetEquals(streams));
        await AwaitAssertAsync(async () =>
        {
            Assert.Equal(1, await world.JobFollowersAsync("j1"));
            Assert.Equal(1, await SessionWorld.CountAsync(world.Jobs));
            Assert.Equal(1, await SessionWorld.CountAsync(world.Events));
        });

        // More events: the closed session's followers are gone from every publisher (counts above), so once the
        // open session has the new frames, the closed one cannot get any.
        var closedFrames = writers[0].Frames.Count;
        var openFrames = writers[1].Frames.Count;
        job.Job.Tell(new AttemptOutput("j1", "after close"), job.Attempt.Ref);
        PublishProxies(0, 3);
        await AwaitConditionAsync(() => Task.FromResult(writers[1].Frames.Count >= openFrames + 2 + 3));
        Assert.Equal(closedFrames, writers[0].Frames.Count);

        sessions[1].Tell(new SocketClosed("bye"));
        await AwaitAssertAsync(async () =>
        {
            Assert.Equal(0, await world.JobFollowersAsync("j1"));
            Assert.Equal(0, await SessionWorld.CountAsync(world.Jobs));
            Assert.Equal(0, await SessionWorld.CountAsync(world.Events));
        });
    }

    [Fact]
    public async Task An_overflowing_stream_sends_backpressure_once_through_send_then_close_and_nothing_after()
    {
        var world = new SessionWorld(this, followerBuffer: 5);
        await world.ReadyAsync();
        var writer = new FakeSocketWriter { HoldAll = true };
        var (session, outbound) = world.Session(writer);
        SessionWorld.Command(session, "s1", "subscribe_events");
        SessionWorld.Command(session, "s2", "subscribe_events");
        await AwaitAssertAsync(async () => Assert.Equal(2, await SessionWorld.CountAsync(world.Events)));

        PublishProxies(0, 50);
        await AwaitConditionAsync(() => Task.FromResult(writer.Closes.Count > 0));
        await AwaitAssertAsync(async () => Assert.Equal(0, await SessionWorld.CountAsync(world.Events)));
        var framesAtClose = writer.Frames.Count;
        PublishProxies(50, 50);
        // The hub has handled all 50 once it answers, and it has no subscriber left to send them to.
        Assert.Equal(0, await SessionWorld.CountAsync(world.Events));
        // Whatever the session sent through outbound is queued once it answers.
        await SessionWorld.CountAsync(session);

        var (frame, status, _) = Assert.Single(writer.Closes);
        var error = FakeSocketWriter.Parse(frame);
        Assert.Equal(ControllerErrorCodes.Backpressure, error["error_code"]!.GetValue<string>());
        Assert.Contains(error["message_id"]!.GetValue<string>(), new[] { "s1", "s2" });
        Assert.Equal(1008, status);
        Assert.Equal(framesAtClose, writer.Frames.Count);
        var sent = outbound.Queued().OfType<SendText>().Select(t => FakeSocketWriter.Parse(t.Text)["message_id"]?.GetValue<string>());
        Assert.DoesNotContain("s1", sent);
        Assert.DoesNotContain("s2", sent);
    }

    [Fact]
    public async Task A_generic_stream_failure_reports_an_error_on_that_stream_and_keeps_the_socket_and_other_streams()
    {
        var world = new SessionWorld(this);
        await world.ReadyAsync();
        var writer = new FakeSocketWriter { ThrowOn = f => FakeSocketWriter.Parse(f)["message_id"]?.GetValue<string>() == "bad" };
        var (session, outbound) = world.Session(writer);
        SessionWorld.Command(session, "good", "subscribe_events");
        await AwaitAssertAsync(async () => Assert.Equal(1, await SessionWorld.CountAsync(world.Events)));
        SessionWorld.Command(session, "bad", "subscribe_events");

        var error = outbound.FishForMessage<SendText>(t => FakeSocketWriter.Parse(t.Text)["message_id"]?.GetValue<string>() == "bad");
        Assert.Equal(ControllerErrorCodes.InternalError, FakeSocketWriter.Parse(error.Text)["error_code"]!.GetValue<string>());
        await AwaitAssertAsync(async () => Assert.Equal(1, await SessionWorld.CountAsync(session)));
        await AwaitAssertAsync(async () => Assert.Equal(1, await SessionWorld.CountAsync(world.Events)));

        PublishProxies(0, 3);
        await AwaitConditionAsync(() => Task.FromResult(SessionWorld.FramesOf(writer, "good").Count() == 4));
        Assert.Empty(writer.Closes);

        // The session still answers commands, and nothing it sent before the answer closed the socket.
        SessionWorld.Command(session, "l1", "list_jobs");
        var untilAnswer = new List<object>();
        outbound.FishForMessage(m =>
        {
            untilAnswer.Add(m);
            return m is SendText t && FakeSocketWriter.Parse(t.Text)["message_id"]?.GetValue<string>() == "l1";
        });
        Assert.Empty(untilAnswer.OfType<CloseSocket>());
    }
}
