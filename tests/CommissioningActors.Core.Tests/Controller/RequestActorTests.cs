using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using CommissioningActors.Core.Controller;
using CommissioningActors.Core.Sockets;
using CommissioningActors.Protocol.Controller;

namespace CommissioningActors.Core.Tests.Controller;

/// <summary>RequestActor on virtual time: its 10 s deadline fires only when the TestScheduler is advanced.</summary>
public sealed class RequestActorTests() : TestKit("akka.scheduler.implementation = \"Akka.TestKit.TestScheduler, Akka.TestKit\"")
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private TestScheduler Clock => (TestScheduler)Sys.Scheduler;

    private (IActorRef Request, TestProbe Target, TestProbe Outbound) Start()
    {
        var target = CreateTestProbe();
        var outbound = CreateTestProbe();
        var request = Sys.ActorOf(RequestActor.Props("m1", target.Ref, "question", outbound.Ref,
            reply => reply is string s ? ControllerCodec.Result("m1", new System.Text.Json.Nodes.JsonObject { ["answer"] = s }) : null));
        Watch(request);
        Assert.Equal("question", target.ExpectMsg<string>());
        return (request, target, outbound);
    }

    [Fact]
    public void No_answer_gets_an_internal_error_on_the_message_id_exactly_at_the_deadline_and_the_actor_stops()
    {
        var (request, target, outbound) = Start();

        Clock.Advance(Deadline - TimeSpan.FromMilliseconds(1));
        Assert.True(this.Settle(request));
        Assert.Empty(outbound.Queued());

        Clock.Advance(TimeSpan.FromMilliseconds(1));
        var error = Streams.FakeSocketWriter.Parse(outbound.ExpectMsg<SendText>().Text);
        Assert.Equal("m1", error["message_id"]!.GetValue<string>());
        Assert.Equal(ControllerErrorCodes.InternalError, error["error_code"]!.GetValue<string>());
        ExpectTerminated(request);

        // A late answer reaches nobody: the client got exactly one frame for its command.
        target.Reply("too late");
        Assert.Empty(outbound.Queued());
    }

    [Fact]
    public void An_answer_in_time_is_the_one_frame_and_the_deadline_is_gone_with_the_actor()
    {
        var (request, target, outbound) = Start();

        target.Reply("42");

        var result = Streams.FakeSocketWriter.Parse(outbound.ExpectMsg<SendText>().Text);
        Assert.Equal("42", result["result"]!["answer"]!.GetValue<string>());
        ExpectTerminated(request);
        Clock.Advance(Deadline * 2);
        Assert.Empty(outbound.Queued());
    }

    [Fact]
    public void A_failure_reply_is_an_internal_error_with_its_reason()
    {
        var (request, target, outbound) = Start();

        target.Reply(new Status.Failure(new InvalidOperationException("job a1 already exists")));

        var error = Streams.FakeSocketWriter.Parse(outbound.ExpectMsg<SendText>().Text);
        Assert.Equal(ControllerErrorCodes.InternalError, error["error_code"]!.GetValue<string>());
        Assert.Contains("already exists", error["details"]!.GetValue<string>());
        ExpectTerminated(request);
    }
}
