using Akka.Configuration;
using CommissioningActors.Core.Configuration;
using CommissioningActors.Protocol.Mdns;
using static CommissioningActors.Core.Configuration.HoconSettings;

namespace CommissioningActors.Core.Matter.Resolution;

/// <summary>
/// From HOCON `commissioning.matter.resolver` (hocon/matter-resolver.hocon): the mDNS interfaces, how often an
/// unanswered resolve asks again, how soon mDNS is retried after its sockets failed, and the caps that bound
/// what hostile or broken responders can make the resolver hold.
/// </summary>
public sealed record ResolverSettings(
    MulticastDnsSettings Multicast,
    TimeSpan QueryInterval,
    TimeSpan RestartDelay,
    TimeSpan MaxTtl,
    int MaxInstances,
    int MaxHosts,
    int MaxAddressesPerHost,
    int MaxRecordsPerMessage,
    int MaxPending,
    int MaxStaticEntries)
{
    public static ResolverSettings Default { get; } = new(
        MulticastDnsSettings.Default, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), TimeSpan.FromHours(2),
        MaxInstances: 512, MaxHosts: 512, MaxAddressesPerHost: 8, MaxRecordsPerMessage: 128, MaxPending: 256, MaxStaticEntries: 1024);

    private const string Path = "commissioning.matter.resolver";

    public static ResolverSettings FromConfig(Config config) =>
        HoconSettings.Read(config, Path, Default, c => Checked(new ResolverSettings(
            new MulticastDnsSettings(
                [.. c.GetStringList("interfaces", []) ?? []],
                c.GetBoolean("ipv4", Default.Multicast.Ipv4),
                c.GetBoolean("ipv6", Default.Multicast.Ipv6)),
            c.GetTimeSpan("query-interval", Default.QueryInterval),
            c.GetTimeSpan("restart-delay", Default.RestartDelay),
            c.GetTimeSpan("max-ttl", Default.MaxTtl),
            c.GetInt("max-instances", Default.MaxInstances),
            c.GetInt("max-hosts", Default.MaxHosts),
            c.GetInt("max-addresses-per-host", Default.MaxAddressesPerHost),
            c.GetInt("max-records-per-message", Default.MaxRecordsPerMessage),
            c.GetInt("max-pending", Default.MaxPending),
            c.GetInt("max-static-entries", Default.MaxStaticEntries))));

    private static ResolverSettings Checked(ResolverSettings s)
    {
        Require(s.Multicast.Ipv4 || s.Multicast.Ipv6, Path, "at least one of ipv4 and ipv6 must be on");
        Require(AllAtLeast(1, s.MaxInstances, s.MaxHosts, s.MaxAddressesPerHost, s.MaxRecordsPerMessage, s.MaxPending, s.MaxStaticEntries), Path, "every max-* cap must be at least 1");
        Require(AllPositive(s.QueryInterval, s.RestartDelay, s.MaxTtl), Path, "query-interval, restart-delay and max-ttl must be positive");
        return s;
    }
}
