using CommissioningActors.Protocol.Matter.Tlv;
using Xunit;

namespace CommissioningActors.Protocol.Tests.Matter.Tlv;

public class TlvJsonTests
{
    [Fact]
    public void Renders_the_read_attribute_shapes()
    {
        var tree = TlvElement.Structure(TlvTag.Anonymous,
            new TlvElement(TlvTag.Context(0), new TlvUnsigned(ulong.MaxValue)),
            new TlvElement(TlvTag.Context(1), new TlvSigned(-17)),
            new TlvElement(TlvTag.Context(2), TlvBool.True),
            new TlvElement(TlvTag.Context(3), new TlvUtf8("TEST_VENDOR \"q\"")),
            new TlvElement(TlvTag.Context(4), new TlvBytes(new byte[] { 1, 2, 3 })),
            new TlvElement(TlvTag.Context(5), TlvNull.Instance),
            TlvElement.Array(TlvTag.Context(6), new TlvElement(TlvTag.Anonymous, new TlvUnsigned(1))),
            TlvElement.List(TlvTag.Context(7), new TlvElement(TlvTag.Context(9), new TlvDouble(1.5))),
            new TlvElement(TlvTag.CommonProfile(8), new TlvFloat(float.NaN)),
            new TlvElement(TlvTag.FullyQualified(0xFFF1, 0xDEED, 1), new TlvDouble(double.NegativeInfinity)));

        Assert.Equal(
            "{\"0\":18446744073709551615,\"1\":-17,\"2\":true,\"3\":\"TEST_VENDOR \\u0022q\\u0022\",\"4\":\"AQID\","
            + "\"5\":null,\"6\":[1],\"7\":[1.5],\"common:8\":\"NaN\",\"65521:57069:1\":\"-Infinity\"}",
            TlvJson.ToJsonString(tree));
    }

    [Fact]
    public void Scalars_and_null_render_alone()
    {
        Assert.Equal("\"Hello!\"", TlvJson.ToJsonString(new TlvElement(TlvTag.Anonymous, new TlvUtf8("Hello!"))));
        Assert.Equal("null", TlvJson.ToJsonString(new TlvElement(TlvTag.Anonymous, TlvNull.Instance)));
    }

    [Fact]
    public void Floats_render_as_their_shortest_decimal()
    {
        Assert.Equal("17.9", TlvJson.ToJsonString(new TlvElement(TlvTag.Anonymous, new TlvFloat(17.9f))));
        Assert.Equal("17.9", TlvJson.ToJsonString(new TlvElement(TlvTag.Anonymous, new TlvDouble(17.9))));
    }

    [Fact]
    public void A_decoded_vendor_name_renders_as_a_string()
    {
        var parsed = TlvDecoder.Decode(Convert.FromHexString("0c0648656c6c6f21"));
        Assert.Equal("\"Hello!\"", TlvJson.ToJsonString(parsed.Value!));
    }
}
