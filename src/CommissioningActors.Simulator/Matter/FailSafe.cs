namespace CommissioningActors.Simulator.Matter;

/// <summary>
/// The fail-safe context (core spec 11.10.7.2): armed by ArmFailSafe with an expiry, bounded by the maximum
/// cumulative time from the first arming; it records what commissioning added under it so expiry (or
/// ArmFailSafe 0) can take it back.
/// </summary>
public sealed class FailSafe(TimeProvider time)
{
    public const ushort DefaultExpirySeconds = 60;
    public const ushort MaxCumulativeSeconds = 900;

    private DateTimeOffset _armedAt;

    public bool IsArmed { get; private set; }

    public DateTimeOffset Expiry { get; private set; }

    /// <summary>The fabric index of the session that armed it (0 = a PASE session not yet bound to a fabric).</summary>
    public byte ArmedByFabric { get; private set; }

    public bool AddedRoot { get; set; }

    /// <summary>The fabric AddNOC created under this fail-safe, if any.</summary>
    public byte? AddedFabric { get; set; }

    public bool NetworksChanged { get; set; }

    public bool IsExpired => IsArmed && time.GetUtcNow() >= Expiry;

    public void Arm(ushort seconds, byte fabricIndex)
    {
        var now = time.GetUtcNow();
        if (!IsArmed)
        {
            _armedAt = now;
            ArmedByFabric = fabricIndex;
        }

        IsArmed = true;
        var limit = _armedAt + TimeSpan.FromSeconds(MaxCumulativeSeconds);
        var wanted = now + TimeSpan.FromSeconds(seconds);
        Expiry = wanted < limit ? wanted : limit;
    }

    /// <summary>The fabric adopted the PASE session's arming (AddNOC bound it to the new fabric).</summary>
    public void BindTo(byte fabricIndex) => ArmedByFabric = fabricIndex;

    public void Disarm()
    {
        IsArmed = false;
        AddedRoot = false;
        AddedFabric = null;
        NetworksChanged = false;
        ArmedByFabric = 0;
    }
}
