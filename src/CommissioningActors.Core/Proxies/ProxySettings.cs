using Akka.Configuration;
using CommissioningActors.Core.Configuration;

namespace CommissioningActors.Core.Proxies;

/// <summary>Settings for proxy sessions, from HOCON `commissioning.proxy`.</summary>
public sealed record ProxySettings(
    TimeSpan HandshakeTimeout,
    TimeSpan CommandTimeout,
    TimeSpan ConnectTimeoutMargin,
    bool ScanOnConnect,
    int MaxFrameBytes)
{
    public static ProxySettings Default { get; } = new(
        TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(5), true, 64 * 1024);

    public static ProxySettings FromConfig(Config config) =>
        HoconSettings.Read(config, "commissioning.proxy", Default, c => new ProxySettings(
            c.GetTimeSpan("handshake-timeout", Default.HandshakeTimeout),
            c.GetTimeSpan("command-timeout", Default.CommandTimeout),
            c.GetTimeSpan("connect-timeout-margin", Default.ConnectTimeoutMargin),
            c.GetBoolean("scan-on-connect", Default.ScanOnConnect),
            c.GetInt("max-frame-bytes", Default.MaxFrameBytes)));
}
