using CommissioningActors.Core.Matter.Commissioning;
using CommissioningActors.Protocol.Matter.InteractionModel;
using CommissioningActors.Protocol.Matter.Tlv;
using Xunit;

namespace CommissioningActors.Core.Tests.Matter;

public sealed class FlowPayloadsTests
{
    [Fact]
    public void The_initial_read_asks_for_vendor_product_commissioning_info_and_fabrics()
    {
        var request = ReadRequestMessage.Decode(FlowPayloads.ReadInitialData());

        Assert.True(request.IsOk);
        Assert.Equal(["0/0x0028/0x0002", "0/0x0028/0x0004", "0/0x0030/0x0001", "0/0x0030/0x0003", "0/0x003E/0x0003", "0/0x0031/0xFFFC"],
            request.Value!.Attributes.Select(p => $"{p.Endpoint}/0x{p.Cluster:X4}/0x{p.Attribute:X4}"));
    }

    [Fact]
    public void The_initial_data_takes_the_devices_fail_safe_expiry()
    {
        var report = new ReportDataMessage([
            AttributeReportIB.Of(new AttributeDataIB(new AttributePath(0, 0x28, 2), new TlvElement(TlvTag.Anonymous, new TlvUnsigned(0xFFF1)))),
            AttributeReportIB.Of(new AttributeDataIB(new AttributePath(0, 0x30, 1), TlvElement.Structure(TlvTag.Anonymous,
                new TlvElement(TlvTag.Context(0), new TlvUnsigned(90)), new TlvElement(TlvTag.Context(1), new TlvUnsigned(900))))),
        ]).Encode();

        var (data, error) = FlowPayloads.ParseInitialData(report);

        Assert.Null(error);
        Assert.Equal(new InitialData(0xFFF1, null, 90, null) { MaxCumulativeFailSafeSeconds = 900 }, data);
    }

    [Fact]
    public void A_malformed_initial_read_answer_is_a_clear_error()
    {
        var (data, error) = FlowPayloads.ParseInitialData(new byte[] { 0x15, 0x24 });

        Assert.Null(data);
        Assert.StartsWith("the initial read's answer is malformed", error);
    }

    [Fact]
    public void A_status_answer_to_an_invoke_names_the_status()
    {
        var response = new InvokeResponseMessage([InvokeResponseIB.Of(new CommandStatusIB(new CommandPath(0, 0x3E, 11), new StatusIB(ImStatusCode.ConstraintError)))]).Encode();

        var (fields, error) = FlowPayloads.ParseInvoke(response, 0x3E, 11);

        Assert.Null(fields);
        Assert.Equal("the device answered status CONSTRAINT_ERROR (0x87)", error);
    }

    [Fact]
    public void A_wrong_response_command_and_a_nonzero_error_code_fail()
    {
        var armResponse = new InvokeResponseMessage([InvokeResponseIB.Of(new CommandDataIB(new CommandPath(0, 0x30, 1),
            TlvElement.Structure(TlvTag.Anonymous, new TlvElement(TlvTag.Context(0), new TlvUnsigned(4)))))]).Encode();

        Assert.Contains("did not answer with command 0x3E/0x03", FlowPayloads.ParseInvoke(armResponse, 0x3E, 3).Error);
        var (fields, _) = FlowPayloads.ParseInvoke(armResponse, 0x30, 1);
        Assert.Equal("the device answered error code 4 (BusyWithOtherAdmin)", FlowPayloads.CommissioningError(fields!));
    }
}
