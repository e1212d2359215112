namespace CommissioningActors.Protocol.Matter.Transport;

/// <summary>
/// A peer's session parameters (SII, SAI, SAT; spec 4.12.8 / 2.12.5), advertised in PASE/CASE and over mDNS.
/// They bound how long the peer may sleep, so our retransmissions wait at least that long.
/// </summary>
public sealed record SessionParameters(TimeSpan IdleInterval, TimeSpan ActiveInterval, TimeSpan ActiveThreshold)
{
    public static SessionParameters Default { get; } =
        new(TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(4));
}

/// <summary>Message Reliability Protocol constants (spec 4.12.8) and the retransmission backoff.</summary>
public static class Mrp
{
    /// <summary>The first transmission plus four retransmissions.</summary>
    public const int MaxTransmissions = 5;
    public const double BackoffBase = 1.6;
    public const double BackoffJitter = 0.25;
    public const double BackoffMargin = 1.1;
    public const int BackoffThreshold = 1;

    public static readonly TimeSpan StandaloneAckTimeout = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// How long to wait after transmission number <paramref name="retransmissions"/> (0 = the first send)
    /// before the next: base × MARGIN × BASE^max(0, n − THRESHOLD) × (1 + jitter × JITTER), whole milliseconds.
    /// </summary>
    /// <param name="baseInterval">The peer's SAI when it is active, else its SII.</param>
    /// <param name="jitter">A random draw in [0, 1).</param>
    public static TimeSpan Backoff(TimeSpan baseInterval, int retransmissions, double jitter)
    {
        var ms = baseInterval.TotalMilliseconds
            * BackoffMargin
            * Math.Pow(BackoffBase, Math.Max(0, retransmissions - BackoffThreshold))
            * (1 + (jitter * BackoffJitter));
        return TimeSpan.FromMilliseconds(Math.Floor(ms));
    }
}
