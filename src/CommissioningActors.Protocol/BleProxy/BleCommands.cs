namespace CommissioningActors.Protocol.BleProxy;

/// <summary>A command the server asks a proxy to run. Name is the wire name.</summary>
public abstract record BleCommand
{
    public abstract string Name { get; }
}

public sealed record StartScan(IReadOnlyList<string>? ServiceUuids = null, bool AllowDuplicates = true) : BleCommand
{
    public override string Name => "start_scan";
}

public sealed record StopScan : BleCommand
{
    public override string Name => "stop_scan";
}

public sealed record Connect(string Address, int TimeoutMs = 30000) : BleCommand
{
    public override string Name => "connect";
}

public sealed record Disconnect(int ConnectionHandle) : BleCommand
{
    public override string Name => "disconnect";
}

public sealed record DiscoverServices(int ConnectionHandle) : BleCommand
{
    public override string Name => "discover_services";
}

public sealed record DiscoverCharacteristics(int ConnectionHandle, string ServiceUuid) : BleCommand
{
    public override string Name => "discover_characteristics";
}

public sealed record ReadCharacteristic(int ConnectionHandle, string CharacteristicUuid) : BleCommand
{
    public override string Name => "read_characteristic";
}

public sealed record WriteCharacteristic(int ConnectionHandle, string CharacteristicUuid, byte[] Value, bool Response = false) : BleCommand
{
    public override string Name => "write_characteristic";
}

public sealed record SubscribeCharacteristic(int ConnectionHandle, string CharacteristicUuid) : BleCommand
{
    public override string Name => "subscribe_characteristic";
}

public sealed record WriteAndSubscribe(int ConnectionHandle, string WriteUuid, byte[] WriteValue, bool WriteResponse, string SubscribeUuid)
    : BleCommand
{
    public override string Name => "write_and_subscribe";
}

public sealed record UnsubscribeCharacteristic(int ConnectionHandle, string CharacteristicUuid) : BleCommand
{
    public override string Name => "unsubscribe_characteristic";
}

public sealed record RequestMtu(int ConnectionHandle, int Mtu) : BleCommand
{
    public override string Name => "request_mtu";
}

/// <summary>Typed success results. Commands whose result is {} map to EmptyResult.</summary>
public abstract record BleCommandResult
{
    public abstract System.Text.Json.Nodes.JsonObject ToJson();
}

public sealed record EmptyResult : BleCommandResult
{
    public static readonly EmptyResult Instance = new();
    public override System.Text.Json.Nodes.JsonObject ToJson() => new();
}

public sealed record ConnectResult(int ConnectionHandle, int Mtu) : BleCommandResult
{
    public override System.Text.Json.Nodes.JsonObject ToJson() => new() { ["connection_handle"] = ConnectionHandle, ["mtu"] = Mtu };
}

public sealed record ServicesResult(IReadOnlyList<string> ServiceUuids) : BleCommandResult
{
    public override System.Text.Json.Nodes.JsonObject ToJson() =>
        new() { ["services"] = new System.Text.Json.Nodes.JsonArray(ServiceUuids.Select(u => (System.Text.Json.Nodes.JsonNode)new System.Text.Json.Nodes.JsonObject { ["uuid"] = u }).ToArray()) };
}

public sealed record CharacteristicInfo(string Uuid, IReadOnlyList<string> Properties);

public sealed record CharacteristicsResult(IReadOnlyList<CharacteristicInfo> Characteristics) : BleCommandResult
{
    public override System.Text.Json.Nodes.JsonObject ToJson() =>
        new()
        {
            ["characteristics"] = new System.Text.Json.Nodes.JsonArray(Characteristics.Select(c => (System.Text.Json.Nodes.JsonNode)new System.Text.Json.Nodes.JsonObject
            {
                ["uuid"] = c.Uuid,
                ["properties"] = new System.Text.Json.Nodes.JsonArray(c.Properties.Select(p => (System.Text.Json.Nodes.JsonNode)System.Text.Json.Nodes.JsonValue.Create(p)!).ToArray()),
            }).ToArray()),
        };
}

/// <summary>Value is null when the proxy delivers it as a 0x03 binary frame instead.</summary>
public sealed record ReadResult(byte[]? Value) : BleCommandResult
{
    public override System.Text.Json.Nodes.JsonObject ToJson() =>
        Value is null ? new() : new() { ["value"] = Convert.ToBase64String(Value) };
}

public sealed record MtuResult(int Mtu) : BleCommandResult
{
    public override System.Text.Json.Nodes.JsonObject ToJson() => new() { ["mtu"] = Mtu };
}
