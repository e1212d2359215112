namespace CommissioningActors.Simulator;

/// <summary>A virtual Matter device. Several addresses = an address-rotating device seen several times.</summary>
public sealed record SimulatedDevice(
    string Name,
    IReadOnlyList<string> Addresses,
    ushort Discriminator,
    ushort VendorId,
    ushort ProductId,
    uint Passcode,
    string ManualCode,
    string? QrCode = null,
    int Rssi = -60,
    bool HasAdditionalData = false,
    AddressRotation? Rotation = null)
{
    /// <summary>Where the device advertises and accepts connects now (null rotation: every address, as before).</summary>
    public bool IsCurrent(string address) =>
        Rotation is null || string.Equals(Addresses[Math.Min(Rotation.Index, Addresses.Count - 1)], address, StringComparison.OrdinalIgnoreCase);

    /// <summary>The addresses advertised now: all of them without rotation, else the current one.</summary>
    public IEnumerable<string> AdvertisedAddresses =>
        Rotation is null ? Addresses : [Addresses[Math.Min(Rotation.Index, Addresses.Count - 1)]];
}

public enum SlotExhaustionStyle
{
    /// <summary>out_of_connection_slots error code.</summary>
    Structured,

    /// <summary>connection_failed with "out of connection slots" text, as clients predating the code do.</summary>
    LegacyText,
}

/// <summary>Fault knobs for tests; all off by default.</summary>
public sealed record SimulatorFaults
{
    public bool FailAllConnects { get; init; }
    public SlotExhaustionStyle SlotExhaustion { get; init; } = SlotExhaustionStyle.Structured;

    /// <summary>Send an unexpected `disconnected` event this long after a connect succeeds (null = never).</summary>
    public TimeSpan? DisconnectAfterConnect { get; init; }

    /// <summary>Commands (wire names) that never get an answer.</summary>
    public IReadOnlySet<string> NeverAnswer { get; init; } = new HashSet<string>();

    /// <summary>Old clients: answer write_and_subscribe with internal_error "unknown command".</summary>
    public bool LacksWriteAndSubscribe { get; init; }

    public bool LacksRequestMtu { get; init; }

    /// <summary>Close the socket when a connect arrives (a proxy that drops mid-connect).</summary>
    public bool DropSocketOnConnect { get; init; }
}

public sealed record SimulatorLatencies
{
    public TimeSpan Connect { get; init; } = TimeSpan.Zero;
    public TimeSpan Gatt { get; init; } = TimeSpan.Zero;
    public TimeSpan BtpHandshake { get; init; } = TimeSpan.Zero;

    /// <summary>
    /// Air time of each BTP packet after the handshake, in either direction: one ATT write or indication, one at a
    /// time per direction, in order. Zero (and no distribution) = packets pass at once.
    /// </summary>
    public TimeSpan BtpPacket { get; init; } = TimeSpan.Zero;

    /// <summary>How often advertisements repeat while scanning.</summary>
    public TimeSpan AdvertisementInterval { get; init; } = TimeSpan.FromSeconds(1);

    // Distributions win over the fixed values above when set (load tests want spread, unit tests want exact).
    public LatencyDistribution? ConnectDistribution { get; init; }
    public LatencyDistribution? GattDistribution { get; init; }
    public LatencyDistribution? BtpHandshakeDistribution { get; init; }
    public LatencyDistribution? BtpPacketDistribution { get; init; }

    internal bool DelaysBtpPackets => BtpPacketDistribution is not null || BtpPacket > TimeSpan.Zero;

    /// <summary>Seed for the draws, so a run can be repeated; null = a different sequence each run.</summary>
    public int? Seed { get; init; }
}

public sealed record SimulatorOptions
{
    public string Name { get; init; } = "simulated-proxy";
    public int ConnectionSlots { get; init; } = 3;

    /// <summary>
    /// connection_slots stated in hello; null omits it, as clients before it did. An honest proxy states its
    /// ConnectionSlots; a different value models a client that misreports its radio.
    /// </summary>
    public int? AnnouncedConnectionSlots { get; init; }
    public IReadOnlyList<SimulatedDevice> Devices { get; init; } = DefaultDevices.All;
    public SimulatorLatencies Latencies { get; init; } = new();
    public SimulatorFaults Faults { get; init; } = new();
    public SimulatorRadio Radio { get; init; } = new();
    public int Mtu { get; init; } = 247;

    /// <summary>The Matter device behind each BTP session (a PASE responder, a whole simulated device); null = none.</summary>
    public MatterDeviceLinkFactory? DeviceLinks { get; init; }

    /// <summary>Sent as "Authorization: Bearer {Token}" on the WebSocket upgrade when set.</summary>
    public string? Token { get; init; }

    /// <summary>Receives one line per notable action (connected, command received); null = silent.</summary>
    public Action<string>? Log { get; init; }

    /// <summary>How long ConnectAsync waits for hello_response.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);
}

public static class DefaultDevices
{
    /// <summary>
    /// The first uses the standard Matter test passcode and discriminator and rotates over three addresses (seed
    /// 000's scenario). Each reports a vendor/product a shipped DAC and declaration attest
    /// (<see cref="Matter.DeviceAttestationCredentials.For"/>): 0xFFF1 / 0x8000, or 0xFFF2 / 0x8002 through the
    /// DAC-origin declaration; their QR codes carry the same ids.
    /// </summary>
    public static IReadOnlyList<SimulatedDevice> All { get; } =
    [
        new("Test Light (rotating address)", ["C0:FF:EE:00:00:01", "C0:FF:EE:00:00:02", "C0:FF:EE:00:00:03"],
            Discriminator: 3840, VendorId: 0xFFF1, ProductId: 0x8000, Passcode: 20202021,
            ManualCode: "34970112332", QrCode: "MT:Y.K90AFN00KA0648G00", Rssi: -55),

        // Codes minted once with SetupCode.ToManualCode/ToQrCode (BLE rendezvous); a test parses them back.
        new("Test Plug", ["C0:FF:EE:00:01:01"],
            Discriminator: 1234, VendorId: 0xFFF1, ProductId: 0x8000, Passcode: 24681357,
            ManualCode: "10705315068", QrCode: "MT:Y.K90KQS02-XUR1VJ00", Rssi: -62),
        new("Test Sensor (additional data)", ["C0:FF:EE:00:02:01"],
            Discriminator: 2750, VendorId: 0xFFF2, ProductId: 0x8002, Passcode: 31415926,
            ManualCode: "24056619176", QrCode: "MT:86PS0E.N16PHOZ58P00", Rssi: -70, HasAdditionalData: true),
    ];
}
