using CommissioningActors.Protocol.Matter;
using CommissioningActors.Protocol.Matter.Btp;

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
    public BtpHandshakeRequest? PendingHandshake { get; set; }
    public bool HandshakeSent { get; set; }

    /// <summary>The device's own BTP sequence number for the next packet it sends.</summary>
    public byte NextSequence { get; set; }
}
