using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.TestKit;
using CommissioningActors.Core.Matter.Fabric;
using CommissioningActors.Core.Matter.Nodes;
using CommissioningActors.Core.Matter.Sessions;
using CommissioningActors.Protocol.Matter.InteractionModel;
using CommissioningActors.Protocol.Matter.Messages;
using CommissioningActors.Protocol.Matter.Tlv;
using Xunit;

namespace CommissioningActors.Core.Tests.Matter.Nodes;

/// <summary>What the node actor sends and answers for reads, invokes and decommissioning, with the test playing the device.</summary>
public sealed class NodeOperationsTests : NodeTestBase
{
    private static TlvElement U(byte tag, ulong value) => new(TlvTag.Context(tag), new TlvUnsigned(value));

    private static ConversationMessage Invoked(long id, InvokeResponseIB response) =>
        new(id, MatterProtocolId.InteractionModel, (byte)InteractionModelOpcode.InvokeResponse, new InvokeResponseMessage([response]).Encode());

    private static ConversationMessage Value(long id, AttributePath path, TlvElement value) =>
        new(id, MatterProtocolId.InteractionModel, (byte)InteractionModelOpcode.ReportData,
            new ReportDataMessage([AttributeReportIB.Of(new AttributeDataIB(path, value with { Tag = TlvTag.Context(2) }))]).Encode());

    private async Task<(FakeSession.Started Session, StartConversation Start)> Begin(IActorRef manager, object request)
    {
        manager.Tell(request);
        await Found(Node(7, "udp 127.0.0.1:5541"));
        var started = await Opened();
        return (started, await Sessions.ExpectMsgAsync<StartConversation>(Wait));
    }

    [Fact]
    public async Task A_value_becomes_json_with_structs_keyed_by_tag_lists_as_arrays_and_bytes_as_base64()
    {
        var path = new AttributePath(0, 0x1D, 0);
        var (session, start) = await Begin(Manager(), new ReadNodeAttribute(7, path));

        var value = TlvElement.Structure(TlvTag.Anonymous, U(0, 5), new TlvElement(TlvTag.Context(1), new TlvBytes(new byte[] { 1, 2, 3 })),
            TlvElement.List(TlvTag.Context(2), new TlvElement(TlvTag.Anonymous, new TlvUtf8("a")), new TlvElement(TlvTag.Anonymous, TlvBool.True)),
            new TlvElement(TlvTag.Context(3), new TlvSigned(-4)), new TlvElement(TlvTag.Context(4), TlvNull.Instance));
        session.Owner.Tell(Value(start.RequestId, path, value), session.Session);

        var read = await ExpectMsgAsync<NodeAttributeRead>(Wait);
        Assert.Equal("""{"0":5,"1":"AQID","2":["a",true],"3":-4,"4":null}""", read.Value!.ToJsonString());
    }

    [Fact]
    public async Task An_attribute_status_is_command_failed_naming_it()
    {
        var (session, start) = await Begin(Manager(), new ReadNodeAttribute(7, new AttributePath(1, 6, 0x99)));

        session.Owner.Tell(new ConversationMessage(start.RequestId, MatterProtocolId.InteractionModel, (byte)InteractionModelOpcode.ReportData,
            new ReportDataMessage([AttributeReportIB.Of(new AttributeStatusIB(new AttributePath(1, 6, 0x99), new StatusIB(ImStatusCode.UnsupportedAttribute)))]).Encode()),
            session.Session);

        var failed = await ExpectMsgAsync<NodeOperationFailed>(Wait);
        Assert.Equal("command_failed", failed.ErrorCode);
        Assert.Contains("UNSUPPORTED_ATTRIBUTE (0x86)", failed.Message);
    }

    [Fact]
    public async Task A_response_command_becomes_json_keyed_by_catalogued_field_names()
    {
        var payload = new JsonObject { ["expiryLengthSeconds"] = 60, ["breadcrumb"] = 1 };
        var (session, start) = await Begin(Manager(), new InvokeNodeCommand(7, 0, 0x30, "ArmFailSafe", null, payload));
        Assert.Equal((byte)InteractionModelOpcode.InvokeRequest, start.Opcode);

        session.Owner.Tell(Invoked(start.RequestId, InvokeResponseIB.Of(new CommandDataIB(new CommandPath(0, 0x30, 0x01),
            TlvElement.Structure(TlvTag.Anonymous, U(0, 0), new TlvElement(TlvTag.Context(1), new TlvUtf8("ok")))))), session.Session);

        var invoked = await ExpectMsgAsync<NodeCommandInvoked>(Wait);
        Assert.Equal("""{"errorCode":0,"debugText":"ok"}""", invoked.Response!.ToJsonString());
    }

    [Fact]
    public async Task A_failing_command_status_is_command_failed_naming_it()
    {
        var (session, start) = await Begin(Manager(), new InvokeNodeCommand(7, 1, 6, "On", null, null));

        session.Owner.Tell(Invoked(start.RequestId, InvokeResponseIB.Of(new CommandStatusIB(new CommandPath(1, 6, 1), new StatusIB(ImStatusCode.UnsupportedCommand)))),
            session.Session);

        var failed = await ExpectMsgAsync<NodeOperationFailed>(Wait);
        Assert.Equal("command_failed", failed.ErrorCode);
        Assert.Contains("UNSUPPORTED_COMMAND (0x81)", failed.Message);
    }

    [Fact]
    public async Task A_command_the_device_says_needs_a_timed_interaction_is_sent_again_timed()
    {
        var (session, start) = await Begin(Manager(), new InvokeNodeCommand(7, 1, 6, null, 0x77, null));
        Assert.Equal((byte)InteractionModelOpcode.InvokeRequest, start.Opcode);
        session.Owner.Tell(Invoked(start.RequestId, InvokeResponseIB.Of(new CommandStatusIB(new CommandPath(1, 6, 0x77), new StatusIB(ImStatusCode.NeedsTimedInteraction)))),
            session.Session);
        await Sessions.ExpectMsgAsync<EndConversation>(Wait);

        var timed = await Sessions.ExpectMsgAsync<StartConversation>(Wait);
        Assert.Equal((byte)InteractionModelOpcode.TimedRequest, timed.Opcode);
        session.Owner.Tell(new ConversationMessage(timed.RequestId, MatterProtocolId.InteractionModel, (byte)InteractionModelOpcode.StatusResponse,
            StatusResponseMessage.Success.Encode()), session.Session);
        var invoke = await Sessions.ExpectMsgAsync<ContinueConversation>(Wait);
        Assert.Equal((byte)InteractionModelOpcode.InvokeRequest, invoke.Opcode);
        Assert.True(InvokeRequestMessage.Decode(invoke.Payload).Value!.TimedRequest);
        session.Owner.Tell(Invoked(timed.RequestId, InvokeResponseIB.Of(new CommandStatusIB(new CommandPath(1, 6, 0x77), StatusIB.Success))), session.Session);

        Assert.Null((await ExpectMsgAsync<NodeCommandInvoked>(Wait)).Response);
    }

    [Fact]
    public async Task Decommission_reads_the_fabric_index_removes_that_fabric_then_forgets_the_node()
    {
        var manager = Manager();
        var (session, read) = await Begin(manager, new DecommissionNode(7));
        Watch(session.Session);
        session.Owner.Tell(Value(read.RequestId, new AttributePath(0, 0x3E, 5), U(0, 3)), session.Session);
        await Sessions.ExpectMsgAsync<EndConversation>(Wait);

        var remove = await Sessions.ExpectMsgAsync<StartConversation>(Wait);
        var request = Assert.Single(InvokeRequestMessage.Decode(remove.Payload).Value!.Requests);
        Assert.Equal(new CommandPath(0, 0x3E, 0x0A), request.Path);
        Assert.Equal(3UL, request.Fields![0]!.AsUnsigned());
        session.Owner.Tell(Invoked(remove.RequestId, InvokeResponseIB.Of(new CommandDataIB(new CommandPath(0, 0x3E, 0x08),
            TlvElement.Structure(TlvTag.Anonymous, U(0, 0), U(1, 3))))), session.Session);

        await Sessions.ExpectMsgAsync<EndConversation>(Wait);
        await Sessions.ExpectMsgAsync<CloseSecureSession>(Wait);
        await ExpectTerminatedAsync(session.Session, Wait);
        await Fabric.ExpectMsgAsync<NodeSeen>(Wait);
        Assert.Equal(7UL, (await Fabric.ExpectMsgAsync<RemoveNode>(Wait)).NodeId);
        Fabric.Reply(new NodeRemovedReply(7));
        Assert.Equal(7UL, (await ExpectMsgAsync<NodeDecommissioned>(Wait)).NodeId);

        // Afterwards the node is unknown, whether the request meets the removed node actor or a fresh lookup.
        Fabric.SetAutoPilot(new DelegateAutoPilot((sender, message) =>
        {
            if (message is GetNode get)
            {
                sender.Tell(new UnknownNode(get.NodeId));
            }

            return AutoPilot.KeepRunning;
        }));
        manager.Tell(new ReadNodeAttribute(7, OnOff));
        Assert.Equal("unknown_node", (await ExpectMsgAsync<NodeOperationFailed>(Wait)).ErrorCode);
    }

    [Fact]
    public async Task Decommission_of_a_silent_node_is_node_unavailable_and_the_node_stays()
    {
        var manager = Manager();
        var (session, read) = await Begin(manager, new DecommissionNode(7));
        await Fabric.ExpectMsgAsync<NodeSeen>(Wait);

        session.Owner.Tell(new RequestFailed(read.RequestId, RequestFailureKind.Timeout, "udp 127.0.0.1:5541 did not answer"), session.Session);

        Assert.Equal("node_unavailable", (await ExpectMsgAsync<NodeOperationFailed>(Wait)).ErrorCode);
        await Fabric.ExpectMsgAsync<NodeUnreachable>(Wait);
        await Sessions.ExpectMsgAsync<CloseSecureSession>(Wait);
        // Still served, and never removed: the fabric's next message is the new session's NodeSeen, not RemoveNode.
        manager.Tell(new ReadNodeAttribute(7, OnOff));
        var again = await Opened();
        Assert.Equal(7UL, (await Fabric.ExpectMsgAsync<NodeSeen>(Wait)).NodeId);
        var start = await Sessions.ExpectMsgAsync<StartConversation>(Wait);
        again.Owner.Tell(Report(start.RequestId, true), again.Session);
        await ExpectMsgAsync<NodeAttributeRead>(Wait);
    }
}
