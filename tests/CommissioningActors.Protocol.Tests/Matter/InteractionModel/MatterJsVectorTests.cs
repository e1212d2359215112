using CommissioningActors.Protocol.Matter.InteractionModel;
using CommissioningActors.Protocol.Matter.Messages;
using CommissioningActors.Protocol.Matter.Tlv;
using Xunit;

namespace CommissioningActors.Protocol.Tests.Matter.InteractionModel;

/// <summary>
/// Bytes produced by matter.js 0.17.9's own IM schemas (TlvReadRequest, TlvDataReport, TlvInvokeRequest,
/// TlvInvokeResponse, TlvTimedRequest, TlvStatusResponse from @matter/types), encoding the same values.
/// </summary>
public class MatterJsVectorTests
{
    private static byte[] Bytes(string hex) => Convert.FromHexString(hex);

    private const string Read = "1536001724020024032824040118172402012403062404001818290324ff0c18";
    private const string InvokeTimedToggle = "1528002901360215370024000124010624020218181824ff0c18";
    private const string Timed10s = "152500102724ff0c18";
    private const string StatusUnsupportedAttribute = "1524008624ff0c18";
    private const string ReportChunk =
        "1536011535012600785634123701240200240328240401182c02094d61747465722e6a731818153501240001370124020024033e2404043405182402071818"
        + "153500370024020024032824049918350124008618181818290324ff0c18";
    private const string InvokeResponse =
        "152800360115350037002400002401302402011835012400002c0100181818153501370024000024013e2402061835012400012401091818181824ff0c18";

    [Fact]
    public void Read_request_matches_matter_js()
    {
        var ours = new ReadRequestMessage([new AttributePath(0, 0x28, 1), new AttributePath(1, 6, 0)], FabricFiltered: true).Encode();
        Assert.Equal(Read, Convert.ToHexStringLower(ours));
    }

    [Fact]
    public void Timed_and_status_responses_match_matter_js()
    {
        Assert.Equal(Timed10s, Convert.ToHexStringLower(new TimedRequestMessage(10000).Encode()));
        Assert.Equal(StatusUnsupportedAttribute, Convert.ToHexStringLower(new StatusResponseMessage(ImStatusCode.UnsupportedAttribute).Encode()));
        Assert.Equal(ImStatusCode.UnsupportedAttribute, StatusResponseMessage.Decode(Bytes(StatusUnsupportedAttribute)).Value!.Status);
    }

    [Fact]
    public void Matter_js_invoke_without_fields_decodes_as_timed_toggle()
    {
        // matter.js omits CommandFields when a command has none; we send an empty structure as the SDK does.
        var request = InvokeRequestMessage.Decode(Bytes(InvokeTimedToggle)).Value!;
        Assert.True(request.TimedRequest);
        var command = Assert.Single(request.Requests);
        Assert.Equal(new CommandPath(1, 6, 2), command.Path);
        Assert.Null(command.Fields);
    }

    [Fact]
    public void Matter_js_report_chunk_decodes_and_reencodes_identically()
    {
        var report = ReportDataMessage.Decode(Bytes(ReportChunk)).Value!;
        Assert.True(report.MoreChunkedMessages);
        Assert.Equal(0x12345678u, report.AttributeReports[0].Data!.DataVersion);
        Assert.Equal("Matter.js", report.AttributeReports[0].Data!.Data.AsString());
        Assert.True(report.AttributeReports[1].Data!.Path.IsAppend);
        Assert.Equal(new StatusIB(ImStatusCode.UnsupportedAttribute), report.AttributeReports[2].Status!.Status);
        Assert.Equal(ReportChunk, Convert.ToHexStringLower(report.Encode()));
    }

    [Fact]
    public void Matter_js_report_chunk_drives_the_read_client()
    {
        var client = new ReadClient([new AttributePath(0, 0x28, 1)]);
        client.Start();
        // The chunk appends to 0/62/4 without first sending the list: a strict client rejects it.
        var step = client.Receive(InteractionModelOpcode.ReportData, Bytes(ReportChunk));
        Assert.Contains("appends to 0/62/4 before sending the list", Assert.IsType<ReadStep.Failed>(step).Error.Message);
    }

    [Fact]
    public void Matter_js_invoke_response_decodes_and_reencodes_identically()
    {
        var response = InvokeResponseMessage.Decode(Bytes(InvokeResponse)).Value!;
        var arm = response.Responses[0].Command!;
        Assert.Equal(new CommandPath(0, 0x30, 1), arm.Path);
        Assert.True(CommissioningResponse.Parse(arm.Fields!).Value!.IsOk);
        Assert.Equal(new StatusIB(ImStatusCode.Failure, 9), response.Responses[1].Status!.Status);
        Assert.Equal(InvokeResponse, Convert.ToHexStringLower(response.Encode()));
    }

    [Fact]
    public void Matter_js_invoke_response_completes_an_arm_fail_safe()
    {
        var client = GeneralCommissioningCommands.ArmFailSafe(60, 1).ToInvoke();
        client.Start();
        var done = Assert.IsType<InvokeStep.Completed>(client.Receive(InteractionModelOpcode.InvokeResponse, Bytes(InvokeResponse)));
        Assert.Equal(CommissioningError.Ok, CommissioningResponse.Parse(done.Result.Fields!).Value!.ErrorCode);
        Assert.IsType<TlvContainer>(done.Result.Fields!.Value);
    }
}
