namespace CommissioningActors.Core.Storage;

/// <summary>
/// Our Matter fabric: losing it orphans every device commissioned into it. Keys are PKCS#8 DER, certificates
/// Matter TLV or DER as the certificate layer defines. ToString never shows key material.
/// </summary>
public sealed record FabricRecord(
    ulong FabricId,
    ushort AdminVendorId,
    byte[] RootPrivateKey,
    byte[] RootCertificate,
    byte[] Ipk,
    ulong ControllerNodeId,
    byte[] ControllerPrivateKey,
    byte[] ControllerNoc,
    ulong NextNodeId,
    DateTimeOffset CreatedAt)
{
    public override string ToString() =>
        $"FabricRecord {{ FabricId = {FabricId:X16}, ControllerNodeId = {ControllerNodeId:X16}, NextNodeId = {NextNodeId} }}";
}

/// <summary>A device on our fabric.</summary>
public sealed record NodeRecord(
    ulong NodeId,
    ushort VendorId,
    ushort ProductId,
    string? Label,
    string Transport,
    IReadOnlyList<string> Addresses,
    DateTimeOffset CommissionedAt,
    DateTimeOffset? LastSeen);

/// <summary>Wi-Fi credentials or a Thread dataset for BLE commissioning. Secret: ToString shows neither.</summary>
public sealed record NetworkCredentials(NetworkKind Kind, string? Ssid, byte[] Secret)
{
    public override string ToString() => Kind == NetworkKind.WiFi ? $"Wi-Fi credentials ({Secret.Length}-byte password)" : $"Thread dataset ({Secret.Length} bytes)";
}

public enum NetworkKind
{
    WiFi,
    Thread,
}

/// <summary>A job as it is kept across restarts: its state and its retained (already trimmed, redacted) output.</summary>
public sealed record StoredJob(
    string JobId,
    string? Label,
    string Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    string? ErrorCode,
    string? ErrorMessage,
    string? ResultJson,
    long OutputLines,
    long OutputElided,
    IReadOnlyList<string> Output);
