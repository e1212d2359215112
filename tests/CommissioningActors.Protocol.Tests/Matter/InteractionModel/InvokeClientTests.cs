using CommissioningActors.Protocol.Matter.InteractionModel;
using CommissioningActors.Protocol.Matter.Messages;
using CommissioningActors.Protocol.Matter.Tlv;
using Xunit;

namespace CommissioningActors.Protocol.Tests.Matter.InteractionModel;

public class InvokeClientTests
{
    private static readonly CommandPath On = new(1, 6, 1);
    private static readonly CommandPath ArmFailSafe = new(0, 0x30, 0);

    private static byte[] Responses(bool more, params InvokeResponseIB[] responses) => new InvokeResponseMessage(responses, more).Encode();

    private static InvokeResponseIB Status(CommandPath path, ImStatusCode code, byte? cluster = null) =>
        InvokeResponseIB.Of(new CommandStatusIB(path, new StatusIB(code, cluster)));

    [Fact]
    public void Untimed_invoke_sends_invoke_request_and_status_success_is_null()
    {
        var client = new InvokeClient(On, null);
        var start = client.Start();
        Assert.Equal(InteractionModelOpcode.InvokeRequest, start.Opcode);
        var request = InvokeRequestMessage.Decode(start.Payload).Value!;
        Assert.False(request.TimedRequest);
        Assert.Equal(On, Assert.Single(request.Requests).Path);

        var done = Assert.IsType<InvokeStep.Completed>(client.Receive(InteractionModelOpcode.InvokeResponse,
            Responses(false, Status(On, ImStatusCode.Success))));
        Assert.True(done.Result.IsStatusOnly);
        Assert.Null(done.Result.Fields);
        Assert.True(client.IsFinished);
    }

    [Fact]
    public void Command_response_fields_are_returned()
    {
        var client = new InvokeClient(ArmFailSafe, TlvElement.Structure(TlvTag.Anonymous, new TlvElement(TlvTag.Context(0), new TlvUnsigned(60))));
        client.Start();
        var fields = TlvElement.Structure(TlvTag.Anonymous,
            new TlvElement(TlvTag.Context(0), new TlvUnsigned(0)), new TlvElement(TlvTag.Context(1), new TlvUtf8("")));
        var done = Assert.IsType<InvokeStep.Completed>(client.Receive(InteractionModelOpcode.InvokeResponse,
            Responses(false, InvokeResponseIB.Of(new CommandDataIB(new CommandPath(0, 0x30, 1), fields)))));
        Assert.Equal(new CommandPath(0, 0x30, 1), done.Result.ResponsePath);
        Assert.Equal(fields, done.Result.Fields);
    }

    [Fact]
    public void Timed_invoke_sends_timed_request_first_then_flagged_invoke()
    {
        var client = new InvokeClient(On, null, timedTimeoutMs: 5000);
        var first = client.Start();
        Assert.Equal(InteractionModelOpcode.TimedRequest, first.Opcode);
        Assert.Equal((ushort)5000, TimedRequestMessage.Decode(first.Payload).Value!.TimeoutMs);

        var second = Assert.IsType<InvokeStep.Send>(client.Receive(InteractionModelOpcode.StatusResponse, StatusResponseMessage.Success.Encode()));
        Assert.Equal(InteractionModelOpcode.InvokeRequest, second.Message.Opcode);
        Assert.True(InvokeRequestMessage.Decode(second.Message.Payload).Value!.TimedRequest);

        Assert.IsType<InvokeStep.Completed>(client.Receive(InteractionModelOpcode.InvokeResponse, Responses(false, Status(On, ImStatusCode.Success))));
    }

    [Fact]
    public void Timed_request_refused_is_named()
    {
        var client = new InvokeClient(On, null, timedTimeoutMs: 5000);
        client.Start();
        var failed = Assert.IsType<InvokeStep.Failed>(client.Receive(InteractionModelOpcode.StatusResponse,
            new StatusResponseMessage(ImStatusCode.UnsupportedAccess).Encode()));
        Assert.Contains("refused the timed request for 1/0x0006/0x01: UNSUPPORTED_ACCESS", failed.Error.Message);
    }

    [Fact]
    public void Failure_status_carries_the_cluster_status()
    {
        var client = new InvokeClient(new CommandPath(0, 0x3E, 6), null);
        client.Start();
        var failed = Assert.IsType<InvokeStep.Failed>(client.Receive(InteractionModelOpcode.InvokeResponse,
            Responses(false, Status(new CommandPath(0, 0x3E, 6), ImStatusCode.Failure, 9))));
        Assert.Equal(ImErrorKind.Status, failed.Error.Kind);
        Assert.Equal("command 0/0x003E/0x06: FAILURE (0x01), cluster status 9", failed.Error.Message);
        Assert.Equal((byte)9, failed.Error.Status!.ClusterStatus);
    }

    [Theory]
    [InlineData(ImStatusCode.UnsupportedCommand, "UNSUPPORTED_COMMAND")]
    [InlineData(ImStatusCode.NeedsTimedInteraction, "NEEDS_TIMED_INTERACTION")]
    [InlineData(ImStatusCode.UnsupportedEndpoint, "UNSUPPORTED_ENDPOINT")]
    public void Whole_invoke_refused_by_status_response(ImStatusCode code, string name)
    {
        var client = new InvokeClient(On, null);
        client.Start();
        var failed = Assert.IsType<InvokeStep.Failed>(client.Receive(InteractionModelOpcode.StatusResponse, new StatusResponseMessage(code).Encode()));
        Assert.Contains(name, failed.Error.Message);
    }

    [Fact]
    public void Chunked_response_is_acknowledged_until_ours_arrives_and_bounded()
    {
        var client = new InvokeClient(On, null);
        client.Start();
        var ack = Assert.IsType<InvokeStep.Send>(client.Receive(InteractionModelOpcode.InvokeResponse, Responses(true)));
        Assert.Equal(InteractionModelOpcode.StatusResponse, ack.Message.Opcode);
        Assert.IsType<InvokeStep.Completed>(client.Receive(InteractionModelOpcode.InvokeResponse, Responses(false, Status(On, ImStatusCode.Success))));

        var endless = new InvokeClient(On, null);
        endless.Start();
        InvokeStep step = null!;
        for (var i = 0; i <= InvokeClient.MaxResponseChunks; i++)
        {
            step = endless.Receive(InteractionModelOpcode.InvokeResponse, Responses(true));
        }

        Assert.Equal(ImErrorKind.LimitExceeded, Assert.IsType<InvokeStep.Failed>(step).Error.Kind);
    }

    [Fact]
    public void Response_for_another_command_or_garbage_is_malformed()
    {
        var client = new InvokeClient(On, null);
        client.Start();
        var failed = Assert.IsType<InvokeStep.Failed>(client.Receive(InteractionModelOpcode.InvokeResponse,
            Responses(false, Status(new CommandPath(2, 6, 1), ImStatusCode.Success))));
        Assert.Contains("holds nothing for 1/0x0006/0x01", failed.Error.Message);

        var garbage = new InvokeClient(On, null);
        garbage.Start();
        Assert.Equal(ImErrorKind.Malformed, Assert.IsType<InvokeStep.Failed>(
            garbage.Receive(InteractionModelOpcode.InvokeResponse, [0xFF])).Error.Kind);

        var wrong = new InvokeClient(On, null);
        wrong.Start();
        Assert.Equal(ImErrorKind.UnexpectedMessage, Assert.IsType<InvokeStep.Failed>(
            wrong.Receive(InteractionModelOpcode.ReportData, [])).Error.Kind);
    }
}
