namespace CommissioningActors.Protocol.BleProxy;

// Text frames, client (BLE proxy) -> server (this service).
public abstract record ClientMessage;

/// <summary>
/// The first frame. ConnectionSlots (optional, absent in older clients) is how many BLE connections the proxy
/// can hold at once; the server sizes that proxy's connect gate from it unless its configuration overrides it.
/// </summary>
public sealed record Hello(int Version, int? ConnectionSlots = null) : ClientMessage;

/// <summary>Exactly one per command id. Result is the raw JSON object; decode it with BleProxyCodec.DecodeResult.</summary>
public sealed record CommandResponse(int Id, bool Success, System.Text.Json.Nodes.JsonObject? Result, string? Error, string? Message)
    : ClientMessage
{
    public static CommandResponse Ok(int id, BleCommandResult result) => new(id, true, result.ToJson(), null, null);
    public static CommandResponse Fail(int id, string error, string message) => new(id, false, null, error, message);
}

public abstract record BleEvent : ClientMessage;

/// <summary>Service-data keys are normalised UUIDs (see BleUuid.Normalize).</summary>
public sealed record DeviceDiscovered(
    string Address,
    bool Connectable,
    string? Name,
    int? Rssi,
    IReadOnlyDictionary<string, byte[]> ServiceData,
    IReadOnlyDictionary<int, byte[]> ManufacturerData,
    IReadOnlyList<string> ServiceUuids) : BleEvent;

public sealed record Disconnected(int ConnectionHandle, string? Reason) : BleEvent;

public sealed record ScanStopped(string? Reason) : BleEvent;

public sealed record CharacteristicNotification(int ConnectionHandle, string CharacteristicUuid, byte[] Value) : BleEvent;

// Text frames, server -> client.
public abstract record ServerMessage;

public sealed record HelloResponse(int Version, string? Error = null, string? Message = null) : ServerMessage;

public sealed record CommandFrame(int Id, BleCommand Command) : ServerMessage;

// Binary frames: [opcode:1][connection_handle:2 BE][payload...].
public enum BinaryOpcode : byte
{
    WriteData = 0x01,
    Notification = 0x02,
    ReadResponse = 0x03,
}

public sealed record BinaryFrame(BinaryOpcode Opcode, ushort ConnectionHandle, byte[] Payload);
