namespace CommissioningActors.Simulator.Matter;

/// <summary>Which commissioning step the fault knob makes fail.</summary>
public enum DeviceFaultStep
{
    None,
    Pase,
    ArmFailSafe,
    SetRegulatoryConfig,
    CertificateChainRequest,
    AttestationRequest,
    CsrRequest,
    AddTrustedRootCertificate,
    AddNoc,
    AddOrUpdateNetwork,
    ConnectNetwork,
    Case,
    CommissioningComplete,
}

/// <summary>The network interface the device's NetworkCommissioning cluster (endpoint 0) offers.</summary>
public enum DeviceNetworkKind
{
    WiFi,
    Thread,
}

/// <summary>
/// A simulated Matter device. <see cref="Passcode"/> is a secret: it never reaches a log or a ToString.
/// <see cref="OnNetwork"/> says whether the device is already on its operational network (reached over UDP:
/// its Networks list shows a connected network and no network credentials are needed).
/// </summary>
public sealed record SimulatedDeviceOptions
{
    public uint Passcode { get; init; } = 20202021;
    public ushort Discriminator { get; init; } = 3840;
    public ushort VendorId { get; init; } = DeviceAttestationCredentials.TestVendorId;
    public ushort ProductId { get; init; } = DeviceAttestationCredentials.TestProductId;
    public string VendorName { get; init; } = "CommissioningActors";
    public string ProductName { get; init; } = "Simulated light";
    public string SerialNumber { get; init; } = "SIM-0001";
    public DeviceNetworkKind Network { get; init; } = DeviceNetworkKind.WiFi;
    public bool OnNetwork { get; init; }
    public DeviceFaultStep Fault { get; init; } = DeviceFaultStep.None;
    public uint PbkdfIterations { get; init; } = 1000;
    public TimeProvider Time { get; init; } = TimeProvider.System;
    public Action<string>? Log { get; init; }

    public override string ToString() =>
        $"SimulatedDevice(vendor 0x{VendorId:X4}, product 0x{ProductId:X4}, discriminator {Discriminator}, {Network}, fault {Fault})";
}
