namespace CommissioningActors.Simulator;

/// <summary>Draws the simulated latencies; commands run concurrently, so draws share one locked Random.</summary>
internal sealed class LatencySampler(SimulatorLatencies latencies)
{
    private readonly Random _random = latencies.Seed is { } seed ? new Random(seed) : new Random();

    public TimeSpan Connect() => Draw(latencies.ConnectDistribution, latencies.Connect);

    public TimeSpan Gatt() => Draw(latencies.GattDistribution, latencies.Gatt);

    public TimeSpan BtpHandshake() => Draw(latencies.BtpHandshakeDistribution, latencies.BtpHandshake);

    public TimeSpan BtpPacket() => Draw(latencies.BtpPacketDistribution, latencies.BtpPacket);

    /// <summary>A uniform integer in [-range, +range].</summary>
    public int Spread(int range)
    {
        if (range <= 0)
        {
            return 0;
        }

        lock (_random)
        {
            return _random.Next(-range, range + 1);
        }
    }

    /// <summary>True with the given probability.</summary>
    public bool Chance(double probability)
    {
        if (probability <= 0)
        {
            return false;
        }

        lock (_random)
        {
            return _random.NextDouble() < probability;
        }
    }

    /// <summary>A uniform draw in [0, max].</summary>
    public TimeSpan UpTo(TimeSpan max)
    {
        if (max <= TimeSpan.Zero)
        {
            return TimeSpan.Zero;
        }

        lock (_random)
        {
            return TimeSpan.FromTicks((long)(_random.NextDouble() * max.Ticks));
        }
    }

    private TimeSpan Draw(LatencyDistribution? distribution, TimeSpan fallback)
    {
        if (distribution is null)
        {
            return fallback;
        }

        lock (_random)
        {
            return distribution.Sample(_random);
        }
    }
}
