using CommissioningActors.Protocol.Matter;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace CommissioningActors.Protocol.Tests.Matter;

public class SetupCodeTests
{
    private const uint TestPasscode = 20202021;
    private const string TestQr = "MT:-24J0AFN00KA0648G00";

    [Theory]
    [InlineData("34970112332")]
    [InlineData("3497-011-2332")]
    [InlineData("3497 011 2332")]
    [InlineData("  34970112332\n")]
    public void Manual_code_vectors_decode(string code)
    {
        var parsed = SetupCode.Parse(code);

        Assert.True(parsed.IsOk, parsed.Error?.ToString());
        Assert.Equal(
            new SetupPayload(TestPasscode, 15, IsShortDiscriminator: true, CommissioningFlow: CommissioningFlow.Standard),
            parsed.Value);
        Assert.Equal(15, parsed.Value!.ShortDiscriminator);
    }

    [Fact]
    public void Qr_vector_decodes()
    {
        var parsed = SetupCode.Parse(TestQr);

        Assert.True(parsed.IsOk, parsed.Error?.ToString());
        var payload = parsed.Value!;
        Assert.Equal(TestPasscode, payload.Passcode);
        Assert.Equal(3840, payload.Discriminator);
        Assert.False(payload.IsShortDiscriminator);
        Assert.Equal(15, payload.ShortDiscriminator);
        Assert.Equal((ushort)0xFFF1, payload.VendorId);
        // The canonical SDK test payload: product 0x8001 (32769), discoverable on-network.
        Assert.Equal((ushort)0x8001, payload.ProductId);
        Assert.Equal(CommissioningFlow.Standard, payload.CommissioningFlow);
        Assert.Equal(RendezvousFlags.OnNetwork, payload.RendezvousInformation);
        Assert.Equal(0, payload.Version);
    }

    [Fact]
    public void Qr_encoder_reproduces_the_vector()
    {
        var payload = new SetupPayload(TestPasscode, 3840, false, 0xFFF1, 0x8001, CommissioningFlow.Standard, RendezvousFlags.OnNetwork);

        Assert.Equal(TestQr, SetupCode.ToQrCode(payload));
    }

    [Fact]
    public void Manual_encoder_reproduces_the_vector_from_either_discriminator_form()
    {
        Assert.Equal("34970112332", SetupCode.ToManualCode(new SetupPayload(TestPasscode, 15, true)));
        Assert.Equal("34970112332", SetupCode.ToManualCode(SetupCode.Parse(TestQr).Value!));
    }

    [Fact]
    public void Long_manual_code_carries_vendor_and_product()
    {
        var payload = new SetupPayload(TestPasscode, 15, true, 0xFFF1, 0x8001, CommissioningFlow.Custom);

        var code = SetupCode.ToManualCode(payload);

        Assert.Equal("749701123365521327694", code);
        Assert.Equal(payload, SetupCode.Parse(code).Value);
    }

    [Fact]
    public void Vendor_and_product_without_custom_flow_give_a_short_code()
    {
        var payload = new SetupPayload(TestPasscode, 15, true, 0xFFF1, 0x8001, CommissioningFlow.Standard);

        Assert.Equal("34970112332", SetupCode.ToManualCode(payload));
    }

    [Fact]
    public void Qr_payload_ignores_trailing_tlv_data()
    {
        var withTlv = "MT:" + Base38.Encode([.. QrBytes(), 0x15, 0x2C, 0x00, 0x03, 0x41, 0x42, 0x43, 0x18]);

        Assert.Equal(TestPasscode, SetupCode.Parse(withTlv).Value!.Passcode);
    }

    // --- malformed codes: one test a class of error, each checking the kind and what the message says.

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Rejects_empty_input(string? code) => AssertRejected(code, ParseErrorKind.InvalidValue, "empty");

    [Theory]
    [InlineData("XX:-24J0AFN00KA0648G00")]
    [InlineData("mt:-24J0AFN00KA0648G00")]
    public void Rejects_an_unknown_prefix(string code) => AssertRejected(code, ParseErrorKind.InvalidValue, "unknown setup code prefix");

    [Theory]
    [InlineData("3497O112332", 5)]
    [InlineData("34970112332x", 12)]
    [InlineData("3497_011_2332", 5)]
    public void Rejects_non_digits_in_a_manual_code(string code, int position) =>
        AssertRejected(code, ParseErrorKind.InvalidValue, $"non-digit character at position {position}");

    [Theory]
    [InlineData("3497011233")]
    [InlineData("349701123321")]
    [InlineData("3497-011-2332-0000-0000")]
    [InlineData("--")]
    public void Rejects_a_manual_code_of_the_wrong_length(string code) =>
        AssertRejected(code, ParseErrorKind.InvalidValue, "wrong length");

    [Theory]
    [InlineData("34970112333")] // last digit changed
    [InlineData("34970113332")] // one digit changed
    [InlineData("43970112332")] // adjacent digits swapped
    [InlineData("749701123365521327695")]
    public void Rejects_a_bad_check_digit(string code) => AssertRejected(code, ParseErrorKind.InvalidValue, "bad check digit");

    [Theory]
    [InlineData(8)]
    [InlineData(9)]
    public void Rejects_a_manual_code_version_other_than_zero(int firstDigit) =>
        AssertRejected(WithCheckDigit($"{firstDigit}497011233"), ParseErrorKind.InvalidValue, "first digit must be 0-7");

    [Fact]
    public void Rejects_a_short_code_whose_first_digit_announces_a_long_one() =>
        AssertRejected(WithCheckDigit("7497011233"), ParseErrorKind.InvalidValue, "announces a 21-digit code");

    [Fact]
    public void Rejects_a_long_code_whose_first_digit_announces_a_short_one() =>
        AssertRejected(WithCheckDigit("34970112336552132769"), ParseErrorKind.InvalidValue, "announces an 11-digit code");

    [Theory]
    [InlineData("3999991233")] // digits 2-6 > 65535
    [InlineData("3497019999")] // digits 7-10 > 8191
    public void Rejects_manual_chunks_that_overflow_their_bits(string digits) =>
        AssertRejected(WithCheckDigit(digits), ParseErrorKind.InvalidValue, "do not encode a valid discriminator and passcode");

    [Fact]
    public void Rejects_long_code_ids_over_16_bits() =>
        AssertRejected(WithCheckDigit("74970112336553632769"), ParseErrorKind.InvalidValue, "exceeds 65535");

    [Theory]
    [InlineData(0u, "0 is not allowed")]
    [InlineData(11111111u, "trivially guessable")]
    [InlineData(55555555u, "trivially guessable")]
    [InlineData(99999999u, "trivially guessable")]
    [InlineData(12345678u, "trivially guessable")]
    [InlineData(87654321u, "trivially guessable")]
    public void Rejects_forbidden_passcodes_in_both_formats(uint passcode, string reason)
    {
        AssertRejected(ManualCodeFor(15, passcode), ParseErrorKind.InvalidValue, reason);
        AssertRejected(QrCodeFor(passcode: passcode), ParseErrorKind.InvalidValue, reason);
    }

    [Fact]
    public void Encoders_refuse_a_passcode_over_27_bits()
    {
        // Neither wire format can carry one, so only the encoders can be handed such a value.
        Assert.Throws<ArgumentException>(() => SetupCode.ToManualCode(new SetupPayload(SetupCode.MaxPasscode + 1, 1, true)));
        Assert.Throws<ArgumentException>(() => SetupCode.ToQrCode(
            new SetupPayload(SetupCode.MaxPasscode + 1, 1, false, 1, 1, CommissioningFlow.Standard, RendezvousFlags.Ble)));
    }

    [Theory]
    [InlineData("MT:")]
    [InlineData("MT:-24J0AFN00KA0648G0")]
    public void Rejects_a_too_short_qr_payload(string code) => AssertRejected(code, ParseErrorKind.FrameTooShort, "QR payload too short");

    [Theory]
    [InlineData("MT:-24J0AFN00KA0648g00", 17)]
    [InlineData("MT:-24J0AFN00KA0648G0_", 19)]
    [InlineData("MT: 24J0AFN00KA0648G00", 1)]
    public void Rejects_a_bad_base38_character(string code, int position) =>
        AssertRejected(code, ParseErrorKind.InvalidValue, $"bad base38 character at position {position}");

    [Fact]
    public void Rejects_a_base38_length_that_is_not_whole_chunks() =>
        AssertRejected(TestQr + "00", ParseErrorKind.InvalidValue, "base38 length");

    [Fact]
    public void Rejects_a_base38_chunk_beyond_three_bytes() =>
        AssertRejected("MT:....." + TestQr[8..], ParseErrorKind.InvalidValue, "out of range");

    [Fact]
    public void Rejects_an_unknown_qr_version() =>
        AssertRejected(QrCodeFor(version: 1), ParseErrorKind.InvalidValue, "unsupported QR payload version 1");

    [Fact]
    public void Rejects_the_reserved_commissioning_flow() =>
        AssertRejected(QrCodeFor(flow: 3), ParseErrorKind.InvalidValue, "reserved commissioning flow");

    [Fact]
    public void Rejects_concatenated_qr_payloads() =>
        AssertRejected(TestQr + "*" + TestQr[3..], ParseErrorKind.InvalidValue, "concatenated");

    [Theory]
    [InlineData("34970112333")]
    [InlineData("3497-011-2333")]
    [InlineData("MT:-24J0AFN00KA0648g00")]
    [InlineData("XX:34970112332")]
    public void Error_messages_do_not_leak_the_code_or_passcode(string code)
    {
        var error = SetupCode.Parse(code).Error!;

        Assert.DoesNotContain("20202021", error.Message);
        Assert.DoesNotContain(code, error.Message);
        Assert.DoesNotContain(code.Replace("-", ""), error.Message);
        Assert.DoesNotContain(code[3..], error.Message);
    }

    [Fact]
    public void ToString_redacts_the_passcode()
    {
        var text = SetupCode.Parse(TestQr).Value!.ToString();

        Assert.DoesNotContain("20202021", text);
        Assert.Contains("redacted", text);
        Assert.Contains("Discriminator = 3840", text);
    }

    [Theory]
    [InlineData(1u, true)]
    [InlineData(20202021u, true)]
    [InlineData(SetupCode.MaxPasscode, true)]
    [InlineData(0u, false)]
    [InlineData(22222222u, false)]
    [InlineData(33333333u, false)]
    [InlineData(12345678u, false)]
    [InlineData(87654321u, false)]
    [InlineData(SetupCode.MaxPasscode + 1, false)]
    public void Passcode_validity_follows_the_spec(uint passcode, bool valid) =>
        Assert.Equal(valid, SetupCode.IsValidPasscode(passcode));

    [Fact]
    public void Qr_encoder_needs_what_only_a_qr_code_carries()
    {
        var full = SetupCode.Parse(TestQr).Value!;

        Assert.Throws<ArgumentException>(() => SetupCode.ToQrCode(full with { IsShortDiscriminator = true, Discriminator = 15 }));
        Assert.Throws<ArgumentException>(() => SetupCode.ToQrCode(full with { VendorId = null }));
        Assert.Throws<ArgumentException>(() => SetupCode.ToQrCode(full with { RendezvousInformation = null }));
        Assert.Throws<ArgumentOutOfRangeException>(() => SetupCode.ToQrCode(full with { Discriminator = 0x1000 }));
        Assert.Throws<ArgumentException>(() => SetupCode.ToQrCode(full with { Passcode = 12345678 }));
    }

    [Fact]
    public void Advertisement_matches_payloads_from_either_code()
    {
        var adv = new MatterAdvertisement(3840, 0, 0xFFF1, 0x8000, false);

        Assert.True(adv.Matches(SetupCode.Parse(TestQr).Value!));
        Assert.True(adv.Matches(SetupCode.Parse("34970112332").Value!));
        Assert.False(adv.Matches(new SetupPayload(TestPasscode, 3841, false)));
    }

    // --- round trips

    private static readonly Gen<uint> ValidPasscodes =
        Gen.Choose(1, (int)SetupCode.MaxPasscode).Select(p => (uint)p).Where(SetupCode.IsValidPasscode);

    private static readonly Gen<SetupPayload> ManualPayloads =
        from passcode in ValidPasscodes
        from shortDiscriminator in Gen.Choose(0, 15)
        from ids in Gen.OneOf(
            Gen.Constant<(ushort, ushort)?>(null),
            from v in Gen.Choose(0, ushort.MaxValue)
            from p in Gen.Choose(0, ushort.MaxValue)
            select ((ushort, ushort)?)((ushort)v, (ushort)p))
        select new SetupPayload(
            passcode, (ushort)shortDiscriminator, true, ids?.Item1, ids?.Item2,
            ids is null ? CommissioningFlow.Standard : CommissioningFlow.Custom);

    private static readonly Gen<SetupPayload> QrPayloads =
        from passcode in ValidPasscodes
        from discriminator in Gen.Choose(0, 0xFFF)
        from vendor in Gen.Choose(0, ushort.MaxValue)
        from product in Gen.Choose(0, ushort.MaxValue)
        from flow in Gen.Elements(CommissioningFlow.Standard, CommissioningFlow.UserIntent, CommissioningFlow.Custom)
        from rendezvous in Gen.Choose(0, byte.MaxValue)
        select new SetupPayload(
            passcode, (ushort)discriminator, false, (ushort)vendor, (ushort)product, flow, (RendezvousFlags)rendezvous);

    [Property]
    public Property Manual_code_round_trips() =>
        Prop.ForAll(ManualPayloads.ToArbitrary(), payload => SetupCode.Parse(SetupCode.ToManualCode(payload)).Value == payload);

    [Property]
    public Property Qr_code_round_trips() =>
        Prop.ForAll(QrPayloads.ToArbitrary(), payload => SetupCode.Parse(SetupCode.ToQrCode(payload)).Value == payload);

    [Property]
    public Property Manual_code_from_a_qr_payload_keeps_the_short_discriminator_and_passcode() =>
        Prop.ForAll(QrPayloads.ToArbitrary(), payload =>
        {
            var manual = SetupCode.Parse(SetupCode.ToManualCode(payload)).Value!;
            return manual.Passcode == payload.Passcode && manual.Discriminator == payload.ShortDiscriminator;
        });

    // --- helpers: build codes bit by bit so invalid payloads (which the encoders refuse) can be minted.

    private static void AssertRejected(string? code, ParseErrorKind kind, string messagePart)
    {
        var parsed = SetupCode.Parse(code);

        Assert.False(parsed.IsOk);
        Assert.Null(parsed.Value);
        Assert.Equal(kind, parsed.Error!.Kind);
        Assert.Contains(messagePart, parsed.Error.Message);
    }

    private static string WithCheckDigit(string digits) => digits + Verhoeff.ComputeCheckDigit(digits);

    private static string ManualCodeFor(int shortDiscriminator, uint passcode)
    {
        var first = shortDiscriminator >> 2;
        var chunk2 = ((shortDiscriminator & 3) << 14) | (int)(passcode & 0x3FFF);
        var chunk3 = passcode >> 14;
        return WithCheckDigit($"{first}{chunk2:D5}{chunk3:D4}");
    }

    private static byte[] QrBytes(uint version = 0, uint flow = 0, uint passcode = TestPasscode)
    {
        // version 3, vendor 16, product 16, flow 2, rendezvous 8, discriminator 12, passcode 27, padding 4.
        UInt128 bits = version
            | ((UInt128)0xFFF1 << 3)
            | ((UInt128)0x8001 << 19)
            | ((UInt128)flow << 35)
            | ((UInt128)(byte)RendezvousFlags.OnNetwork << 37)
            | ((UInt128)3840 << 45)
            | ((UInt128)passcode << 57);
        var bytes = new byte[11];
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)(bits >> (8 * i));
        }

        return bytes;
    }

    private static string QrCodeFor(uint version = 0, uint flow = 0, uint passcode = TestPasscode) =>
        "MT:" + Base38.Encode(QrBytes(version, flow, passcode));

    [Fact]
    public void Test_helpers_agree_with_the_vector()
    {
        Assert.Equal(TestQr, QrCodeFor());
        Assert.Equal("34970112332", ManualCodeFor(15, TestPasscode));
    }
}
