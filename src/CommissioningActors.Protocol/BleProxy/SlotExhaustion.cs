namespace CommissioningActors.Protocol.BleProxy;

/// <summary>Classifies slot exhaustion: the structured code, or legacy connection_failed text with a slot marker.</summary>
public static class SlotExhaustion
{
    public static bool IsSlotExhaustion(string code, string? message) => throw new NotImplementedException();

    /// <summary>True when a free-text line (job output, log) mentions slot exhaustion.</summary>
    public static bool MentionsSlotExhaustion(string? text) => throw new NotImplementedException();

    public const string ActionableMessage =
        "The BLE proxy has no free connection slot. Raise its connection slots or add another BLE proxy.";
}
