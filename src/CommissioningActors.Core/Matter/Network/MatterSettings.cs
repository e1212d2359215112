using System.Net;
using Akka.Configuration;

namespace CommissioningActors.Core.Matter.Network;

/// <summary>From HOCON `commissioning.matter`: the UDP transport, the PAA trust store and on-network attempts.</summary>
public sealed record MatterSettings
{
    public static MatterSettings Default { get; } = new();

    /// <summary>Where the controller's UDP socket binds (all IPv4 interfaces by default: devices answer from the LAN).</summary>
    public IPEndPoint UdpBind { get; init; } = new(IPAddress.Any, 0);

    /// <summary>A folder of production PAAs (*.der, *.pem); null: only the development PAAs shipped in the build.</summary>
    public string? PaaFolder { get; init; }

    /// <summary>Trust the connectedhomeip development PAAs (test devices pass with a warning line).</summary>
    public bool DevelopmentPaas { get; init; } = true;

    /// <summary>Whole-attempt deadline of an on-network commissioning unless the request gives timeout_s.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>How long the resolver may look for a commissionable device when no ip_addr is given.</summary>
    public TimeSpan ResolveTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Each commissioning step's own timeout.</summary>
    public TimeSpan StepTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Pay the one-time crypto and JIT costs of commissioning in the background at start, not in the first commission.</summary>
    public bool WarmUp { get; init; } = true;

    public static MatterSettings FromConfig(Config config)
    {
        var c = config.GetConfig("commissioning.matter");
        if (c is null || c.IsEmpty)
        {
            return Default;
        }

        var address = c.GetString("udp.bind-address", "0.0.0.0");
        if (!IPAddress.TryParse(address, out var ip))
        {
            throw new ConfigurationException($"commissioning.matter.udp.bind-address '{address}' is not an IP address");
        }

        var port = c.GetInt("udp.port", 0);
        if (port is < 0 or > 65535)
        {
            throw new ConfigurationException($"commissioning.matter.udp.port {port} is not a port number");
        }

        var folder = c.GetString("paa.production-folder", "");
        return new MatterSettings
        {
            UdpBind = new IPEndPoint(ip, port),
            PaaFolder = string.IsNullOrWhiteSpace(folder) ? null : folder,
            DevelopmentPaas = c.GetBoolean("paa.include-development", true),
            AttemptTimeout = c.GetTimeSpan("attempt-timeout", Default.AttemptTimeout),
            ResolveTimeout = c.GetTimeSpan("resolve-timeout", Default.ResolveTimeout),
            StepTimeout = c.GetTimeSpan("step-timeout", Default.StepTimeout),
            WarmUp = c.GetBoolean("warm-up", true),
        };
    }
}
