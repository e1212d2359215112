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
    public void Closing_the_socket_or_unsubscribing_leaves_no_follower_behind()
    {
        var world = new SessionWorld(this);
        var job = world.CreateJob("j1");
        var writers = new[] { new FakeSocketWriter(), new FakeSocketWriter() };
        var sessions = writers.Select(w => world.Session(w).Session).ToList();
        foreach (var session in sessions)
        {
            SessionWorld.Command(session, "f1", "follow_job", new JsonObject { ["job_id"] = "j1" });
            SessionWorld.Command(session, "f2", "follow_jobs");
            SessionWorld.Command(session, "f3", "subscribe_events");
        }

        AwaitAssert(() =>
        {
            Assert.Equal(2, world.JobFollowers("j1"));
            Assert.Equal(2, SessionWorld.Count(world.Jobs));
            Assert.Equal(2, SessionWorld.Count(world.Events));
        });
        var streams = world.Streams(sessions[0]);
        Assert.Equal(3, streams.Count);
        streams.ToList().ForEach(s => Watch(s));

        SessionWorld.Command(sessions[0], "u1", "unsubscribe", new JsonObject { ["stream_id"] = "f2" });
        AwaitAssert(() => Assert.Equal(1, SessionWorld.Count(world.Jobs)));
        Assert.Equal(2, world.JobFollowers("j1"));

        sessions[0].Tell(new SocketClosed("peer went away"));
        var stopped = ReceiveN(3).Cast<Terminated>().Select(t => t.ActorRef).ToHashSet();
        Assert.True(stopped.SetEquals(streams));
        AwaitAssert(() =>
        {
            Assert.Equal(1, world.JobFollowers("j1"));
            Assert.Equal(1, SessionWorld.Count(world.Jobs));
            Assert.Equal(1, SessionWorld.Count(world.Events));
        });

        // More events: the closed session's streams are complete, the other session still gets them.
        var closedFrames = writers[0].Frames.Count;
        var openFrames = writers[1].Frames.Count;
        job.Job.Tell(new AttemptOutput("j1", "after close"), job.Attempt.Ref);
        PublishProxies(0, 3);
        AwaitCondition(() => writers[1].Frames.Count >= openFrames + 2 + 3);
        Thread.Sleep(200);
        Assert.Equal(closedFrames, writers[0].Frames.Count);

        sessions[1].Tell(new SocketClosed("bye"));
        AwaitAssert(() =>
        {
            Assert.Equal(0, world.JobFollowers("j1"));
            Assert.Equal(0, SessionWorld.Count(world.Jobs));
            Assert.Equal(0, SessionWorld.Count(world.Events));
        });
    }

    [Fact]
    public void An_overflowing_stream_sends_backpressure_once_through_send_then_close_and_nothing_after()
    {
        var world = new SessionWorld(this, followerBuffer: 5);
        var writer = new FakeSocketWriter { HoldAll = true };
        var (session, outbound) = world.Session(writer);
        SessionWorld.Command(session, "s1", "subscribe_events");
        SessionWorld.Command(session, "s2", "subscribe_events");
        AwaitAssert(() => Assert.Equal(2, SessionWorld.Count(world.Events)));

        PublishProxies(0, 50);
        AwaitCondition(() => writer.Closes.Count > 0);
        AwaitAssert(() => Assert.Equal(0, SessionWorld.Count(world.Events)));
        var framesAtClose = writer.Frames.Count;
        PublishProxies(50, 50);
        Thread.Sleep(300);

        var (frame, status, _) = Assert.Single(writer.Closes);
        var error = FakeSocketWriter.Parse(frame);
        Assert.Equal(ControllerErrorCodes.Backpressure, error["error_code"]!.GetValue<string>());
        Assert.Contains(error["message_id"]!.GetValue<string>(), new[] { "s1", "s2" });
        Assert.Equal(1008, status);
        Assert.Equal(framesAtClose, writer.Frames.Count);
        var sent = outbound.ReceiveWhile(TimeSpan.FromMilliseconds(200), m => m).OfType<SendText>()
            .Select(t => FakeSocketWriter.Parse(t.Text)["message_id"]?.GetValue<string>());
        Assert.DoesNotContain("s1", sent);
        Assert.DoesNotContain("s2", sent);
    }

    [Fact]
    public void A_generic_stream_failure_reports_an_error_on_that_stream_and_keeps_the_socket_and_other_streams()
    {
        var world = new SessionWorld(this);
        var writer = new FakeSocketWriter { ThrowOn = f => FakeSocketWriter.Parse(f)["message_id"]?.GetValue<string>() == "bad" };
        var (session, outbound) = world.Session(writer);
        SessionWorld.Command(session, "good", "subscribe_events");
        AwaitAssert(() => Assert.Equal(1, SessionWorld.Count(world.Events)));
        SessionWorld.Command(session, "bad", "subscribe_events");

        var error = outbound.FishForMessage<SendText>(t => FakeSocketWriter.Parse(t.Text)["message_id"]?.GetValue<string>() == "bad");
        Assert.Equal(ControllerErrorCodes.InternalError, FakeSocketWriter.Parse(error.Text)["error_code"]!.GetValue<string>());
        AwaitAssert(() => Assert.Equal(1, SessionWorld.Count(session)));
        AwaitAssert(() => Assert.Equal(1, SessionWorld.Count(world.Events)));

        PublishProxies(0, 3);
        AwaitCondition(() => SessionWorld.FramesOf(writer, "good").Count() == 4);
        Assert.Empty(writer.Closes);
        Assert.Empty(outbound.ReceiveWhile(TimeSpan.FromMilliseconds(200), m => m).OfType<CloseSocket>());

        // The session still answers commands.
        SessionWorld.Command(session, "l1", "list_jobs");
        outbound.FishForMessage<SendText>(t => FakeSocketWriter.Parse(t.Text)["message_id"]?.GetValue<string>() == "l1");
    }
}
