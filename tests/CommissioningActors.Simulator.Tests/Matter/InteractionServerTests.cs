using CommissioningActors.Protocol.Matter.InteractionModel;
using CommissioningActors.Protocol.Matter.Messages;
using CommissioningActors.Protocol.Matter.Transport;
using CommissioningActors.Simulator.Matter;

namespace CommissioningActors.Simulator.Tests.Matter;

/// <summary>The device's Interaction Model server: reads (chunked), subscribe priming, invoke, timed, write, bad input.</summary>
public sealed class InteractionServerTests : IDisposable
{
    private static readonly ExchangeKey Exchange = new(7, WeInitiated: false);
    private readonly DeviceHarness _device = new();
    private readonly InteractionServer _server;
    private TimeSpan _now;

    public InteractionServerTests() => _server = new InteractionServer(_device.Model, () => _now);

    public void Dispose() => _device.Dispose();

    private IReadOnlyList<ImReply> Send(InteractionModelOpcode opcode, byte[] payload) =>
        _server.OnMessage(Exchange, (byte)opcode, payload, _device.Context);

    [Fact]
    public void A_wildcard_read_of_everything_comes_in_chunks_each_released_by_a_StatusResponse()
    {
        var reply = Assert.Single(Send(InteractionModelOpcode.ReadRequest, new ReadRequestMessage([new AttributePath(null, null, null)], true).Encode()));
        var reports = new List<AttributeReportIB>();
        var chunks = 0;
        while (true)
        {
            Assert.Equal(InteractionModelOpcode.ReportData, reply.Opcode);
            Assert.InRange(reply.Payload.Length, 1, 1100);
            var report = ReportDataMessage.Decode(reply.Payload).Value!;
            reports.AddRange(report.AttributeReports);
            chunks++;
            if (!report.MoreChunkedMessages)
            {
                Assert.True(report.SuppressResponse);
                Assert.True(reply.Ends);
                break;
            }

            Assert.False(reply.Ends);
            reply = Assert.Single(Send(InteractionModelOpcode.StatusResponse, StatusResponseMessage.Success.Encode()));
        }

        Assert.True(chunks > 1);
        var expected = _device.Model.Endpoints.Sum(e => _device.Model.Clusters(e).Sum(c => c.AllAttributeIds.Count()));
        Assert.Equal(expected, reports.Count(r => r.Data is not null));
        var onOff = reports.Single(r => r.Data?.Path == new AttributePath(1, ClusterIds.OnOff, 0));
        Assert.False(onOff.Data!.Data.AsBool());
    }

    [Theory]
    [InlineData(9, ClusterIds.OnOff, 0u, ImStatusCode.UnsupportedEndpoint)]
    [InlineData(1, ClusterIds.BasicInformation, 1u, ImStatusCode.UnsupportedCluster)]
    [InlineData(1, ClusterIds.OnOff, 0x4000u, ImStatusCode.UnsupportedAttribute)]
    public void A_concrete_path_that_does_not_exist_reports_a_status(ushort endpoint, uint cluster, uint attribute, ImStatusCode status)
    {
        var reply = Assert.Single(Send(InteractionModelOpcode.ReadRequest, new ReadRequestMessage([new AttributePath(endpoint, cluster, attribute)], true).Encode()));
        var report = Assert.Single(ReportDataMessage.Decode(reply.Payload).Value!.AttributeReports);
        Assert.Equal(status, report.Status!.Status.Status);
    }

    [Theory]
    [InlineData(InteractionModelOpcode.ReadRequest)]
    [InlineData(InteractionModelOpcode.InvokeRequest)]
    [InlineData(InteractionModelOpcode.WriteRequest)]
    [InlineData(InteractionModelOpcode.SubscribeRequest)]
    [InlineData(InteractionModelOpcode.TimedRequest)]
    [InlineData((InteractionModelOpcode)0x77)]
    public void Garbage_gets_a_StatusResponse_INVALID_ACTION_and_ends_the_exchange(InteractionModelOpcode opcode)
    {
        var reply = Assert.Single(Send(opcode, [0x15, 0x30, 0xFF]));
        Assert.Equal(InteractionModelOpcode.StatusResponse, reply.Opcode);
        Assert.Equal(ImStatusCode.InvalidAction, StatusResponseMessage.Decode(reply.Payload).Value!.Status);
        Assert.True(reply.Ends);
    }

    [Fact]
    public void Toggle_flips_the_light_and_an_unknown_command_answers_UNSUPPORTED_COMMAND()
    {
        var toggle = new InvokeRequestMessage([new CommandDataIB(new CommandPath(1, ClusterIds.OnOff, 2), null)]);
        var reply = Assert.Single(Send(InteractionModelOpcode.InvokeRequest, toggle.Encode()));
        Assert.True(Assert.Single(InvokeResponseMessage.Decode(reply.Payload).Value!.Responses).Status!.Status.IsSuccess);
        Assert.True(_device.State.OnOff);

        var unknown = new InvokeRequestMessage([new CommandDataIB(new CommandPath(1, ClusterIds.OnOff, 0x40), null)]);
        reply = Assert.Single(Send(InteractionModelOpcode.InvokeRequest, unknown.Encode()));
        Assert.Equal(ImStatusCode.UnsupportedCommand, Assert.Single(InvokeResponseMessage.Decode(reply.Payload).Value!.Responses).Status!.Status.Status);
    }

    [Fact]
    public void A_timed_invoke_needs_its_TimedRequest_first_and_within_the_timeout()
    {
        var timedToggle = new InvokeRequestMessage([new CommandDataIB(new CommandPath(1, ClusterIds.OnOff, 2), null)], TimedRequest: true).Encode();
        var mismatch = Assert.Single(Send(InteractionModelOpcode.InvokeRequest, timedToggle));
        Assert.Equal(ImStatusCode.TimedRequestMismatch, StatusResponseMessage.Decode(mismatch.Payload).Value!.Status);

        var ok = Assert.Single(Send(InteractionModelOpcode.TimedRequest, new TimedRequestMessage(500).Encode()));
        Assert.False(ok.Ends);
        _now += TimeSpan.FromMilliseconds(400);
        Assert.Equal(InteractionModelOpcode.InvokeResponse, Assert.Single(Send(InteractionModelOpcode.InvokeRequest, timedToggle)).Opcode);

        Send(InteractionModelOpcode.TimedRequest, new TimedRequestMessage(500).Encode());
        _now += TimeSpan.FromMilliseconds(600);
        var late = Assert.Single(Send(InteractionModelOpcode.InvokeRequest, timedToggle));
        Assert.Equal(ImStatusCode.Timeout, StatusResponseMessage.Decode(late.Payload).Value!.Status);
        Assert.True(_device.State.OnOff);
    }

    [Fact]
    public void Write_sets_the_node_label_and_refuses_a_read_only_attribute()
    {
        var write = new WriteRequestMessage([
            new AttributeDataIB(new AttributePath(0, ClusterIds.BasicInformation, 5), Tlv.S("kitchen")),
            new AttributeDataIB(new AttributePath(1, ClusterIds.OnOff, 0), Tlv.B(true)),
        ]);
        var reply = Assert.Single(Send(InteractionModelOpcode.WriteRequest, write.Encode()));
        var statuses = WriteResponseMessage.Decode(reply.Payload).Value!.Statuses;
        Assert.Equal([ImStatusCode.Success, ImStatusCode.UnsupportedWrite], statuses.Select(s => s.Status.Status));
        Assert.Equal("kitchen", _device.State.NodeLabel);
        Assert.False(_device.State.OnOff);
    }

    [Fact]
    public void Subscribe_sends_a_priming_report_then_the_SubscribeResponse()
    {
        var subscribe = new SubscribeRequestMessage([new AttributePath(1, ClusterIds.OnOff, 0)], 0, 30);
        var priming = Assert.Single(Send(InteractionModelOpcode.SubscribeRequest, subscribe.Encode()));
        var report = ReportDataMessage.Decode(priming.Payload).Value!;
        Assert.NotNull(report.SubscriptionId);
        Assert.False(priming.Ends);

        var response = Assert.Single(Send(InteractionModelOpcode.StatusResponse, StatusResponseMessage.Success.Encode()));
        Assert.Equal(InteractionModelOpcode.SubscribeResponse, response.Opcode);
        Assert.Equal(report.SubscriptionId, SubscribeResponseMessage.Decode(response.Payload).Value!.SubscriptionId);
        Assert.True(response.Ends);
    }
}
