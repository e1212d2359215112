using Akka.Actor;
using CommissioningActors.Core.Matter.Sessions;
using CommissioningActors.Core.Matter.Transport;
using CommissioningActors.Protocol.Matter.InteractionModel;
using CommissioningActors.Protocol.Matter.Messages;
using Xunit.Abstractions;

namespace CommissioningActors.Host.Tests.Interop.Sessions;

/// <summary>
/// Conversations on the secure session against matter.js: a wildcard read of endpoint 0 does not fit one
/// message, so the device sends ReportData chunks (MoreChunkedMessages), each acknowledged with a
/// StatusResponse on the same exchange, until the last; and the conversation's caps hold.
/// </summary>
public sealed class ChunkedReadInteropTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(20);
    private readonly ITestOutputHelper _output = output;

    [Fact]
    public async Task A_wildcard_read_of_endpoint_0_arrives_in_several_chunks_and_assembles_completely()
    {
        const uint passcode = 20202074;
        await using var device = await MatterJsDevice.StartAsync(new MatterJsDeviceOptions { Passcode = passcode, Discriminator = 174 });
        var session = await Open(device, passcode);

        var client = new ReadClient([new AttributePath(0, null, null)]);
        var start = client.Start();
        session.Tell(new StartConversation(1, MatterProtocolId.InteractionModel, (byte)start.Opcode, start.Payload));
        var chunks = 0;
        ReadResult? result = null;
        while (result is null)
        {
            var message = await ExpectMsgAsync<ConversationMessage>(Step);
            chunks++;
            switch (client.Receive((InteractionModelOpcode)message.Opcode, message.Payload.Span))
            {
                case ReadStep.Continue next:
                    session.Tell(new ContinueConversation(1, (byte)next.Reply.Opcode, next.Reply.Payload));
                    break;
                case ReadStep.Completed done:
                    session.Tell(new EndConversation(1, (byte?)done.Reply?.Opcode, done.Reply?.Payload));
                    result = done.Result;
                    break;
                case ReadStep.Failed failed:
                    Assert.Fail(failed.Error.ToString());
                    break;
            }
        }

        _output.WriteLine($"wildcard read of endpoint 0: {chunks} chunks, {result.Attributes.Count} attributes");
        Assert.True(chunks >= 2, $"the read came in {chunks} chunk(s)");
        Assert.True(result.Attributes.Count > 40, $"{result.Attributes.Count} attributes");
        Assert.Equal("matter.js fixture", result.Get(new AttributePath(0, 0x28, 1)).Value!.AsString());
        Assert.Equal(0x8000UL, result.Get(new AttributePath(0, 0x28, 4)).Value!.AsUnsigned());

        // The session goes on: a plain request after the conversation.
        var read = new ReadRequestMessage([new AttributePath(0, 0x28, 1)], FabricFiltered: true).Encode();
        session.Tell(new SendRequest(2, MatterProtocolId.InteractionModel, (byte)InteractionModelOpcode.ReadRequest, read));
        Assert.Equal(2, (await ExpectMsgAsync<RequestSucceeded>(Step)).RequestId);
    }

    [Fact]
    public async Task A_conversation_past_its_message_cap_fails_with_limit_exceeded_and_the_session_stays_usable()
    {
        const uint passcode = 20202075;
        await using var device = await MatterJsDevice.StartAsync(new MatterJsDeviceOptions { Passcode = passcode, Discriminator = 175 });
        var session = await Open(device, passcode);

        var client = new ReadClient([new AttributePath(0, null, null)]);
        var start = client.Start();
        session.Tell(new StartConversation(1, MatterProtocolId.InteractionModel, (byte)start.Opcode, start.Payload, Limits: new ConversationLimits(MaxMessages: 1)));
        var first = await ExpectMsgAsync<ConversationMessage>(Step);
        var step = Assert.IsType<ReadStep.Continue>(client.Receive((InteractionModelOpcode)first.Opcode, first.Payload.Span));
        session.Tell(new ContinueConversation(1, (byte)step.Reply.Opcode, step.Reply.Payload));

        var failed = await ExpectMsgAsync<RequestFailed>(Step);
        Assert.Equal((1L, RequestFailureKind.LimitExceeded), (failed.RequestId, failed.Kind));

        var read = new ReadRequestMessage([new AttributePath(0, 0x28, 1)], FabricFiltered: true).Encode();
        session.Tell(new SendRequest(2, MatterProtocolId.InteractionModel, (byte)InteractionModelOpcode.ReadRequest, read));
        Assert.Equal(2, (await ExpectMsgAsync<RequestSucceeded>(Step)).RequestId);
    }

    [Fact]
    public async Task A_conversation_whose_owner_stops_answering_times_out_and_frees_its_exchange()
    {
        const uint passcode = 20202077;
        await using var device = await MatterJsDevice.StartAsync(new MatterJsDeviceOptions { Passcode = passcode, Discriminator = 177 });
        var session = await Open(device, passcode);

        var start = new ReadClient([new AttributePath(0, null, null)]).Start();
        session.Tell(new StartConversation(1, MatterProtocolId.InteractionModel, (byte)start.Opcode, start.Payload, TimeSpan.FromSeconds(1)));
        await ExpectMsgAsync<ConversationMessage>(Step);

        // No ContinueConversation: the conversation's deadline also bounds its owner.
        var failed = await ExpectMsgAsync<RequestFailed>(Step);
        Assert.Equal((1L, RequestFailureKind.Timeout), (failed.RequestId, failed.Kind));
        session.Tell(new ContinueConversation(1, (byte)InteractionModelOpcode.StatusResponse, StatusResponseMessage.Success.Encode()));
        Assert.Equal(RequestFailureKind.SessionUnavailable, (await ExpectMsgAsync<RequestFailed>(Step)).Kind);
    }

    private async Task<IActorRef> Open(MatterJsDevice device, uint passcode)
    {
        var transport = Sys.ActorOf(UdpTransportActor.Props());
        var session = Sys.ActorOf(SecureSessionActor.Props(new UdpMatterChannel(transport, device.EndPoint), TestActor, passcode));
        await ExpectMsgAsync<SessionReady>(Step);
        return session;
    }
}
