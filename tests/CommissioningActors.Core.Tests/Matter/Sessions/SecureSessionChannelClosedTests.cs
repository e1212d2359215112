using System.Collections.Concurrent;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using CommissioningActors.Core.Matter.Sessions;
using CommissioningActors.Core.Matter.Transport;
using CommissioningActors.Protocol.Matter.Messages;
using CommissioningActors.Protocol.Matter.SecureChannel;

namespace CommissioningActors.Core.Tests.Matter.Sessions;

public sealed class SecureSessionChannelClosedTests : TestKit
{
    /// <summary>A reliable channel that only records: what was sent and who is bound.</summary>
    private sealed class RecordingChannel : IMatterChannel
    {
        public ConcurrentQueue<byte[]> Sent { get; } = new();

        public ConcurrentDictionary<ushort, IActorRef> Bound { get; } = new();

        public bool IsReliable => true;

        public string PeerDescription => "ble AA:BB:CC:DD:EE:01 via proxy-1";

        public void Send(byte[] message) => Sent.Enqueue(message);

        public void Bind(ushort localSessionId, IActorRef session) => Bound[localSessionId] = session;

        public void Unbind(ushort localSessionId, IActorRef session) => Bound.TryRemove(localSessionId, out _);
    }

    [Fact]
    public void The_channel_closing_during_pase_fails_establishment_with_the_reason_and_stops_the_session()
    {
        var channel = new RecordingChannel();
        var owner = CreateTestProbe();
        var session = Sys.ActorOf(SecureSessionActor.Props(channel, owner.Ref, 20202021,
            new SecureSessionOptions { EstablishTimeout = TimeSpan.FromMinutes(5) }));
        Watch(session);

        // PASE started: the PBKDFParamRequest went out over the reliable channel without MRP's R flag.
        AwaitCondition(() => !channel.Sent.IsEmpty);
        Assert.True(channel.Sent.TryPeek(out var first));
        var request = MessageCodec.DecodeUnsecured(first);
        Assert.True(request.IsOk);
        Assert.True(request.Value!.Exchange.Is(SecureChannelOpcode.PbkdfParamRequest));
        Assert.False(request.Value.Exchange.RequiresAck);
        Assert.Equal(session, channel.Bound[0]);

        session.Tell(new MatterChannelClosed("device at AA:BB:CC:DD:EE:01 disconnected: link lost"));

        var failed = owner.ExpectMsg<SessionEstablishmentFailed>();
        Assert.Contains("link lost", failed.Reason);
        Assert.Contains("ble AA:BB:CC:DD:EE:01 via proxy-1", failed.Reason);
        Assert.DoesNotContain("20202021", failed.ToString());
        ExpectTerminated(session); // long before the 5-minute establishment timeout
        AwaitCondition(() => channel.Bound.IsEmpty);
    }

    [Fact]
    public void A_request_before_establishment_is_refused_and_a_later_channel_close_still_fails_establishment_once()
    {
        var channel = new RecordingChannel();
        var owner = CreateTestProbe();
        var session = Sys.ActorOf(SecureSessionActor.Props(channel, owner.Ref, 20202021));
        Watch(session);
        var requester = CreateTestProbe();
        session.Tell(new SendRequest(1, MatterProtocolId.InteractionModel, 2, [1]), requester.Ref);
        Assert.Equal(RequestFailureKind.SessionUnavailable, requester.ExpectMsg<RequestFailed>().Kind);

        session.Tell(new MatterChannelClosed("BTP failed (AckTimeout)"));
        session.Tell(new MatterChannelClosed("a second close"));
        Assert.Contains("AckTimeout", owner.ExpectMsg<SessionEstablishmentFailed>().Reason);
        ExpectTerminated(session);
        Assert.Empty(owner.Queued());
    }
}
