using Akka.Configuration;

namespace CommissioningActors.Core.Commissioning;

/// <summary>From HOCON `commissioning.attempt`.</summary>
public sealed record AttemptSettings(TimeSpan ScanTimeout, TimeSpan CandidateSettle, TimeSpan DefaultTimeout, int MaxCandidates)
{
    public static AttemptSettings Default { get; } = new(TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(500), TimeSpan.FromMinutes(2), 8);

    public static AttemptSettings FromConfig(Config config)
    {
        var c = config.GetConfig("commissioning.attempt");
        return c is null || c.IsEmpty
            ? Default
            : new AttemptSettings(
                c.GetTimeSpan("scan-timeout", Default.ScanTimeout),
                c.GetTimeSpan("candidate-settle", Default.CandidateSettle),
                c.GetTimeSpan("timeout", Default.DefaultTimeout),
                c.GetInt("max-candidates", Default.MaxCandidates));
    }
}
