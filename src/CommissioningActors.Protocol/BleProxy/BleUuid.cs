namespace CommissioningActors.Protocol.BleProxy;

/// <summary>UUID normalisation: short (fff6), 128-bit dashed (any case) and 128-bit undashed all map to lowercase dashed 128-bit.</summary>
public static class BleUuid
{
    /// <summary>Suffix of the Bluetooth base UUID (0000xxxx-0000-1000-8000-00805f9b34fb) that short forms expand into.</summary>
    public const string BaseUuidSuffix = "-0000-1000-8000-00805f9b34fb";

    public static bool TryNormalize(string? uuid, out string normalized)
    {
        normalized = string.Empty;
        if (uuid is null)
        {
            return false;
        }

        ReadOnlySpan<char> s = uuid;
        switch (s.Length)
        {
            case 4 when IsHex(s):
                normalized = string.Concat("0000", s.ToString().ToLowerInvariant(), BaseUuidSuffix);
                return true;
            case 8 when IsHex(s):
                normalized = string.Concat(s.ToString().ToLowerInvariant(), BaseUuidSuffix);
                return true;
            case 32 when IsHex(s):
                normalized = string.Create(36, uuid, static (dst, src) =>
                {
                    var j = 0;
                    for (var i = 0; i < 32; i++)
                    {
                        if (i is 8 or 12 or 16 or 20)
                        {
                            dst[j++] = '-';
                        }

                        dst[j++] = char.ToLowerInvariant(src[i]);
                    }
                });
                return true;
            case 36 when IsDashed128(s):
                normalized = uuid.ToLowerInvariant();
                return true;
            default:
                return false;
        }
    }

    /// <summary>Throws ArgumentException for input that is not a UUID in any accepted form.</summary>
    public static string Normalize(string uuid) =>
        TryNormalize(uuid, out var normalized)
            ? normalized
            : throw new ArgumentException($"'{uuid}' is not a BLE UUID (expected 4, 8 or 32 hex digits, or a dashed 128-bit UUID).", nameof(uuid));

    public static bool AreEqual(string? a, string? b) =>
        TryNormalize(a, out var na) && TryNormalize(b, out var nb) && string.Equals(na, nb, StringComparison.Ordinal);

    private static bool IsHex(ReadOnlySpan<char> s)
    {
        foreach (var c in s)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsDashed128(ReadOnlySpan<char> s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            var ok = i is 8 or 13 or 18 or 23 ? s[i] == '-' : char.IsAsciiHexDigit(s[i]);
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }
}
