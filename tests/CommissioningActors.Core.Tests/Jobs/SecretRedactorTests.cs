using CommissioningActors.Core.Jobs;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace CommissioningActors.Core.Tests.Jobs;

public sealed class SecretRedactorTests
{
    [Theory]
    [InlineData("34970112332", "code 34970112332.", "code ***.")]
    [InlineData("34970112332", "code 3497-011-2332.", "code ***.")]
    [InlineData("34970112332", "code 3497 011 2332.", "code ***.")]
    [InlineData("3497-011-2332", "code 34970112332.", "code ***.")]
    [InlineData("20202021", "a 20202021 b 20202021", "a *** b ***")]
    [InlineData("MT:Y.K9042C00KA0648G00", "qr=MT:Y.K9042C00KA0648G00;", "qr=***;")]
    [InlineData("Hunter2", "pw hunter2", "pw hunter2")]
    [InlineData("20202021", "2020202", "2020202")]
    public void Redact_masks_the_secret_and_its_dash_or_space_separated_forms(string secret, string line, string expected)
    {
        Assert.Equal(expected, SecretRedactor.Redact(line, [secret]));
    }

    [Fact]
    public void A_secret_containing_another_is_masked_whole()
    {
        var redacted = SecretRedactor.Redact("long code 749701123365521327694", ["7497011233", "749701123365521327694"]);

        Assert.Equal("long code ***", redacted);
    }

    [Fact]
    public void No_secrets_leaves_the_line_unchanged()
    {
        Assert.Equal("plain 1234", SecretRedactor.Redact("plain 1234", []));
        Assert.Equal("plain 1234", new SecretRedactor().Redact("plain 1234"));
    }

    [Theory]
    [InlineData("")]
    [InlineData(" - ")]
    public void Register_rejects_a_secret_that_would_match_everywhere(string secret)
    {
        Assert.Throws<ArgumentException>(() => new SecretRedactor().Register(secret));
    }

    [Fact]
    public void Register_reports_duplicates_after_normalisation()
    {
        var redactor = new SecretRedactor();

        Assert.True(redactor.Register("3497-011-2332"));
        Assert.False(redactor.Register("34970112332"));
        Assert.Equal(1, redactor.Count);
    }

    private static readonly Gen<string> Digits =
        from length in Gen.Choose(4, 21)
        from digits in Gen.Choose(0, 9).Select(d => (char)('0' + d)).ArrayOf(length)
        select new string(digits);

    private static readonly Gen<string> Separators = Gen.Elements("", "", "-", " ", " - ");

    private static readonly Gen<string> Words = Gen.Elements("", "code ", "pairing with ", "x");

    private static readonly Gen<(string Before, string After)> Surroundings =
        from before in Words
        from after in Words
        select (before, after);

    [Property]
    public Property A_digit_secret_never_survives_whatever_separators_split_it() =>
        Prop.ForAll(
            Digits.ToArbitrary(),
            Separators.ArrayOf(21).ToArbitrary(),
            Surroundings.ToArbitrary(),
            (secret, separators, around) =>
            {
                var (before, after) = around;
                var printed = string.Concat(secret.Select((c, i) => i == 0 ? $"{c}" : separators[i - 1] + c));
                var redacted = SecretRedactor.Redact(before + printed + after, [secret]);
                return redacted == before + SecretRedactor.Mask + after;
            });
}
