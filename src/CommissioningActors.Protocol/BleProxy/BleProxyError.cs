namespace CommissioningActors.Protocol.BleProxy;

/// <summary>Wire error codes of BLE proxy protocol v1 (plus seed 000's two connect codes).</summary>
public static class BleErrorCodes
{
    public const string BluetoothUnavailable = "bluetooth_unavailable";
    public const string AlreadyScanning = "already_scanning";
    public const string NotScanning = "not_scanning";
    public const string DeviceNotFound = "device_not_found";
    public const string ConnectionFailed = "connection_failed";
    public const string AlreadyConnected = "already_connected";
    public const string NotConnected = "not_connected";
    public const string Timeout = "timeout";
    public const string ServiceNotFound = "service_not_found";
    public const string CharacteristicNotFound = "characteristic_not_found";
    public const string ReadFailed = "read_failed";
    public const string WriteFailed = "write_failed";
    public const string SubscribeFailed = "subscribe_failed";
    public const string NotSubscribed = "not_subscribed";
    public const string NotifyNotSupported = "notify_not_supported";
    public const string MtuRequestFailed = "mtu_request_failed";
    public const string DiscoveryFailed = "discovery_failed";
    public const string InternalError = "internal_error";
    public const string OutOfConnectionSlots = "out_of_connection_slots";
    public const string ConnectionAborted = "connection_aborted";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
    {
        BluetoothUnavailable, AlreadyScanning, NotScanning, DeviceNotFound, ConnectionFailed, AlreadyConnected,
        NotConnected, Timeout, ServiceNotFound, CharacteristicNotFound, ReadFailed, WriteFailed, SubscribeFailed,
        NotSubscribed, NotifyNotSupported, MtuRequestFailed, DiscoveryFailed, InternalError, OutOfConnectionSlots,
        ConnectionAborted,
    };
}

/// <summary>A failed proxy command, with the structured wire code kept (unknown codes from newer clients are kept as-is).</summary>
public sealed record BleProxyError(string Code, string Message)
{
    public bool IsOutOfConnectionSlots => SlotExhaustion.IsSlotExhaustion(Code, Message);

    public override string ToString() => $"{Code}: {Message}";
}
