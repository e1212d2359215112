namespace CommissioningActors.Protocol.BleProxy;

/// <summary>Classifies slot exhaustion: the structured code, or legacy connection_failed text with a slot marker.</summary>
public static class SlotExhaustion
{
    /// <summary>
    /// Phrases that clients predating out_of_connection_slots put into connection_failed messages
    /// (ESPHome / HA bluetooth / bleak wording). Matched case-insensitively as substrings.
    /// </summary>
    public static readonly IReadOnlyList<string> LegacyMarkers =
    [
        "out of connection slots",
        "no free connection slot",
        "no connection slots",
        "connection slots",
        "connection slot available",
        "out of slots",
        "no free slots",
        "no slots available",
    ];

    public static bool IsSlotExhaustion(string code, string? message)
    {
        if (string.Equals(code, BleErrorCodes.OutOfConnectionSlots, StringComparison.Ordinal))
        {
            return true;
        }

        return string.Equals(code, BleErrorCodes.ConnectionFailed, StringComparison.Ordinal) && ContainsMarker(message);
    }

    /// <summary>True when a free-text line (job output, log) mentions slot exhaustion.</summary>
    public static bool MentionsSlotExhaustion(string? text) =>
        text is not null
        && (text.Contains(BleErrorCodes.OutOfConnectionSlots, StringComparison.OrdinalIgnoreCase) || ContainsMarker(text));

    public const string ActionableMessage =
        "The BLE proxy has no free connection slot. Raise its connection slots or add another BLE proxy.";

    private static bool ContainsMarker(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        foreach (var marker in LegacyMarkers)
        {
            if (text.Contains(marker, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
