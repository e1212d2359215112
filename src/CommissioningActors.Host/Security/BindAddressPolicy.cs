using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace CommissioningActors.Host.Security;

/// <summary>
/// Listening beyond loopback needs a shared token. Checked on every endpoint Kestrel is about to bind (from `urls`,
/// `Kestrel:Endpoints` or anything else), before that endpoint is bound, so no configuration source can bypass it.
/// </summary>
public static class BindAddressPolicy
{
    /// <summary>Loopback IP endpoints and Unix sockets stay on this machine; "any", real interfaces and the rest do not.</summary>
    public static bool IsLocal(EndPoint endpoint) => endpoint switch
    {
        IPEndPoint ip => IPAddress.IsLoopback(ip.Address),
        UnixDomainSocketEndPoint => true,
        _ => false,
    };

    /// <summary>Throws BindRefusedException when the endpoint leaves the machine and there is no token.</summary>
    public static void Enforce(EndPoint endpoint, string? token)
    {
        if (!IsLocal(endpoint) && string.IsNullOrWhiteSpace(token))
        {
            throw new BindRefusedException(endpoint.ToString() ?? endpoint.GetType().Name);
        }
    }

    /// <summary>A listen URL as Kestrel reads it: localhost names and loopback IPs are local; hostnames, `*` and `+` mean any.</summary>
    public static void Enforce(string url, string? token)
    {
        var host = BindingAddress.Parse(url).Host;
        var local = host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase)
            || url.StartsWith("http://unix:", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
        if (!local && string.IsNullOrWhiteSpace(token))
        {
            throw new BindRefusedException(url);
        }
    }

    /// <summary>Runs the check as Kestrel's endpoint default, which it applies to each endpoint before binding it.</summary>
    public static void RequireTokenOffLoopback(this KestrelServerOptions kestrel, string? token) =>
        kestrel.ConfigureEndpointDefaults(listen => Enforce(listen.EndPoint, token));
}

/// <summary>The host must not start: an endpoint reaches beyond loopback and no token is set.</summary>
public sealed class BindRefusedException(string endpoint) : InvalidOperationException(
    $"Refusing to start: listening on {endpoint} reaches beyond loopback, so /ble and /ws need a shared token. " +
    "Set Server:Token (e.g. --Server:Token=... or the Server__Token environment variable), or listen on 127.0.0.1.")
{
    public string Endpoint { get; } = endpoint;
}
