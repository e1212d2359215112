using Akka.Actor;
using Akka.Streams;
using Akka.TestKit.Xunit2;
using CommissioningActors.Core.Streams;

namespace CommissioningActors.Core.Tests.Streams;

/// <summary>A publisher that routes the follower to the real source (the manager forwarding to a job).</summary>
public sealed class FollowerSourceTests : TestKit
{
    private sealed class TextFormat : IFollowFormat
    {
        public string? Format(object message, string messageId) => message as string;

        public bool IsTerminal(object message) => false;
    }

    [Fact]
    public void A_source_that_stops_without_a_terminal_event_fails_the_stream_instead_of_leaving_it_hanging()
    {
        var parent = CreateTestProbe();
        var manager = CreateTestProbe();
        var job = CreateTestProbe();
        var follower = parent.ChildActorOf(FollowerActor.Props("m1", manager.Ref, "follow", new FakeSocketWriter(), Sys.Materializer(),
            new TextFormat(), 10));
        Watch(follower);
        manager.ExpectMsg("follow");
        job.Send(follower, "snapshot"); // the job answers for the manager

        Sys.Stop(job.Ref);

        Assert.Equal("m1", parent.ExpectMsg<FollowerFailed>().MessageId);
        ExpectTerminated(follower);
    }
}
