namespace CommissioningActors.Simulator;

/// <summary>
/// The Matter device behind one simulated BLE link. The GATT server runs BTP (handshake, segments, acks) and
/// hands over whole Matter messages; the device answers through the <see cref="MatterDeviceSend"/> it was made
/// with. Messages of one link arrive one at a time, in order, never under a simulator lock, so the device may
/// send from inside <see cref="OnMessage"/>.
/// </summary>
public interface IMatterDeviceLink
{
    /// <summary>One whole Matter message from the commissioner.</summary>
    void OnMessage(ReadOnlyMemory<byte> message);

    /// <summary>The BTP session ended (disconnect, protocol error, timeout); nothing more is delivered or sent.</summary>
    void OnClosed(string reason);

    /// <summary>
    /// Called once, right after the link is made: <paramref name="drop"/> ends the BLE link as the device's radio
    /// would (a `disconnected` event with the reason, the slot freed). Links that never drop ignore it.
    /// </summary>
    void OnAttached(Func<string, Task> drop)
    {
    }
}

/// <summary>Sends one Matter message to the commissioner; false when the session is closed or refused it.</summary>
public delegate Task<bool> MatterDeviceSend(ReadOnlyMemory<byte> message);

/// <summary>The device side of a new BTP session of <paramref name="device"/>; null = messages are dropped.</summary>
public delegate IMatterDeviceLink? MatterDeviceLinkFactory(SimulatedDevice device, MatterDeviceSend send);
