using Akka.Configuration;
using CommissioningActors.Core.Configuration;
using static CommissioningActors.Core.Configuration.HoconSettings;

namespace CommissioningActors.Core.Discovery;

/// <summary>
/// From HOCON `commissioning.discovery`: how long sightings live, how many are kept (per proxy and in total,
/// the stalest evicted first), and how many discoveries per window are logged / announced to
/// subscribe_events followers (the rest are summarised in one line / one event per window).
/// </summary>
public sealed record DiscoverySettings(
    TimeSpan ForgetAfter,
    int MaxSightingsPerProxy,
    int MaxSightings,
    int LogPerWindow,
    TimeSpan LogWindow,
    int AnnouncePerWindow,
    TimeSpan AnnounceWindow)
{
    public static DiscoverySettings Default { get; } = new(
        TimeSpan.FromMinutes(10), 1000, 10_000, 20, TimeSpan.FromMinutes(1), 50, TimeSpan.FromSeconds(1));

    private const string Path = "commissioning.discovery";

    public static DiscoverySettings FromConfig(Config config) =>
        HoconSettings.Read(config, Path, Default, c => Checked(new DiscoverySettings(
            c.GetTimeSpan("forget-after", Default.ForgetAfter),
            c.GetInt("max-sightings-per-proxy", Default.MaxSightingsPerProxy),
            c.GetInt("max-sightings", Default.MaxSightings),
            c.GetInt("log-per-window", Default.LogPerWindow),
            c.GetTimeSpan("log-window", Default.LogWindow),
            c.GetInt("announce-per-window", Default.AnnouncePerWindow),
            c.GetTimeSpan("announce-window", Default.AnnounceWindow))));

    private static DiscoverySettings Checked(DiscoverySettings s)
    {
        Require(AllAtLeast(1, s.MaxSightingsPerProxy, s.MaxSightings) && AllAtLeast(0, s.LogPerWindow, s.AnnouncePerWindow), Path, "the sighting caps must be at least 1 and the per-window counts at least 0");
        Require(AllPositive(s.ForgetAfter, s.LogWindow, s.AnnounceWindow), Path, "forget-after, log-window and announce-window must be positive durations");
        return s;
    }
}
