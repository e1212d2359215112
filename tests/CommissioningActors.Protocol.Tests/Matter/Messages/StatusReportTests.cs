using CommissioningActors.Protocol.Matter.Messages;
using Xunit;

namespace CommissioningActors.Protocol.Tests.Matter.Messages;

public class StatusReportTests
{
    [Fact]
    public void Session_establishment_success_is_eight_zero_bytes()
    {
        Assert.Equal("0000000000000000", Convert.ToHexStringLower(StatusReport.SessionEstablishmentSuccess.Encode()));
        var decoded = StatusReport.Decode(new byte[8]).Value!;
        Assert.True(decoded.IsSuccess);
        Assert.Equal(StatusReport.SessionEstablishmentSuccess.Protocol, decoded.Protocol);
    }

    [Fact]
    public void Failure_with_protocol_code_and_data_round_trips()
    {
        // Failure (1), Secure Channel, InvalidParameter (2): what a device answers a bad Pake message with.
        var bytes = Convert.FromHexString("0100" + "00000000" + "0200" + "c0ffee");
        var report = StatusReport.Decode(bytes).Value!;
        Assert.Equal(GeneralStatusCode.Failure, report.GeneralCode);
        Assert.Equal(MatterProtocolId.SecureChannel, report.Protocol);
        Assert.Equal((ushort)SecureChannelStatusCode.InvalidParameter, report.ProtocolCode);
        Assert.Equal("c0ffee", Convert.ToHexStringLower(report.ProtocolData.Span));
        Assert.Equal(bytes, report.Encode());
        Assert.Contains("InvalidParameter", report.ToString());
    }

    [Fact]
    public void Vendor_protocol_ids_use_the_high_sixteen_bits()
    {
        var report = new StatusReport(GeneralStatusCode.Busy, new MatterProtocolId(0xFFF1, 0x0002), 7);
        var bytes = report.Encode();
        Assert.Equal("0800" + "0200f1ff" + "0700", Convert.ToHexStringLower(bytes));
        Assert.Equal(report.Protocol, StatusReport.Decode(bytes).Value!.Protocol);
    }

    [Fact]
    public void Unknown_general_codes_are_kept()
    {
        var report = StatusReport.Decode(Convert.FromHexString("6400000000000000")).Value!;
        Assert.Equal(100, (int)report.GeneralCode);
        Assert.Contains("100", report.ToString());
    }

    [Fact]
    public void Short_payload_is_rejected() =>
        Assert.Equal(ParseErrorKind.FrameTooShort, StatusReport.Decode(new byte[7]).Error!.Kind);
}
