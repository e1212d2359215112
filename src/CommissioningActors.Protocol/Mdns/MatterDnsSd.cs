using System.Globalization;

namespace CommissioningActors.Protocol.Mdns;

/// <summary>
/// Matter's DNS-SD names and TXT keys (Matter core spec §4.3): commissionable nodes are `_matterc._udp` with
/// subtypes `_L&lt;long discriminator&gt;` / `_S&lt;short&gt;`, operational nodes `_matter._tcp` with instance
/// `&lt;compressed fabric id&gt;-&lt;node id&gt;` (16 uppercase hex digits each).
/// </summary>
public static class MatterDnsSd
{
    public const string CommissionableService = "_matterc._udp.local";
    public const string OperationalService = "_matter._tcp.local";

    public static string LongSubtype(ushort discriminator) => $"_L{discriminator}._sub.{CommissionableService}";

    public static string ShortSubtype(byte discriminator) => $"_S{discriminator}._sub.{CommissionableService}";

    public static string OperationalInstance(ulong compressedFabricId, ulong nodeId) =>
        $"{compressedFabricId:X16}-{nodeId:X16}.{OperationalService}";

    /// <summary>The value of TXT key <paramref name="key"/> (case-insensitive keys, RFC 6763 §6.4), or null.</summary>
    public static string? TxtValue(IReadOnlyList<string> entries, string key)
    {
        foreach (var entry in entries)
        {
            var eq = entry.IndexOf('=');
            if (eq == key.Length && entry.StartsWith(key, StringComparison.OrdinalIgnoreCase))
            {
                return entry[(eq + 1)..];
            }
        }

        return null;
    }

    /// <summary>`D=`: the 12-bit long discriminator in decimal; null when absent or invalid.</summary>
    public static ushort? Discriminator(IReadOnlyList<string> txt) =>
        ushort.TryParse(TxtValue(txt, "D"), NumberStyles.None, CultureInfo.InvariantCulture, out var d) && d <= 0xFFF ? d : null;

    /// <summary>`VP=vendor` or `VP=vendor+product`, decimal; nulls where absent or invalid.</summary>
    public static (ushort? VendorId, ushort? ProductId) VendorProduct(IReadOnlyList<string> txt)
    {
        if (TxtValue(txt, "VP") is not { } value)
        {
            return (null, null);
        }

        var parts = value.Split('+');
        if (parts.Length > 2 || !TryU16(parts[0], out var vendor))
        {
            return (null, null);
        }

        return parts.Length == 2 && TryU16(parts[1], out var product) ? (vendor, product) : (vendor, null);
    }

    private static bool TryU16(string text, out ushort value) =>
        ushort.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
}
