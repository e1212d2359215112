using CommissioningActors.Protocol.Matter.InteractionModel;
using CommissioningActors.Protocol.Matter.Messages;
using CommissioningActors.Protocol.Matter.Tlv;
using Xunit;

namespace CommissioningActors.Protocol.Tests.Matter.InteractionModel;

public class CommissioningReadsTests
{
    private static TlvElement U(byte tag, ulong v) => new(TlvTag.Context(tag), new TlvUnsigned(v));

    private static ReadStep.Completed ReadOnce(IReadOnlyList<AttributePath> paths, params AttributeReportIB[] reports)
    {
        var client = new ReadClient(paths);
        client.Start();
        return Assert.IsType<ReadStep.Completed>(client.Receive(InteractionModelOpcode.ReportData, new ReportDataMessage(reports, SuppressResponse: true).Encode()));
    }

    [Fact]
    public void Initial_read_covers_vendor_product_commissioning_info_and_network_feature_map()
    {
        var request = ReadRequestMessage.Decode(new ReadClient(CommissioningReads.Initial, fabricFiltered: false).Start().Payload).Value!;
        Assert.Contains(new AttributePath(0, 0x28, 2), request.Attributes);
        Assert.Contains(new AttributePath(0, 0x28, 4), request.Attributes);
        Assert.Contains(new AttributePath(0, 0x30, 1), request.Attributes);
        Assert.Contains(new AttributePath(null, 0x31, 0xFFFC), request.Attributes);
    }

    [Fact]
    public void Basic_commissioning_info_parses_the_fail_safe_expiry()
    {
        var info = BasicCommissioningInfo.Parse(TlvElement.Structure(TlvTag.Anonymous, U(0, 60), U(1, 900))).Value!;
        Assert.Equal((60, 900), (info.FailSafeExpiryLengthSeconds, info.MaxCumulativeFailsafeSeconds));
        Assert.Contains("failSafeExpiryLengthSeconds is out of range",
            BasicCommissioningInfo.Parse(TlvElement.Structure(TlvTag.Anonymous, U(0, 70000))).Error!.Message);
    }

    [Fact]
    public void Read_attribute_result_is_keyed_by_the_decimal_path()
    {
        var onOff = new AttributePath(1, 6, 0);
        var done = ReadOnce([onOff], AttributeReportIB.Of(new AttributeDataIB(onOff, new TlvElement(TlvTag.Anonymous, TlvBool.True))));
        var (json, error) = CommissioningReads.ToReadAttributeResult(done.Result, onOff);
        Assert.Null(error);
        Assert.Equal("""{"1/6/0":true}""", json!.ToJsonString());

        var vendor = new AttributePath(0, 40, 1);
        var refused = ReadOnce([vendor], AttributeReportIB.Of(new AttributeStatusIB(vendor, new StatusIB(ImStatusCode.UnsupportedCluster))));
        var (none, failure) = CommissioningReads.ToReadAttributeResult(refused.Result, vendor);
        Assert.Null(none);
        Assert.Equal("attribute 0/40/1: UNSUPPORTED_CLUSTER (0xC3)", failure!.Message);
    }
}
