using System.Text;
using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Streams;
using Akka.TestKit;
using CommissioningActors.Core.Commissioning;
using CommissioningActors.Core.Controller;
using CommissioningActors.Core.Events;
using CommissioningActors.Core.Jobs;
using CommissioningActors.Core.Sockets;
using CommissioningActors.Core.Tests.Jobs;
using CommissioningActors.Core.Tests.Streams;
using CommissioningActors.Protocol.Controller;

namespace CommissioningActors.Core.Tests.Controller;

/// <summary>A real job manager and event hub behind controller sessions; the commissioning side is a probe.</summary>
public sealed class SessionWorld
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(3);
    private readonly Akka.TestKit.Xunit2.TestKit _kit;
    private readonly int _followerBuffer;

    public SessionWorld(Akka.TestKit.Xunit2.TestKit kit, int followerBuffer = 4000)
    {
        _kit = kit;
        _followerBuffer = followerBuffer;
        Commissioning = kit.CreateTestProbe();
        Jobs = kit.Sys.ActorOf(JobManagerActor.Props(Commissioning.Ref, JobSettings.Default));
        Events = kit.Sys.ActorOf(EventHubActor.Props());
    }

    /// <summary>A round trip to the hub: it has subscribed to the event stream, so nothing published later is missed.</summary>
    public Task ReadyAsync() => Events.Ask<InitialState>(GetInitialState.Instance, AskTimeout);

    public TestProbe Commissioning { get; }
    public IActorRef Jobs { get; }
    public IActorRef Events { get; }

    public (IActorRef Session, TestProbe Outbound) Session(ISocketWriter writer)
    {
        var outbound = _kit.CreateTestProbe();
        var services = new ControllerServices(Jobs, Events, _kit.Sys.Materializer(), 64 * 1024, _followerBuffer);
        return (_kit.Sys.ActorOf(ControllerSessionActor.Props(outbound.Ref, writer, services)), outbound);
    }

    public static void Command(IActorRef session, string messageId, string command, JsonObject? args = null) =>
        session.Tell(new SocketTextReceived(Encoding.UTF8.GetBytes(ControllerCodec.Command(messageId, command, args))));

    public async Task<(IActorRef Job, TestProbe Attempt)> CreateJobAsync(string id)
    {
        var created = await Jobs.Ask<JobCreated>(new CreateCommissionJob(JobUnderTest.Request(id), []), AskTimeout);
        Commissioning.ExpectMsg<StartCommissioning>(s => s.Request.AttemptId == id);
        var attempt = _kit.CreateTestProbe();
        Commissioning.Reply(new CommissioningStarted(id, attempt.Ref));
        return (created.Job, attempt);
    }

    public static async Task<int> CountAsync(IActorRef target, object ask = null!) =>
        (await target.Ask<FollowerCount>(ask ?? GetFollowerCount.Instance, AskTimeout)).Count;

    public Task<int> JobFollowersAsync(string id) => CountAsync(Jobs, new ToJob(id, GetFollowerCount.Instance));

    /// <summary>
    /// The session's live stream children. The count is a round trip to the session, so exactly that many
    /// children answer Identify: no waiting to see whether more turn up.
    /// </summary>
    public async Task<IReadOnlyList<IActorRef>> StreamsAsync(IActorRef session)
    {
        var count = await CountAsync(session);
        var probe = _kit.CreateTestProbe();
        _kit.Sys.ActorSelection(session.Path / "stream-*").Tell(new Identify(null), probe.Ref);
        return probe.ReceiveN(count).Cast<ActorIdentity>().Select(i => i.Subject!).ToList();
    }

    public static IEnumerable<string> FramesOf(FakeSocketWriter writer, string messageId) =>
        writer.Frames.Where(f => FakeSocketWriter.Parse(f)["message_id"]?.GetValue<string>() == messageId);
}
