namespace CommissioningActors.Protocol.Matter;

/// <summary>
/// Matter's base38 (QR alphanumeric-safe) encoding: 3 bytes -> 5 chars, a trailing 2 bytes -> 4 chars,
/// 1 byte -> 2 chars; little-endian, least significant char first.
/// </summary>
public static class Base38
{
    public const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-.";

    public static string Encode(ReadOnlySpan<byte> bytes)
    {
        var chars = new System.Text.StringBuilder((bytes.Length + 2) / 3 * 5);
        for (var i = 0; i < bytes.Length; i += 3)
        {
            var take = Math.Min(3, bytes.Length - i);
            uint value = 0;
            for (var j = 0; j < take; j++)
            {
                value |= (uint)bytes[i + j] << (8 * j);
            }

            for (var k = CharsFor(take); k > 0; k--)
            {
                chars.Append(Alphabet[(int)(value % 38)]);
                value /= 38;
            }
        }

        return chars.ToString();
    }

    /// <summary>Decodes base38; error messages name 1-based positions, never content.</summary>
    public static Parsed<byte[]> Decode(ReadOnlySpan<char> text)
    {
        var remainder = text.Length % 5;
        if (remainder is 1 or 3)
        {
            return Parsed<byte[]>.Fail(ParseErrorKind.InvalidValue,
                $"base38 length {text.Length} is invalid (a chunk must be 2, 4 or 5 characters)");
        }

        var bytes = new byte[(text.Length / 5 * 3) + (remainder == 0 ? 0 : remainder / 2)];
        var written = 0;
        for (var i = 0; i < text.Length; i += 5)
        {
            var chunk = text.Slice(i, Math.Min(5, text.Length - i));
            var byteCount = chunk.Length == 5 ? 3 : chunk.Length / 2;

            ulong value = 0;
            for (var k = chunk.Length - 1; k >= 0; k--)
            {
                var digit = Alphabet.IndexOf(chunk[k]);
                if (digit < 0)
                {
                    return Parsed<byte[]>.Fail(ParseErrorKind.InvalidValue,
                        $"bad base38 character at position {i + k + 1}");
                }

                value = (value * 38) + (uint)digit;
            }

            // 38^n overshoots 2^(8*bytes); the excess is not a valid encoding.
            if (value >> (8 * byteCount) != 0)
            {
                return Parsed<byte[]>.Fail(ParseErrorKind.InvalidValue,
                    $"base38 chunk at position {i + 1} is out of range");
            }

            for (var j = 0; j < byteCount; j++)
            {
                bytes[written++] = (byte)(value >> (8 * j));
            }
        }

        return Parsed<byte[]>.Ok(bytes);
    }

    private static int CharsFor(int byteCount) => byteCount switch
    {
        3 => 5,
        2 => 4,
        _ => 2,
    };
}
