using Akka.Actor;
using Akka.Streams;
using Akka.TestKit.Xunit2;
using CommissioningActors.Core.Streams;

namespace CommissioningActors.Core.Tests.Streams;

public sealed class FollowerActorTests : TestKit
{
    // Strings are frames; nothing ends the stream.
    private sealed class TextFormat : IFollowFormat
    {
        public string? Format(object message, string messageId) => message as string;

        public bool IsTerminal(object message) => false;
    }

    private (IActorRef Follower, Akka.TestKit.TestProbe Parent, Akka.TestKit.TestProbe Publisher) Start(FakeSocketWriter writer, int buffer)
    {
        var parent = CreateTestProbe();
        var publisher = CreateTestProbe();
        var follower = parent.ChildActorOf(FollowerActor.Props("m1", publisher.Ref, "subscribe", writer, Sys.Materializer(),
            new TextFormat(), buffer));
        publisher.ExpectMsg("subscribe");
        return (Watch(follower), parent, publisher);
    }

    [Fact]
    public void A_follower_that_falls_its_buffer_behind_reports_overflow_and_stops()
    {
        var writer = new FakeSocketWriter { HoldAll = true };
        var (follower, parent, publisher) = Start(writer, 5);
        for (var i = 0; i < 50; i++)
        {
            publisher.Send(follower, $"e{i}");
        }

        Assert.Equal(new FollowerOverflowed("m1", 5), parent.ExpectMsg<FollowerOverflowed>());
        ExpectTerminated(follower);
        // Anything the follower told its parent before it stopped is queued by now: only the one report.
        Assert.Empty(parent.Queued());
        Assert.True(writer.Frames.Count < 50);
    }

    [Fact]
    public void A_write_that_throws_reports_failure_not_overflow_and_stops()
    {
        var writer = new FakeSocketWriter { ThrowOn = f => f == "e1" };
        var (follower, parent, publisher) = Start(writer, 5);
        publisher.Send(follower, "e0");
        publisher.Send(follower, "e1");
        var failed = parent.ExpectMsg<FollowerFailed>();
        Assert.Equal("m1", failed.MessageId);
        Assert.Contains("socket write failed", failed.Reason);
        ExpectTerminated(follower);
        // Anything the follower told its parent before it stopped is queued by now: only the one report.
        Assert.Empty(parent.Queued());
    }

    [Fact]
    public void A_publisher_that_goes_away_fails_the_follower()
    {
        var writer = new FakeSocketWriter();
        var (follower, parent, publisher) = Start(writer, 5);
        Sys.Stop(publisher.Ref);
        parent.ExpectMsg<FollowerFailed>();
        ExpectTerminated(follower);
    }
}
