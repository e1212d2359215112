using CommissioningActors.Protocol.Matter.InteractionModel;
using CommissioningActors.Protocol.Matter.Tlv;
using Xunit;

namespace CommissioningActors.Protocol.Tests.Matter.InteractionModel;

public class ImMessageTests
{
    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);

    [Fact]
    public void Read_request_for_vendor_name_matches_the_spec_encoding()
    {
        // { 0: [ [2: 0, 3: 0x28, 4: 1] ], 3: false, 0xFF: 12 } in narrowest TLV, the form matter.js and the SDK send.
        var bytes = new ReadRequestMessage([new AttributePath(0, 0x28, 1)], FabricFiltered: false).Encode();
        Assert.Equal("153600172402002403282404011818280324ff0c18", Hex(bytes));

        var decoded = ReadRequestMessage.Decode(bytes).Value!;
        Assert.False(decoded.FabricFiltered);
        Assert.Equal(new AttributePath(0, 0x28, 1), Assert.Single(decoded.Attributes));
    }

    [Fact]
    public void Invoke_on_matches_the_bytes_chip_tool_logs()
    {
        var request = new InvokeRequestMessage([new CommandDataIB(new CommandPath(1, 6, 1), null)]);
        Assert.Equal("1528002801360215370024000124010624020118350118181824ff0c18", Hex(request.Encode()));

        var decoded = InvokeRequestMessage.Decode(request.Encode()).Value!;
        var command = Assert.Single(decoded.Requests);
        Assert.Equal(new CommandPath(1, 6, 1), command.Path);
        Assert.False(decoded.TimedRequest);
    }

    [Fact]
    public void Status_response_and_timed_request_vectors()
    {
        Assert.Equal("1524000024ff0c18", Hex(StatusResponseMessage.Success.Encode()));
        Assert.Equal("152500e80324ff0c18", Hex(new TimedRequestMessage(1000).Encode()));
        Assert.Equal((ushort)1000, TimedRequestMessage.Decode(new TimedRequestMessage(1000).Encode()).Value!.TimeoutMs);
        Assert.Equal(ImStatusCode.UnsupportedAccess,
            StatusResponseMessage.Decode(new StatusResponseMessage(ImStatusCode.UnsupportedAccess).Encode()).Value!.Status);
    }

    [Fact]
    public void Report_data_round_trips_values_statuses_and_flags()
    {
        var path = new AttributePath(0, 0x28, 1);
        var report = new ReportDataMessage(
        [
            AttributeReportIB.Of(new AttributeDataIB(path, new TlvElement(TlvTag.Anonymous, new TlvUtf8("Acme")), 7)),
            AttributeReportIB.Of(new AttributeStatusIB(new AttributePath(0, 0x28, 0x99), new StatusIB(ImStatusCode.UnsupportedAttribute))),
            AttributeReportIB.Of(new AttributeDataIB(path with { HasListIndex = true }, new TlvElement(TlvTag.Anonymous, new TlvUnsigned(3)))),
        ], MoreChunkedMessages: true, SuppressResponse: true, SubscriptionId: 42);

        var decoded = ReportDataMessage.Decode(report.Encode()).Value!;
        Assert.True(decoded.MoreChunkedMessages);
        Assert.True(decoded.SuppressResponse);
        Assert.Equal(42u, decoded.SubscriptionId);
        Assert.Equal(3, decoded.AttributeReports.Count);
        Assert.Equal("Acme", decoded.AttributeReports[0].Data!.Data.AsString());
        Assert.Equal(7u, decoded.AttributeReports[0].Data!.DataVersion);
        Assert.Equal(ImStatusCode.UnsupportedAttribute, decoded.AttributeReports[1].Status!.Status.Status);
        Assert.True(decoded.AttributeReports[2].Data!.Path.IsAppend);
        Assert.Equal(report.Encode(), decoded.Encode());
    }

    [Fact]
    public void Invoke_response_round_trips_command_and_status_with_cluster_status()
    {
        var fields = TlvElement.Structure(TlvTag.Anonymous,
            new TlvElement(TlvTag.Context(0), new TlvUnsigned(0)), new TlvElement(TlvTag.Context(1), new TlvUtf8("")));
        var message = new InvokeResponseMessage(
        [
            InvokeResponseIB.Of(new CommandDataIB(new CommandPath(0, 0x30, 0x01), fields)),
            InvokeResponseIB.Of(new CommandStatusIB(new CommandPath(0, 0x3E, 0x06), new StatusIB(ImStatusCode.Failure, 9))),
        ]);

        var decoded = InvokeResponseMessage.Decode(message.Encode()).Value!;
        Assert.Equal(fields, decoded.Responses[0].Command!.Fields);
        Assert.Equal(new StatusIB(ImStatusCode.Failure, 9), decoded.Responses[1].Status!.Status);
        Assert.Equal(new CommandPath(0, 0x3E, 0x06), decoded.Responses[1].Path);
        Assert.Equal(message.Encode(), decoded.Encode());
    }

    [Theory]
    [InlineData("", "StatusResponse: TLV Truncated")]
    [InlineData("1518", "status (tag 0) is missing")]
    [InlineData("1520000118", "status must be an unsigned integer")]
    [InlineData("1525000001" + "18", "status is out of range")]
    [InlineData("1724000018", "must be a structure")]
    public void Bad_status_responses_are_named(string hex, string expected)
    {
        var parsed = StatusResponseMessage.Decode(Convert.FromHexString(hex));
        Assert.False(parsed.IsOk);
        Assert.Contains(expected, parsed.Error!.Message);
    }

    [Fact]
    public void Report_with_both_status_and_data_is_rejected()
    {
        // AttributeReportIB { 0: AttributeStatusIB, 1: AttributeDataIB } is not allowed.
        var w = new TlvWriter().StartStructure(TlvTag.Anonymous).StartArray(TlvTag.Context(1)).StartStructure(TlvTag.Anonymous);
        new AttributeStatusIB(new AttributePath(0, 6, 0), StatusIB.Success).Write(w, TlvTag.Context(0));
        new AttributeDataIB(new AttributePath(0, 6, 0), new TlvElement(TlvTag.Anonymous, TlvBool.True)).Write(w, TlvTag.Context(1));
        var bytes = w.EndContainer().EndContainer().EndContainer().ToArray();

        var parsed = ReportDataMessage.Decode(bytes);
        Assert.Contains("attribute report 0 must hold exactly one of status (0) and data (1)", parsed.Error!.Message);
    }

    [Fact]
    public void Attribute_path_with_wrong_container_or_oversized_endpoint_is_rejected()
    {
        // The path as a structure instead of a list.
        var asStruct = Convert.FromHexString("15360115" + "35011524020018" + "18" + "18" + "18");
        Assert.False(ReportDataMessage.Decode(asStruct).IsOk);

        // Endpoint 0x10000 does not fit u16.
        var w = new TlvWriter().StartStructure(TlvTag.Anonymous).StartArray(TlvTag.Context(0)).StartList(TlvTag.Anonymous)
            .WriteUnsigned(TlvTag.Context(2), 0x10000).EndContainer().EndContainer().WriteBool(TlvTag.Context(3), true).EndContainer();
        var parsed = ReadRequestMessage.Decode(w.ToArray());
        Assert.Contains("attribute path endpoint is out of range", parsed.Error!.Message);
    }

    [Theory]
    [InlineData("0/40/1", (ushort)0, 40u, 1u)]
    [InlineData("1/6/0", (ushort)1, 6u, 0u)]
    [InlineData("65535/4294967295/65532", (ushort)65535, uint.MaxValue, 65532u)]
    public void Attribute_path_parses_decimal(string text, ushort endpoint, uint cluster, uint attribute)
    {
        Assert.Equal(new AttributePath(endpoint, cluster, attribute), AttributePath.Parse(text).Value);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("1/6")]
    [InlineData("1/6/0/0")]
    [InlineData("65536/6/0")]
    [InlineData("1/4294967296/0")]
    [InlineData("-1/6/0")]
    [InlineData("+1/6/0")]
    [InlineData(" 1/6/0")]
    [InlineData("0x1/6/0")]
    [InlineData("1//0")]
    [InlineData("*/6/0")]
    [InlineData("١/6/0")]
    public void Attribute_path_rejects_anything_else(string? text)
    {
        var parsed = AttributePath.Parse(text);
        Assert.False(parsed.IsOk);
        Assert.Contains("attribute path", parsed.Error!.Message);
    }

    [Fact]
    public void Status_names_follow_the_spec_table()
    {
        Assert.Equal("UNSUPPORTED_ATTRIBUTE", ImStatusCode.UnsupportedAttribute.SpecName());
        Assert.Equal("UNSUPPORTED_CLUSTER", ImStatusCode.UnsupportedCluster.SpecName());
        Assert.Equal("UNSUPPORTED_ENDPOINT", ImStatusCode.UnsupportedEndpoint.SpecName());
        Assert.Equal("UNSUPPORTED_ACCESS", ImStatusCode.UnsupportedAccess.SpecName());
        Assert.Equal("NEEDS_TIMED_INTERACTION", ImStatusCode.NeedsTimedInteraction.SpecName());
        Assert.Equal("UNKNOWN_STATUS_0x42", ((ImStatusCode)0x42).SpecName());
        Assert.Equal("FAILURE (0x01), cluster status 3", new StatusIB(ImStatusCode.Failure, 3).ToString());
    }
}
