using CommissioningActors.Protocol.Matter;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace CommissioningActors.Protocol.Tests.Matter;

public class VerhoeffAndBase38Tests
{
    [Theory]
    [InlineData("236", '3')]
    [InlineData("12345", '1')]
    [InlineData("142857", '0')]
    [InlineData("3497011233", '2')]
    public void Verhoeff_computes_published_check_digits(string digits, char check)
    {
        Assert.Equal(check, Verhoeff.ComputeCheckDigit(digits));
        Assert.True(Verhoeff.IsValid(digits + check));
    }

    [Theory]
    [InlineData("")]
    [InlineData("2364")]
    [InlineData("23a3")]
    public void Verhoeff_rejects_wrong_or_non_digit_input(string text) => Assert.False(Verhoeff.IsValid(text));

    private static readonly Gen<string> DigitStrings =
        from length in Gen.Choose(1, 20)
        from digits in Gen.Choose(0, 9).Select(d => (char)('0' + d)).ArrayOf(length)
        select new string(digits);

    [Property]
    public Property Verhoeff_catches_every_single_digit_error() =>
        Prop.ForAll(
            DigitStrings.ToArbitrary(),
            Gen.Choose(0, 1000).ToArbitrary(),
            Gen.Choose(1, 9).ToArbitrary(),
            (digits, at, delta) =>
            {
                var code = (digits + Verhoeff.ComputeCheckDigit(digits)).ToCharArray();
                var i = at % code.Length;
                code[i] = (char)('0' + ((code[i] - '0' + delta) % 10));
                return !Verhoeff.IsValid(code);
            });

    [Property]
    public Property Verhoeff_catches_adjacent_transpositions() =>
        Prop.ForAll(DigitStrings.ToArbitrary(), Gen.Choose(0, 1000).ToArbitrary(), (digits, at) =>
        {
            var code = (digits + Verhoeff.ComputeCheckDigit(digits)).ToCharArray();
            var i = at % (code.Length - 1);
            (code[i], code[i + 1]) = (code[i + 1], code[i]);
            return code[i] == code[i + 1] || !Verhoeff.IsValid(code);
        });

    [Theory]
    [InlineData(new byte[] { }, "")]
    [InlineData(new byte[] { 0x00 }, "00")]
    [InlineData(new byte[] { 0xFF }, "R6")] // 255 = 27 + 6 * 38
    [InlineData(new byte[] { 0x88, 0xFF, 0x0F }, "-24J0")] // first chunk of the SDK test QR code
    public void Base38_encodes_little_endian_least_significant_char_first(byte[] bytes, string expected)
    {
        Assert.Equal(expected, Base38.Encode(bytes));
    }

    [Property]
    public Property Base38_round_trips() =>
        Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), bytes =>
        {
            var decoded = Base38.Decode(Base38.Encode(bytes));
            return decoded.IsOk && decoded.Value!.AsSpan().SequenceEqual(bytes);
        });

    [Theory]
    [InlineData("0", "length")]
    [InlineData("000", "length")]
    [InlineData("a0", "bad base38 character at position 1")]
    [InlineData("00000.", "length")]
    [InlineData("..", "out of range")]
    [InlineData("....", "out of range")]
    public void Base38_rejects_malformed_text(string text, string messagePart)
    {
        var decoded = Base38.Decode(text);

        Assert.False(decoded.IsOk);
        Assert.Equal(ParseErrorKind.InvalidValue, decoded.Error!.Kind);
        Assert.Contains(messagePart, decoded.Error.Message);
    }
}
