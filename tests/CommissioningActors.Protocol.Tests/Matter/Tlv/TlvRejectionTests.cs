using CommissioningActors.Protocol.Matter.Tlv;
using Xunit;

namespace CommissioningActors.Protocol.Tests.Matter.Tlv;

/// <summary>One test per class of bad input: each is rejected with its own kind, never an exception.</summary>
public class TlvRejectionTests
{
    private static TlvError Reject(string hex, int maxDepth = TlvReader.DefaultMaxDepth)
    {
        Assert.False(TlvDecoder.TryDecode(Convert.FromHexString(hex), out var element, out var error, maxDepth));
        Assert.Null(element);
        var parsed = TlvDecoder.Decode(Convert.FromHexString(hex), maxDepth);
        Assert.False(parsed.IsOk);
        Assert.Contains(error!.Kind.ToString(), parsed.Error!.Message);
        return error;
    }

    [Theory]
    [InlineData("")] // nothing at all
    [InlineData("05ff")] // 2-byte integer cut short
    [InlineData("24")] // context tag missing
    [InlineData("c4f1ffedde")] // fully qualified tag cut short
    [InlineData("0a0000")] // float cut short
    [InlineData("0d05")] // 2-byte string length cut short
    [InlineData("1520002a")] // structure never closed
    public void Truncated_input(string hex)
    {
        var error = Reject(hex);
        Assert.Equal(TlvErrorKind.Truncated, error.Kind);
        Assert.Equal(ParseErrorKind.FrameTooShort, error.ToParseError().Kind);
    }

    [Theory]
    [InlineData("0c0648656c6c6f")] // says 6 bytes, holds 5
    [InlineData("13ffffffffffffffff00")] // 8-byte length near 2^64
    [InlineData("12ffffff7f")] // 4-byte length of 2 GiB, nothing behind it
    public void Length_beyond_the_buffer(string hex)
    {
        var error = Reject(hex);
        Assert.Equal(TlvErrorKind.LengthBeyondBuffer, error.Kind);
        Assert.Equal(0, error.Offset);
    }

    [Fact]
    public void Nesting_deeper_than_the_limit()
    {
        var ok = string.Concat(Enumerable.Repeat("17", 4)) + string.Concat(Enumerable.Repeat("18", 4));
        Assert.True(TlvDecoder.Decode(Convert.FromHexString(ok), maxDepth: 4).IsOk);

        var deep = string.Concat(Enumerable.Repeat("17", 5)) + string.Concat(Enumerable.Repeat("18", 5));
        var error = Reject(deep, maxDepth: 4);
        Assert.Equal(TlvErrorKind.TooDeep, error.Kind);
        Assert.Equal(4, error.Offset);
    }

    [Fact]
    public void Deep_nesting_with_the_default_limit_stops_without_recursing_through_the_input()
    {
        var bytes = Enumerable.Repeat((byte)0x16, 100_000).ToArray();
        Assert.False(TlvDecoder.TryDecode(bytes, out _, out var error));
        Assert.Equal(TlvErrorKind.TooDeep, error!.Kind);
        Assert.Equal(TlvReader.DefaultMaxDepth, error.Offset);
    }

    [Theory]
    [InlineData("0c01ff")] // 0xFF never appears in UTF-8
    [InlineData("0c02c328")] // bad continuation byte
    [InlineData("0c03eda080")] // encoded surrogate
    public void Invalid_utf8(string hex) => Assert.Equal(TlvErrorKind.InvalidUtf8, Reject(hex).Kind);

    [Theory]
    [InlineData("19")]
    [InlineData("1f")]
    [InlineData("151f18")] // inside a container too
    public void Unknown_element_type(string hex)
    {
        var error = Reject(hex);
        Assert.Equal(TlvErrorKind.UnknownElementType, error.Kind);
        Assert.Equal(ParseErrorKind.UnknownOpcode, error.ToParseError().Kind);
    }

    [Theory]
    [InlineData("0900")]
    [InlineData("151818")]
    public void Trailing_data(string hex)
    {
        var error = Reject(hex);
        Assert.Equal(TlvErrorKind.TrailingData, error.Kind);
        Assert.Equal(ParseErrorKind.FrameTooLarge, error.ToParseError().Kind);
    }

    [Fact]
    public void End_of_container_outside_a_container() =>
        Assert.Equal(TlvErrorKind.UnexpectedEndOfContainer, Reject("18").Kind);

    [Theory]
    [InlineData("1624012a18")] // tagged array member
    [InlineData("15042a18")] // anonymous structure member
    [InlineData("153801")] // end of container with a tag
    public void Tag_in_the_wrong_place(string hex) => Assert.Equal(TlvErrorKind.InvalidTag, Reject(hex).Kind);

    [Fact]
    public void Duplicate_structure_tags()
    {
        var error = Reject("1524012a24012b18");
        Assert.Equal(TlvErrorKind.DuplicateTag, error.Kind);
        Assert.Equal(4, error.Offset);
    }

    [Fact]
    public void Lists_may_repeat_tags()
    {
        Assert.True(TlvDecoder.Decode(Convert.FromHexString("1724012a24012b18")).IsOk);
    }

    [Fact]
    public void Error_messages_carry_no_string_content()
    {
        var error = Reject("0c0973656372657431ff");
        Assert.DoesNotContain("secret", error.Message);
        Assert.DoesNotContain("secret", error.ToParseError().Message);
    }
}
