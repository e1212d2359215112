namespace CommissioningActors.Protocol.BleProxy;

/// <summary>
/// Classifies slot exhaustion: the structured code, or connection_failed text worded the way the real stacks
/// (bleak, bleak-retry-connector, bleak-esphome, habluetooth, aioesphomeapi, ESPHome) word it.
/// docs/slot-exhaustion-phrases.md lists every phrase with its source and the verdict.
/// </summary>
public static class SlotExhaustion
{
    /// <summary>
    /// Phrases that only ever mean "no free connection", matched case-insensitively as substrings of a
    /// connection_failed message and of free text (job output).
    /// </summary>
    public static readonly IReadOnlyList<string> LegacyMarkers =
    [
        // bleak-retry-connector's advice text and exception docstring; bleak-esphome's wait log.
        "out of connection slots",
        // bleak-retry-connector's exception class, as clients forward it (bare, module-qualified or repr).
        "OutOfConnectionSlots",
        // habluetooth wrappers: no scanner with a free slot can reach the address.
        "no backend with an available connection slot",
        // bleak-esphome device: the wait for a free slot on the proxy timed out.
        "no free BLE connection slot became available",
        // ESPHome bluetooth_proxy: every connection object is in use.
        "no free connections available",
        // ESP-IDF rejected the connect for lack of resources (HCI 0x0D), as aioesphomeapi names it.
        "ESP_GATT_CONN_CONN_CANCEL",
        // HCI controller errors 0x09 and 0x0D, in bleak's wording.
        "connection limit exceeded",
        "connection rejected due to limited resources",
        // Earlier wording of this project and its simulator (no upstream source).
        "no free connection slot",
        "out of slots",
        "no free slots",
        "no slots available",
    ];

    /// <summary>
    /// bleak-retry-connector's broad OUT_OF_SLOTS_ERRORS substrings. Trusted only in a proxy's connection_failed
    /// message: our own job output says "waits for a connection slot" and must not read as exhaustion.
    /// </summary>
    public static readonly IReadOnlyList<string> ConnectFailureMarkers =
    [
        "available connection",
        "connection slot",
    ];

    /// <summary>Phrases that contain a marker yet mean something else; they win over every marker.</summary>
    public static readonly IReadOnlyList<string> NotSlotExhaustion =
    [
        // bleak-esphome: the proxy went away while the connect waited for a slot (a lost proxy, not a full one).
        "became unavailable while waiting",
        // habluetooth: its own slot bookkeeping failed; no connect was refused.
        "slot register callback failed",
        "slot unregister callback failed",
    ];

    public static bool IsSlotExhaustion(string code, string? message)
    {
        if (string.Equals(code, BleErrorCodes.OutOfConnectionSlots, StringComparison.Ordinal))
        {
            return true;
        }

        return string.Equals(code, BleErrorCodes.ConnectionFailed, StringComparison.Ordinal)
            && !string.IsNullOrEmpty(message)
            && !ContainsAny(message, NotSlotExhaustion)
            && (ContainsAny(message, LegacyMarkers) || ContainsAny(message, ConnectFailureMarkers));
    }

    /// <summary>True when a free-text line (job output, log) mentions slot exhaustion.</summary>
    public static bool MentionsSlotExhaustion(string? text) =>
        !string.IsNullOrEmpty(text)
        && (text.Contains(BleErrorCodes.OutOfConnectionSlots, StringComparison.OrdinalIgnoreCase)
            || (!ContainsAny(text, NotSlotExhaustion) && ContainsAny(text, LegacyMarkers)));

    public const string ActionableMessage =
        "The BLE proxy has no free connection slot. Raise its connection slots or add another BLE proxy.";

    private static bool ContainsAny(string text, IReadOnlyList<string> markers)
    {
        foreach (var marker in markers)
        {
            if (text.Contains(marker, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
