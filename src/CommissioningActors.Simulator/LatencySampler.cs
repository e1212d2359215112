namespace CommissioningActors.Simulator;

/// <summary>Draws the simulated latencies; commands run concurrently, so draws share one locked Random.</summary>
internal sealed class LatencySampler(SimulatorLatencies latencies)
{
    private readonly Random _random = latencies.Seed is { } seed ? new Random(seed) : new Random();

    public TimeSpan Connect() => Draw(latencies.ConnectDistribution, latencies.Connect);

    public TimeSpan Gatt() => Draw(latencies.GattDistribution, latencies.Gatt);

    public TimeSpan BtpHandshake() => Draw(latencies.BtpHandshakeDistribution, latencies.BtpHandshake);

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
