namespace CommissioningActors.Simulator.Matter;

/// <summary>
/// How a simulated device reaches one peer: whole Matter messages out. A UDP peer address is one link (MRP on);
/// a BTP connection is one link too, reliable (no MRP). The device calls <see cref="Send"/> under its own lock,
/// so an implementation must not block or call back into the device.
/// </summary>
public interface IMatterDeviceTransport
{
    /// <summary>True when the transport is already reliable (BTP, TCP): no MRP acks or retransmissions.</summary>
    bool IsReliable { get; }

    void Send(ReadOnlyMemory<byte> message);
}
