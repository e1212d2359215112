using CommissioningActors.Protocol.Matter.InteractionModel;
using CommissioningActors.Protocol.Matter.Messages;
using CommissioningActors.Protocol.Matter.Tlv;
using Xunit;

namespace CommissioningActors.Protocol.Tests.Matter.InteractionModel;

public class ReadClientTests
{
    private static readonly AttributePath VendorName = new(0, 0x28, 1);
    private static readonly AttributePath Fabrics = new(0, 0x3E, 1);

    private static TlvElement Str(string s) => new(TlvTag.Anonymous, new TlvUtf8(s));

    private static TlvElement U(ulong v) => new(TlvTag.Anonymous, new TlvUnsigned(v));

    private static AttributeReportIB Data(AttributePath path, TlvElement value, uint? version = 1) =>
        AttributeReportIB.Of(new AttributeDataIB(path, value, version));

    private static AttributeReportIB Append(AttributePath path, TlvElement item) =>
        AttributeReportIB.Of(new AttributeDataIB(path with { HasListIndex = true }, item, 1));

    private static byte[] Report(bool more, bool suppress, params AttributeReportIB[] reports) =>
        new ReportDataMessage(reports, more, suppress).Encode();

    [Fact]
    public void Start_sends_the_read_request_for_the_paths_and_fabric_filter()
    {
        var client = new ReadClient([VendorName, Fabrics], fabricFiltered: false);
        var request = client.Start();
        Assert.Equal(InteractionModelOpcode.ReadRequest, request.Opcode);
        var decoded = ReadRequestMessage.Decode(request.Payload).Value!;
        Assert.Equal([VendorName, Fabrics], decoded.Attributes);
        Assert.False(decoded.FabricFiltered);
    }

    [Fact]
    public void Single_report_completes_without_reply_when_suppressed()
    {
        var client = new ReadClient([VendorName]);
        client.Start();
        var step = Assert.IsType<ReadStep.Completed>(client.Receive(InteractionModelOpcode.ReportData,
            Report(more: false, suppress: true, Data(VendorName, Str("Acme"), 5))));
        Assert.Null(step.Reply);
        Assert.Equal("Acme", step.Result.Get(VendorName).Value!.AsString());
        Assert.Equal(5u, step.Result.Find(VendorName)!.DataVersion);
        Assert.True(client.IsFinished);
    }

    [Fact]
    public void Final_report_without_suppress_gets_a_status_response()
    {
        var client = new ReadClient([VendorName]);
        client.Start();
        var step = Assert.IsType<ReadStep.Completed>(client.Receive(InteractionModelOpcode.ReportData,
            Report(more: false, suppress: false, Data(VendorName, Str("Acme")))));
        Assert.Equal(InteractionModelOpcode.StatusResponse, step.Reply!.Opcode);
        Assert.Equal(ImStatusCode.Success, StatusResponseMessage.Decode(step.Reply.Payload).Value!.Status);
    }

    [Fact]
    public void Chunked_list_is_acknowledged_per_chunk_and_assembled_from_appends()
    {
        var client = new ReadClient([VendorName, Fabrics]);
        client.Start();

        // Chunk 1: vendor name and the start of the list (two items); chunk 2: two appends; chunk 3: one more and done.
        var first = client.Receive(InteractionModelOpcode.ReportData, Report(more: true, suppress: false,
            Data(VendorName, Str("Acme")), Data(Fabrics, TlvElement.Array(TlvTag.Anonymous, U(1), U(2)))));
        var ack = Assert.IsType<ReadStep.Continue>(first).Reply;
        Assert.Equal(InteractionModelOpcode.StatusResponse, ack.Opcode);
        Assert.Equal(ImStatusCode.Success, StatusResponseMessage.Decode(ack.Payload).Value!.Status);

        Assert.IsType<ReadStep.Continue>(client.Receive(InteractionModelOpcode.ReportData,
            Report(more: true, suppress: false, Append(Fabrics, U(3)), Append(Fabrics, U(4)))));
        var done = Assert.IsType<ReadStep.Completed>(client.Receive(InteractionModelOpcode.ReportData,
            Report(more: false, suppress: true, Append(Fabrics, U(5)))));

        var list = done.Result.Get(Fabrics).Value!;
        Assert.Equal([1UL, 2, 3, 4, 5], list.AsContainer()!.Select(m => m.AsUnsigned()!.Value));
        Assert.Equal("[1,2,3,4,5]", TlvJson.ToJsonString(list));
        Assert.Equal("Acme", done.Result.Get(VendorName).Value!.AsString());
    }

    [Fact]
    public void Empty_list_then_appends_is_assembled()
    {
        var client = new ReadClient([Fabrics]);
        client.Start();
        client.Receive(InteractionModelOpcode.ReportData, Report(true, false, Data(Fabrics, TlvElement.Array(TlvTag.Anonymous))));
        var done = Assert.IsType<ReadStep.Completed>(client.Receive(InteractionModelOpcode.ReportData,
            Report(false, true, Append(Fabrics, TlvElement.Structure(TlvTag.Anonymous, new TlvElement(TlvTag.Context(254), new TlvUnsigned(1)))))));
        Assert.Equal("[{\"254\":1}]", TlvJson.ToJsonString(done.Result.Get(Fabrics).Value!));
    }

    [Theory]
    [InlineData(ImStatusCode.UnsupportedAttribute, "attribute 0/40/1: UNSUPPORTED_ATTRIBUTE (0x86)")]
    [InlineData(ImStatusCode.UnsupportedCluster, "attribute 0/40/1: UNSUPPORTED_CLUSTER (0xC3)")]
    [InlineData(ImStatusCode.UnsupportedEndpoint, "attribute 0/40/1: UNSUPPORTED_ENDPOINT (0x7F)")]
    [InlineData(ImStatusCode.UnsupportedAccess, "attribute 0/40/1: UNSUPPORTED_ACCESS (0x7E)")]
    public void Per_path_status_becomes_a_named_error(ImStatusCode status, string message)
    {
        var client = new ReadClient([VendorName, Fabrics]);
        client.Start();
        var done = Assert.IsType<ReadStep.Completed>(client.Receive(InteractionModelOpcode.ReportData, Report(false, true,
            AttributeReportIB.Of(new AttributeStatusIB(VendorName, new StatusIB(status))),
            Data(Fabrics, TlvElement.Array(TlvTag.Anonymous)))));

        var (value, error) = done.Result.Get(VendorName);
        Assert.Null(value);
        Assert.Equal(ImErrorKind.Status, error!.Kind);
        Assert.Equal(message, error.Message);
        Assert.Equal(status, error.Status!.Status);
        Assert.Null(done.Result.Get(Fabrics).Error);
    }

    [Fact]
    public void Missing_path_in_the_report_is_an_error_for_that_path()
    {
        var client = new ReadClient([VendorName, Fabrics]);
        client.Start();
        var done = Assert.IsType<ReadStep.Completed>(client.Receive(InteractionModelOpcode.ReportData,
            Report(false, true, Data(VendorName, Str("Acme")))));
        Assert.Contains("reported nothing for attribute 0/62/1", done.Result.Get(Fabrics).Error!.Message);
    }

    [Fact]
    public void Whole_read_refused_by_status_response_is_named()
    {
        var client = new ReadClient([VendorName]);
        client.Start();
        var failed = Assert.IsType<ReadStep.Failed>(client.Receive(InteractionModelOpcode.StatusResponse,
            new StatusResponseMessage(ImStatusCode.UnsupportedAccess).Encode()));
        Assert.Equal("the device refused the read: UNSUPPORTED_ACCESS (0x7E)", failed.Error.Message);
        Assert.Null(failed.Reply);
    }

    [Fact]
    public void Endless_chunks_fail_at_the_cap_with_resource_exhausted()
    {
        var client = new ReadClient([Fabrics], limits: new ReadLimits(MaxChunks: 3));
        client.Start();
        client.Receive(InteractionModelOpcode.ReportData, Report(true, false, Data(Fabrics, TlvElement.Array(TlvTag.Anonymous))));
        ReadStep step = null!;
        var chunks = 1;
        while (step is not ReadStep.Failed && chunks < 100)
        {
            step = client.Receive(InteractionModelOpcode.ReportData, Report(true, false, Append(Fabrics, U(1))));
            chunks++;
        }

        var failed = Assert.IsType<ReadStep.Failed>(step);
        Assert.Equal(4, chunks);
        Assert.Equal(ImErrorKind.LimitExceeded, failed.Error.Kind);
        Assert.Contains("more than 3 report chunks", failed.Error.Message);
        Assert.Equal(ImStatusCode.ResourceExhausted, StatusResponseMessage.Decode(failed.Reply!.Payload).Value!.Status);
        Assert.Equal(ImErrorKind.Finished, Assert.IsType<ReadStep.Failed>(
            client.Receive(InteractionModelOpcode.ReportData, Report(false, true))).Error.Kind);
    }

    [Fact]
    public void Huge_list_fails_at_the_item_cap()
    {
        var client = new ReadClient([Fabrics], limits: new ReadLimits(MaxListItems: 10));
        client.Start();
        var items = Enumerable.Range(0, 11).Select(i => U((ulong)i)).ToArray();
        var failed = Assert.IsType<ReadStep.Failed>(client.Receive(InteractionModelOpcode.ReportData,
            Report(false, true, Data(Fabrics, TlvElement.Array(TlvTag.Anonymous, items)))));
        Assert.Equal("list 0/62/1 takes the read past 10 list items", failed.Error.Message);
    }

    [Fact]
    public void Too_many_attributes_and_too_many_bytes_fail()
    {
        var client = new ReadClient([new AttributePath(null, null, null)], limits: new ReadLimits(MaxAttributes: 2));
        client.Start();
        var failed = Assert.IsType<ReadStep.Failed>(client.Receive(InteractionModelOpcode.ReportData, Report(false, true,
            Data(new AttributePath(0, 6, 0), U(1)), Data(new AttributePath(0, 6, 1), U(1)), Data(new AttributePath(0, 6, 2), U(1)))));
        Assert.Contains("more than 2 attributes", failed.Error.Message);

        var small = new ReadClient([VendorName], limits: new ReadLimits(MaxTotalBytes: 16));
        small.Start();
        var tooBig = Assert.IsType<ReadStep.Failed>(small.Receive(InteractionModelOpcode.ReportData,
            Report(false, true, Data(VendorName, Str(new string('x', 32))))));
        Assert.Contains("exceed 16 bytes", tooBig.Error.Message);
    }

    [Fact]
    public void Append_before_the_list_is_malformed()
    {
        var client = new ReadClient([Fabrics]);
        client.Start();
        var failed = Assert.IsType<ReadStep.Failed>(client.Receive(InteractionModelOpcode.ReportData, Report(false, true, Append(Fabrics, U(1)))));
        Assert.Equal(ImErrorKind.Malformed, failed.Error.Kind);
        Assert.Contains("appends to 0/62/1 before sending the list", failed.Error.Message);
        Assert.Equal(ImStatusCode.InvalidAction, StatusResponseMessage.Decode(failed.Reply!.Payload).Value!.Status);
    }

    [Fact]
    public void Garbage_and_wrong_opcodes_fail_cleanly()
    {
        var client = new ReadClient([VendorName]);
        client.Start();
        var failed = Assert.IsType<ReadStep.Failed>(client.Receive(InteractionModelOpcode.ReportData, [0x15, 0x36]));
        Assert.Equal(ImErrorKind.Malformed, failed.Error.Kind);
        Assert.StartsWith("ReportData: TLV", failed.Error.Message);

        var other = new ReadClient([VendorName]);
        other.Start();
        Assert.Equal(ImErrorKind.UnexpectedMessage, Assert.IsType<ReadStep.Failed>(
            other.Receive(InteractionModelOpcode.InvokeResponse, [])).Error.Kind);
    }

    [Fact]
    public void Tag_compressed_paths_inherit_from_the_previous_path()
    {
        var client = new ReadClient([new AttributePath(0, 0x28, null)]);
        client.Start();
        var compressed = new AttributePath(null, null, 3) { EnableTagCompression = true };
        var done = Assert.IsType<ReadStep.Completed>(client.Receive(InteractionModelOpcode.ReportData,
            Report(false, true, Data(VendorName, Str("Acme")), Data(compressed, Str("Light")))));
        Assert.Equal("Light", done.Result.Get(new AttributePath(0, 0x28, 3)).Value!.AsString());
    }
}
