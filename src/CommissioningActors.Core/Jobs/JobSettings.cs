using Akka.Configuration;
using CommissioningActors.Core.Configuration;

namespace CommissioningActors.Core.Jobs;

/// <summary>From HOCON `commissioning.jobs`.</summary>
/// <param name="MaxActive">Jobs queued or running in the whole service; more are refused with `busy`.</param>
/// <param name="MaxActivePerClient">Jobs queued or running started by one controller connection.</param>
/// <param name="SnapshotMax">Jobs in a follow_jobs snapshot: every active job plus the newest finished up to this.</param>
public sealed record JobSettings(JobOutputLimits Output, int RetainFinished, TimeSpan RetainFinishedFor, int FollowerBuffer,
    int MaxActive = 64, int MaxActivePerClient = 16, int SnapshotMax = 100)
{
    public static JobSettings Default { get; } = new(JobOutputLimits.Default, 200, TimeSpan.FromHours(1), 4000);

    public static JobSettings FromConfig(Config config) =>
        HoconSettings.Read(config, "commissioning.jobs", Default, c => new JobSettings(
            new JobOutputLimits(c.GetInt("output-inflight-cap", 4000), c.GetInt("output-retention-floor", 2000)),
            c.GetInt("retain-finished", Default.RetainFinished),
            c.GetTimeSpan("retain-finished-for", Default.RetainFinishedFor),
            c.GetInt("follower-buffer", Default.FollowerBuffer),
            Math.Max(1, c.GetInt("max-active", Default.MaxActive)),
            Math.Max(1, c.GetInt("max-active-per-client", Default.MaxActivePerClient)),
            Math.Max(1, c.GetInt("snapshot-max", Default.SnapshotMax))));
}
