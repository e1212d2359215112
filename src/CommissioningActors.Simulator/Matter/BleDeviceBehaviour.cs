using System.Net;

namespace CommissioningActors.Simulator.Matter;

/// <summary>What a device does with its BLE link once ConnectNetwork succeeded.</summary>
public enum BleAfterNetwork
{
    /// <summary>Keep BLE until the commissioner disconnects (concurrent BLE and Wi-Fi/Thread).</summary>
    Keep,

    /// <summary>Drop the link right after answering ConnectNetwork, as a radio that switches networks does.</summary>
    Drop,
}

/// <summary>
/// How one simulated BLE device behaves as a Matter commissionee, beyond the identity its advertisement carries
/// (discriminator, vendor, product, passcode come from <see cref="SimulatedDevice"/>).
/// </summary>
public sealed record BleDeviceBehaviour
{
    public static BleDeviceBehaviour Default { get; } = new();

    public DeviceFaultStep Fault { get; init; } = DeviceFaultStep.None;
    public BleAfterNetwork AfterNetwork { get; init; } = BleAfterNetwork.Keep;
    public DeviceNetworkKind Network { get; init; } = DeviceNetworkKind.WiFi;

    /// <summary>The UDP port on 127.0.0.1 the device listens on once it joined the network (0 = any free port).</summary>
    public int OperationalPort { get; init; }
}

/// <summary>
/// A device joined the network and is reachable for CASE: what an operational mDNS record (_matter._tcp,
/// "compressed fabric id-node id") would announce. <paramref name="DeviceName"/> is the simulator's own name for it.
/// </summary>
public sealed record OperationalAnnouncement(string DeviceName, ulong CompressedFabricId, ulong NodeId, IPEndPoint EndPoint)
{
    public override string ToString() =>
        $"device '{DeviceName}' is on the network: udp {EndPoint}, operational instance {CompressedFabricId:X16}-{NodeId:X16}";
}
