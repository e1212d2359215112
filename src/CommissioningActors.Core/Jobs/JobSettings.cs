using Akka.Configuration;

namespace CommissioningActors.Core.Jobs;

/// <summary>From HOCON `commissioning.jobs`.</summary>
public sealed record JobSettings(JobOutputLimits Output, int RetainFinished, TimeSpan RetainFinishedFor, int FollowerBuffer)
{
    public static JobSettings Default { get; } = new(JobOutputLimits.Default, 200, TimeSpan.FromHours(1), 4000);

    public static JobSettings FromConfig(Config config)
    {
        var c = config.GetConfig("commissioning.jobs");
        return c is null || c.IsEmpty
            ? Default
            : new JobSettings(
                new JobOutputLimits(c.GetInt("output-inflight-cap", 4000), c.GetInt("output-retention-floor", 2000)),
                c.GetInt("retain-finished", Default.RetainFinished),
                c.GetTimeSpan("retain-finished-for", Default.RetainFinishedFor),
                c.GetInt("follower-buffer", Default.FollowerBuffer));
    }
}
