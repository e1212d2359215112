namespace CommissioningActors.Simulator;

/// <summary>One live BLE link of the simulated proxy. Mutable fields are guarded by Sync.</summary>
internal sealed class SimulatedConnection(int handle, string address, SimulatedDevice device, int mtu)
{
    public object Sync { get; } = new();
    public int Handle { get; } = handle;
    public string Address { get; } = address;
    public SimulatedDevice Device { get; } = device;

    /// <summary>Stopwatch timestamp of the connect that took this link's slot (for hold-time accounting).</summary>
    public long SlotTakenAt { get; init; }

    public int Mtu { get; set; } = mtu;
    public string? SubscribedUuid { get; set; }
    /// <summary>The handshake request, held until C2 is subscribed.</summary>
    public byte[]? PendingHandshake { get; set; }

    /// <summary>The BTP session, from the moment the handshake can be answered.</summary>
    public DeviceBtp? Btp { get; set; }

    /// <summary>Server to device BTP packets over the simulated air; null = delivered at once.</summary>
    public RadioLane? Uplink { get; set; }
}
