using CommissioningActors.Protocol.Matter.Tlv;
using CommissioningActors.Protocol.Matter.Transport;
using Xunit;

namespace CommissioningActors.Protocol.Tests.Matter.Transport;

public class SessionParametersTlvTests
{
    [Fact]
    public void Reads_the_parameters_of_matter_js_pbkdf_param_request()
    {
        // Field 5 of the PBKDFParamRequest in matter.js MessageCodecTest: {1: 5000, 2: 300}, no SAT.
        var request = TlvDecoder.Decode(Convert.FromHexString(
            "153001204715a406c6b0496ad52039e347db8528cb69a1cb2fce6f2318552ae65e103aca250233dc240300280435052501881325022c011818")).Value!;
        var parsed = SessionParametersTlv.Read(request[5]!);
        Assert.True(parsed.IsOk, parsed.Error?.ToString());
        Assert.Equal(new SessionParameters(TimeSpan.FromMilliseconds(5000), TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(4)),
            parsed.Value);
    }

    [Fact]
    public void Writes_and_reads_back()
    {
        var parameters = new SessionParameters(TimeSpan.FromMilliseconds(800), TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(4000));
        var writer = new TlvWriter().StartStructure(TlvTag.Anonymous);
        var bytes = SessionParametersTlv.WriteMrpFields(writer, parameters).EndContainer().ToArray();
        Assert.Equal("15" + "25012003" + "2402fa" + "2503a00f" + "18", Convert.ToHexStringLower(bytes));
        Assert.Equal(parameters, SessionParametersTlv.Read(TlvDecoder.Decode(bytes).Value!).Value);
    }

    [Theory]
    [InlineData("1520010518", ParseErrorKind.WrongType)] // SII as a signed integer
    [InlineData("15260181ee360018", ParseErrorKind.InvalidValue)] // SII one hour and 1 ms
    [InlineData("15260281ee360018", ParseErrorKind.InvalidValue)] // SAI one hour and 1 ms
    [InlineData("1526030000010018", ParseErrorKind.InvalidValue)] // SAT beyond u16
    [InlineData("1618", ParseErrorKind.WrongType)] // not a structure
    public void Rejects_bad_fields(string hex, ParseErrorKind kind)
    {
        var parsed = SessionParametersTlv.Read(TlvDecoder.Decode(Convert.FromHexString(hex)).Value!);
        Assert.False(parsed.IsOk);
        Assert.Equal(kind, parsed.Error!.Kind);
    }

    [Fact]
    public void An_interval_of_exactly_one_hour_is_accepted() =>
        Assert.True(SessionParametersTlv.Read(TlvDecoder.Decode(Convert.FromHexString("15260180ee360018")).Value!).IsOk);
}
