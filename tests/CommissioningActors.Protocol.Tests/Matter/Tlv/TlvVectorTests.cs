using CommissioningActors.Protocol.Matter.Tlv;
using Xunit;

namespace CommissioningActors.Protocol.Tests.Matter.Tlv;

/// <summary>
/// Encoding examples from the Matter Core Specification, Appendix A (tables of element, tag and container
/// encodings), plus matter.js TlvNumberTest vectors. Each is checked both ways.
/// </summary>
public class TlvVectorTests
{
    private static readonly TlvTag Anon = TlvTag.Anonymous;

    private static TlvElement E(TlvValue value) => new(Anon, value);

    private static TlvElement Ctx(byte tag, TlvValue value) => new(TlvTag.Context(tag), value);

    public static TheoryData<string, string, TlvElement> Vectors => new()
    {
        { "false", "08", E(TlvBool.False) },
        { "true", "09", E(TlvBool.True) },
        { "signed 1-octet 42", "002a", E(new TlvSigned(42)) },
        { "signed 1-octet -17", "00ef", E(new TlvSigned(-17)) },
        { "unsigned 1-octet 42", "042a", E(new TlvUnsigned(42)) },
        { "signed 2-octet 422", "01a601", E(new TlvSigned(422)) },
        { "signed 4-octet -170000", "02f067fdff", E(new TlvSigned(-170000)) },
        { "signed 8-octet 40000000000", "0300902f5009000000", E(new TlvSigned(40000000000)) },
        { "matter.js signed -1", "00ff", E(new TlvSigned(-1)) },
        { "matter.js signed 0x0100", "010001", E(new TlvSigned(0x0100)) },
        { "matter.js signed 0x01000000", "0200000001", E(new TlvSigned(0x01000000)) },
        { "matter.js signed 2^48", "030000000000000100", E(new TlvSigned(0x01000000000000)) },
        { "matter.js unsigned 0x0100", "050001", E(new TlvUnsigned(0x0100)) },
        { "matter.js unsigned 0x01000000", "0600000001", E(new TlvUnsigned(0x01000000)) },
        { "matter.js unsigned 2^48", "070000000000000100", E(new TlvUnsigned(0x01000000000000)) },
        { "utf8 Hello!", "0c0648656c6c6f21", E(new TlvUtf8("Hello!")) },
        { "utf8 Tschüs", "0c0754736368c3bc73", E(new TlvUtf8("Tschüs")) },
        { "octets 00..04", "10050001020304", E(new TlvBytes(new byte[] { 0, 1, 2, 3, 4 })) },
        { "null", "14", E(TlvNull.Instance) },
        { "matter.js string test", "0c0474657374", E(new TlvUtf8("test")) },
        { "matter.js string testè", "0c0674657374c3a8", E(new TlvUtf8("testè")) },
        { "matter.js byte string", "10020001", E(new TlvBytes(new byte[] { 0, 1 })) },
        {
            "matter.js object {1: 1, 2: test}", "152401012c02047465737418",
            TlvElement.Structure(Anon, Ctx(1, new TlvUnsigned(1)), Ctx(2, new TlvUtf8("test")))
        },
        {
            "matter.js list with a repeated tag", "172c0104746573742c020574657374312c0205746573743218",
            TlvElement.List(Anon, Ctx(1, new TlvUtf8("test")), Ctx(2, new TlvUtf8("test1")), Ctx(2, new TlvUtf8("test2")))
        },
        { "float 0.0", "0a00000000", E(new TlvFloat(0f)) },
        { "float 1/3", "0aabaaaa3e", E(new TlvFloat(1f / 3)) },
        { "float 17.9", "0a33338f41", E(new TlvFloat(17.9f)) },
        { "float +inf", "0a0000807f", E(new TlvFloat(float.PositiveInfinity)) },
        { "float -inf", "0a000080ff", E(new TlvFloat(float.NegativeInfinity)) },
        { "matter.js float", "0a0892cc45", E(new TlvFloat(6546.25390625f)) },
        { "double 0.0", "0b0000000000000000", E(new TlvDouble(0)) },
        { "double 1/3", "0b555555555555d53f", E(new TlvDouble(1.0 / 3)) },
        { "double 17.9", "0b6666666666e63140", E(new TlvDouble(17.9)) },
        { "double +inf", "0b000000000000f07f", E(new TlvDouble(double.PositiveInfinity)) },
        { "matter.js double", "0b2fdd24064192b940", E(new TlvDouble(6546.254)) },
        { "empty structure", "1518", TlvElement.Structure(Anon) },
        { "empty array", "1618", TlvElement.Array(Anon) },
        { "empty list", "1718", TlvElement.List(Anon) },
        {
            "structure {0 = 42, 1 = -17}", "1520002a2001ef18",
            TlvElement.Structure(Anon, Ctx(0, new TlvSigned(42)), Ctx(1, new TlvSigned(-17)))
        },
        {
            "array [0, 1, 2, 3, 4]", "160000000100020003000418",
            TlvElement.Array(Anon, [.. Enumerable.Range(0, 5).Select(i => E(new TlvSigned(i)))])
        },
        {
            "list [1, 0 = 42, 2, 3, 0 = -17]", "17000120002a000200032000ef18",
            TlvElement.List(Anon, E(new TlvSigned(1)), Ctx(0, new TlvSigned(42)), E(new TlvSigned(2)),
                E(new TlvSigned(3)), Ctx(0, new TlvSigned(-17)))
        },
        {
            "array [42, -170000, {}, 17.9, Hello!]", "16002a02f067fdff15180a33338f410c0648656c6c6f2118",
            TlvElement.Array(Anon, E(new TlvSigned(42)), E(new TlvSigned(-170000)), TlvElement.Structure(Anon),
                E(new TlvFloat(17.9f)), E(new TlvUtf8("Hello!")))
        },
        { "context tag 1", "24012a", Ctx(1, new TlvUnsigned(42)) },
        { "common profile 2-octet tag 1", "4401002a", new(TlvTag.CommonProfile(1), new TlvUnsigned(42)) },
        { "common profile 4-octet tag 100000", "64a08601002a", new(TlvTag.CommonProfile(100000), new TlvUnsigned(42)) },
        { "implicit profile 2-octet tag 1", "8401002a", new(TlvTag.ImplicitProfile(1), new TlvUnsigned(42)) },
        { "implicit profile 4-octet tag 100000", "a4a08601002a", new(TlvTag.ImplicitProfile(100000), new TlvUnsigned(42)) },
        {
            "fully qualified 6-octet", "c4f1ffedde01002a",
            new(TlvTag.FullyQualified(0xFFF1, 0xDEED, 1), new TlvUnsigned(42))
        },
        {
            "fully qualified 8-octet", "e4f1ffeddeedfe55aa2a",
            new(TlvTag.FullyQualified(0xFFF1, 0xDEED, 0xAA55FEED), new TlvUnsigned(42))
        },
        {
            "structure with fully qualified tags", "d5f1ffedde0100c4f1ffedde55aa2a18",
            TlvElement.Structure(TlvTag.FullyQualified(0xFFF1, 0xDEED, 1),
                new TlvElement(TlvTag.FullyQualified(0xFFF1, 0xDEED, 0xAA55), new TlvUnsigned(42)))
        },
    };

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Encodes_the_published_bytes(string name, string hex, TlvElement element)
    {
        Assert.True(Convert.ToHexStringLower(TlvWriter.Encode(element)) == hex, name);
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Decodes_the_published_bytes(string name, string hex, TlvElement element)
    {
        var parsed = TlvDecoder.Decode(Convert.FromHexString(hex));
        Assert.True(parsed.IsOk, $"{name}: {parsed.Error}");
        Assert.Equal(element, parsed.Value);
    }

    [Theory]
    [InlineData("0c0548656c6c6f", "Hello")] // 1-byte length
    [InlineData("0d050048656c6c6f", "Hello")] // 2-byte length
    [InlineData("0e0500000048656c6c6f", "Hello")] // 4-byte length
    [InlineData("0f050000000000000048656c6c6f", "Hello")] // 8-byte length
    public void Reads_every_utf8_length_width_and_writes_the_narrowest(string hex, string expected)
    {
        var parsed = TlvDecoder.Decode(Convert.FromHexString(hex));
        Assert.True(parsed.IsOk, parsed.Error?.ToString());
        Assert.Equal(expected, parsed.Value!.AsString());
        Assert.Equal("0c0548656c6c6f", Convert.ToHexStringLower(TlvWriter.Encode(parsed.Value)));
    }

    [Theory]
    [InlineData("1003010203")]
    [InlineData("110300010203")]
    [InlineData("1203000000010203")]
    [InlineData("130300000000000000010203")]
    public void Reads_every_octet_string_length_width(string hex)
    {
        var parsed = TlvDecoder.Decode(Convert.FromHexString(hex));
        Assert.True(parsed.IsOk, parsed.Error?.ToString());
        Assert.Equal(new byte[] { 1, 2, 3 }, parsed.Value!.AsBytes()!.Value.ToArray());
    }

    [Fact]
    public void Non_minimal_integers_decode_to_the_same_value()
    {
        // matter.js: an 8-byte encoding of a small value is still that value.
        var parsed = TlvDecoder.Decode(Convert.FromHexString("070100000000000000"));
        Assert.Equal(new TlvUnsigned(1), parsed.Value!.Value);
    }

    [Theory]
    [InlineData(255UL, "04ff")]
    [InlineData(256UL, "050001")]
    [InlineData(65535UL, "05ffff")]
    [InlineData(65536UL, "0600000100")]
    [InlineData(4294967295UL, "06ffffffff")]
    [InlineData(4294967296UL, "070000000001000000")]
    [InlineData(ulong.MaxValue, "07ffffffffffffffff")]
    public void Writer_picks_the_narrowest_unsigned_width(ulong value, string hex)
    {
        Assert.Equal(hex, Convert.ToHexStringLower(new TlvWriter().WriteUnsigned(TlvTag.Anonymous, value).ToArray()));
    }

    [Theory]
    [InlineData(-128L, "0080")]
    [InlineData(127L, "007f")]
    [InlineData(128L, "018000")]
    [InlineData(-129L, "017fff")]
    [InlineData(-32769L, "02ff7fffff")]
    [InlineData(2147483648L, "030000008000000000")]
    [InlineData(long.MinValue, "030000000000000080")]
    public void Writer_picks_the_narrowest_signed_width(long value, string hex)
    {
        Assert.Equal(hex, Convert.ToHexStringLower(new TlvWriter().WriteSigned(TlvTag.Anonymous, value).ToArray()));
    }
}
