namespace CommissioningActors.Simulator;

/// <summary>
/// The address state of one physical device that rotates its BLE address. Shared by every simulated proxy that
/// sees the device (it is one radio): the device advertises and accepts connects only at its current address;
/// an older address is gone. The sequence does not wrap: a real device never returns to an old address.
/// </summary>
public sealed class AddressRotation
{
    private int _index;

    /// <summary>Index into the device's Addresses of the address in use now.</summary>
    public int Index => Volatile.Read(ref _index);

    /// <summary>Moves to the next address; false when the device is already at its last one.</summary>
    public bool Advance(int addressCount)
    {
        while (true)
        {
            var current = Volatile.Read(ref _index);
            if (current >= addressCount - 1)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _index, current + 1, current) == current)
            {
                return true;
            }
        }
    }
}

/// <summary>How the simulated radio varies what each proxy sees; all draws come from the proxy's seeded Random.</summary>
public sealed record SimulatorRadio
{
    /// <summary>Each advertisement's RSSI is the device's RSSI plus a uniform draw in [-RssiJitterDb, +RssiJitterDb].</summary>
    public int RssiJitterDb { get; init; }

    /// <summary>Each advertisement round is delayed by a uniform draw of up to this, so proxies see devices at different ages.</summary>
    public TimeSpan AdvertisementJitter { get; init; }

    /// <summary>
    /// Fraction (0-1) of connects to an address the device has rotated away from that fail fast (after the
    /// connect latency); the rest hold the slot until the connect's own timeout, as a real controller does.
    /// Both end in device_not_found.
    /// </summary>
    public double StaleConnectFastFailure { get; init; }
}
