using System.Globalization;

namespace CommissioningActors.Protocol.Matter;

/// <summary>
/// Matter onboarding payloads: manual pairing codes (11 or 21 digits, Verhoeff-checked) and
/// <c>MT:</c> QR payloads (base38). Error messages never echo the code or passcode.
/// </summary>
public static class SetupCode
{
    public const string QrPrefix = "MT:";
    public const uint MaxPasscode = (1u << 27) - 1;
    public const ushort MaxDiscriminator = 0x0FFF;
    public const byte MaxShortDiscriminator = 0x0F;

    private const int ShortManualLength = 11;
    private const int LongManualLength = 21;
    private const int VidPidPresentBit = 1 << 2;

    // Bit widths of the QR payload's fixed part, in wire order (LSB first).
    private const int VersionBits = 3;
    private const int VendorBits = 16;
    private const int ProductBits = 16;
    private const int FlowBits = 2;
    private const int RendezvousBits = 8;
    private const int DiscriminatorBits = 12;
    private const int PasscodeBits = 27;
    private const int PaddingBits = 4;
    private const int QrFixedBytes =
        (VersionBits + VendorBits + ProductBits + FlowBits + RendezvousBits + DiscriminatorBits + PasscodeBits + PaddingBits) / 8;
    private const int QrFixedChars = 19; // 11 bytes in base38: 3 * 5 + 4

    /// <summary>False for 0, anything over 27 bits, and the trivially guessable values the spec forbids.</summary>
    public static bool IsValidPasscode(uint passcode) => PasscodeProblem(passcode) is null;

    public static Parsed<SetupPayload> Parse(string? code)
    {
        var text = code?.Trim() ?? "";
        if (text.Length == 0)
        {
            return Fail("setup code is empty");
        }

        if (text.StartsWith(QrPrefix, StringComparison.Ordinal))
        {
            return ParseQr(text);
        }

        if (text.Contains(':'))
        {
            return Fail($"unknown setup code prefix; expected '{QrPrefix}' or a numeric manual pairing code");
        }

        return ParseManual(text);
    }

    /// <summary>
    /// 21-digit code when the payload has vendor and product ids and a custom flow (the only case the
    /// spec lets a manual code carry them), else 11 digits.
    /// </summary>
    public static string ToManualCode(SetupPayload payload)
    {
        RequireValidPasscode(payload.Passcode);
        RequireDiscriminatorInRange(payload);

        var isLong = payload is { CommissioningFlow: CommissioningFlow.Custom, VendorId: not null, ProductId: not null };
        var shortDiscriminator = payload.ShortDiscriminator;
        var first = (isLong ? VidPidPresentBit : 0) | (shortDiscriminator >> 2);
        var chunk2 = ((shortDiscriminator & 0x3) << 14) | (int)(payload.Passcode & 0x3FFF);
        var chunk3 = payload.Passcode >> 14;

        var digits = string.Create(CultureInfo.InvariantCulture, $"{first}{chunk2:D5}{chunk3:D4}");
        if (isLong)
        {
            digits += string.Create(CultureInfo.InvariantCulture, $"{payload.VendorId:D5}{payload.ProductId:D5}");
        }

        return digits + Verhoeff.ComputeCheckDigit(digits);
    }

    /// <summary>QR payload text; needs the full 12-bit discriminator, vendor/product ids and rendezvous flags.</summary>
    public static string ToQrCode(SetupPayload payload)
    {
        RequireValidPasscode(payload.Passcode);
        if (payload.IsShortDiscriminator)
        {
            throw new ArgumentException("a QR code needs the full 12-bit discriminator", nameof(payload));
        }

        RequireDiscriminatorInRange(payload);
        if (payload.VendorId is not { } vendor || payload.ProductId is not { } product)
        {
            throw new ArgumentException("a QR code needs vendor and product ids", nameof(payload));
        }

        if (payload.RendezvousInformation is not { } rendezvous)
        {
            throw new ArgumentException("a QR code needs rendezvous information", nameof(payload));
        }

        ArgumentOutOfRangeException.ThrowIfGreaterThan(payload.Version, (byte)((1 << VersionBits) - 1), nameof(payload));
        ArgumentOutOfRangeException.ThrowIfGreaterThan((byte)payload.CommissioningFlow, (byte)CommissioningFlow.Custom, nameof(payload));

        var bytes = new byte[QrFixedBytes];
        var offset = 0;
        WriteBits(bytes, ref offset, payload.Version, VersionBits);
        WriteBits(bytes, ref offset, vendor, VendorBits);
        WriteBits(bytes, ref offset, product, ProductBits);
        WriteBits(bytes, ref offset, (uint)payload.CommissioningFlow, FlowBits);
        WriteBits(bytes, ref offset, (uint)rendezvous, RendezvousBits);
        WriteBits(bytes, ref offset, payload.Discriminator, DiscriminatorBits);
        WriteBits(bytes, ref offset, payload.Passcode, PasscodeBits);
        return QrPrefix + Base38.Encode(bytes);
    }

    private static Parsed<SetupPayload> ParseManual(string text)
    {
        Span<char> digits = new char[text.Length];
        var count = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is '-' or ' ')
            {
                continue;
            }

            if (c is < '0' or > '9')
            {
                return Fail($"non-digit character at position {i + 1} of the manual pairing code");
            }

            digits[count++] = c;
        }

        digits = digits[..count];
        if (count is not (ShortManualLength or LongManualLength))
        {
            return Fail($"wrong length: a manual pairing code has {ShortManualLength} or {LongManualLength} digits, got {count}");
        }

        if (!Verhoeff.IsValid(digits))
        {
            return Fail("bad check digit: the manual pairing code was probably mistyped");
        }

        var first = digits[0] - '0';
        if (first > 7)
        {
            // Bit 3 of the first digit is the manual code version, and only version 0 exists.
            return Fail("unsupported manual pairing code version: the first digit must be 0-7");
        }

        var isLong = (first & VidPidPresentBit) != 0;
        if (isLong != (count == LongManualLength))
        {
            return Fail(isLong
                ? $"wrong length: the first digit announces a {LongManualLength}-digit code"
                : $"wrong length: the first digit announces an {ShortManualLength}-digit code");
        }

        var chunk2 = Number(digits.Slice(1, 5));
        var chunk3 = Number(digits.Slice(6, 4));
        if (chunk2 > 0xFFFF || chunk3 > 0x1FFF)
        {
            return Fail("digits 2-10 do not encode a valid discriminator and passcode");
        }

        var passcode = (uint)((chunk3 << 14) | (chunk2 & 0x3FFF));
        if (PasscodeProblem(passcode) is { } problem)
        {
            return Fail(problem);
        }

        var shortDiscriminator = (ushort)(((first & 0x3) << 2) | (chunk2 >> 14));
        if (!isLong)
        {
            return Parsed<SetupPayload>.Ok(new SetupPayload(passcode, shortDiscriminator, IsShortDiscriminator: true));
        }

        var vendor = Number(digits.Slice(10, 5));
        var product = Number(digits.Slice(15, 5));
        if (vendor > ushort.MaxValue || product > ushort.MaxValue)
        {
            return Fail("vendor or product id in the manual pairing code exceeds 65535");
        }

        return Parsed<SetupPayload>.Ok(new SetupPayload(
            passcode, shortDiscriminator, IsShortDiscriminator: true,
            (ushort)vendor, (ushort)product, CommissioningFlow.Custom));
    }

    private static Parsed<SetupPayload> ParseQr(string text)
    {
        var body = text.AsSpan(QrPrefix.Length);
        if (body.Contains('*'))
        {
            return Fail("QR code holds several concatenated payloads; only single-device codes are supported");
        }

        if (body.Length < QrFixedChars)
        {
            return Parsed<SetupPayload>.Fail(ParseErrorKind.FrameTooShort,
                $"QR payload too short: needs at least {QrFixedChars} base38 characters after '{QrPrefix}', got {body.Length}");
        }

        var decoded = Base38.Decode(body);
        if (decoded.Error is { } error)
        {
            return Fail($"QR payload after '{QrPrefix}': {error.Message}");
        }

        // Anything past the fixed part is optional TLV data (serial number etc.) we do not need.
        var bytes = decoded.Value!;
        var offset = 0;
        var version = ReadBits(bytes, ref offset, VersionBits);
        var vendor = ReadBits(bytes, ref offset, VendorBits);
        var product = ReadBits(bytes, ref offset, ProductBits);
        var flow = ReadBits(bytes, ref offset, FlowBits);
        var rendezvous = ReadBits(bytes, ref offset, RendezvousBits);
        var discriminator = ReadBits(bytes, ref offset, DiscriminatorBits);
        var passcode = ReadBits(bytes, ref offset, PasscodeBits);

        if (version != 0)
        {
            return Fail($"unsupported QR payload version {version} (only 0 is defined)");
        }

        if (flow > (uint)CommissioningFlow.Custom)
        {
            return Fail("QR payload uses the reserved commissioning flow value 3");
        }

        if (PasscodeProblem(passcode) is { } problem)
        {
            return Fail(problem);
        }

        return Parsed<SetupPayload>.Ok(new SetupPayload(
            passcode, (ushort)discriminator, IsShortDiscriminator: false,
            (ushort)vendor, (ushort)product, (CommissioningFlow)flow, (RendezvousFlags)rendezvous, (byte)version));
    }

    private static string? PasscodeProblem(uint passcode)
    {
        if (passcode == 0)
        {
            return "passcode invalid: 0 is not allowed";
        }

        if (passcode > MaxPasscode)
        {
            return "passcode invalid: exceeds 27 bits";
        }

        var isRepeatedDigit = passcode % 11111111 == 0 && passcode <= 99999999;
        if (isRepeatedDigit || passcode is 12345678 or 87654321)
        {
            return "passcode invalid: trivially guessable values are forbidden by the Matter spec";
        }

        return null;
    }

    private static void RequireValidPasscode(uint passcode)
    {
        if (PasscodeProblem(passcode) is { } problem)
        {
            throw new ArgumentException(problem, nameof(passcode));
        }
    }

    private static void RequireDiscriminatorInRange(SetupPayload payload)
    {
        var max = payload.IsShortDiscriminator ? MaxShortDiscriminator : MaxDiscriminator;
        ArgumentOutOfRangeException.ThrowIfGreaterThan(payload.Discriminator, max, nameof(payload));
    }

    private static int Number(ReadOnlySpan<char> digits) => int.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);

    private static uint ReadBits(byte[] bytes, ref int offset, int count)
    {
        uint value = 0;
        for (var i = 0; i < count; i++, offset++)
        {
            value |= (uint)((bytes[offset / 8] >> (offset % 8)) & 1) << i;
        }

        return value;
    }

    private static void WriteBits(byte[] bytes, ref int offset, uint value, int count)
    {
        for (var i = 0; i < count; i++, offset++)
        {
            bytes[offset / 8] |= (byte)(((value >> i) & 1) << (offset % 8));
        }
    }

    private static Parsed<SetupPayload> Fail(string message) =>
        Parsed<SetupPayload>.Fail(ParseErrorKind.InvalidValue, message);
}
