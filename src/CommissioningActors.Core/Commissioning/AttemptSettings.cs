using Akka.Configuration;

namespace CommissioningActors.Core.Commissioning;

/// <summary>How an attempt spends connects on one physical device.</summary>
public enum ConnectPolicy
{
    /// <summary>One address at a time, freshest and strongest first, hedging after the hedge delay or on failure.</summary>
    Hedged,

    /// <summary>Every address at once (matter.js's behaviour, and ours before issue 11); kept for the benchmark.</summary>
    AllAtOnce,
}

/// <summary>From HOCON `commissioning.attempt`.</summary>
/// <param name="MaxConnectsPerDevice">Connections of one device alive at once (1 + hedge by default).</param>
/// <param name="HedgeDelay">Fixed hedge delay; null = derived from the proxy's observed connect times.</param>
/// <param name="HedgeDelayFallback">The hedge delay before a proxy has observed any connect.</param>
/// <param name="FreshnessResolution">Sightings this close in age count as equally fresh (then RSSI decides).</param>
public sealed record AttemptSettings(TimeSpan ScanTimeout, TimeSpan CandidateSettle, TimeSpan DefaultTimeout, int MaxCandidates,
    ConnectPolicy Policy = ConnectPolicy.Hedged,
    int MaxConnectsPerDevice = 2,
    TimeSpan? HedgeDelay = null,
    TimeSpan? HedgeDelayMin = null,
    TimeSpan? HedgeDelayMax = null,
    TimeSpan? HedgeDelayFallback = null,
    TimeSpan? FreshnessResolution = null)
{
    /// <summary>
    /// On (default): the winning link carries the whole commissioning (PASE, network, then CASE over the network).
    /// Off: an attempt ends when BTP answers its handshake, a link probe (tests whose simulated devices speak no Matter).
    /// </summary>
    public bool CommissionOverBle { get; init; } = true;

    public static AttemptSettings Default { get; } = new(TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(500), TimeSpan.FromMinutes(2), 8);

    private static readonly TimeSpan DefaultHedgeMin = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan DefaultHedgeMax = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan DefaultHedgeFallback = TimeSpan.FromSeconds(3);

    /// <summary>How long to wait for a connect before hedging, given the proxy's typical connect time (if known).</summary>
    public TimeSpan HedgeAfter(TimeSpan? typicalConnect)
    {
        if (HedgeDelay is { } fixedDelay)
        {
            return fixedDelay;
        }

        var min = HedgeDelayMin ?? DefaultHedgeMin;
        var max = HedgeDelayMax ?? DefaultHedgeMax;
        var derived = typicalConnect ?? HedgeDelayFallback ?? DefaultHedgeFallback;
        return derived < min ? min : derived > max ? max : derived;
    }

    public static AttemptSettings FromConfig(Config config)
    {
        var c = config.GetConfig("commissioning.attempt");
        if (c is null || c.IsEmpty)
        {
            return Default;
        }

        var policy = c.GetString("connect-policy", "hedged") switch
        {
            "hedged" => ConnectPolicy.Hedged,
            "all-at-once" => ConnectPolicy.AllAtOnce,
            var other => throw new ConfigurationException($"commissioning.attempt.connect-policy must be hedged or all-at-once, not '{other}'"),
        };
        var perDevice = c.GetInt("max-connects-per-device", 2);
        if (perDevice < 1)
        {
            throw new ConfigurationException("commissioning.attempt.max-connects-per-device must be at least 1");
        }

        var hedge = c.GetString("hedge-delay", "auto");
        return new AttemptSettings(
            c.GetTimeSpan("scan-timeout", Default.ScanTimeout),
            c.GetTimeSpan("candidate-settle", Default.CandidateSettle),
            c.GetTimeSpan("timeout", Default.DefaultTimeout),
            c.GetInt("max-candidates", Default.MaxCandidates),
            policy,
            perDevice,
            hedge == "auto" ? null : c.GetTimeSpan("hedge-delay"),
            c.GetTimeSpan("hedge-delay-min", DefaultHedgeMin),
            c.GetTimeSpan("hedge-delay-max", DefaultHedgeMax),
            c.GetTimeSpan("hedge-delay-fallback", DefaultHedgeFallback),
            c.GetTimeSpan("freshness-resolution", CandidateOrder.DefaultResolution))
        {
            CommissionOverBle = c.GetBoolean("commission-over-ble", true),
        };
    }
}
