using System.Net;

namespace CommissioningActors.Host.Security;

/// <summary>Decides whether the configured listen URLs leave the machine (then a token is mandatory).</summary>
public static class BindAddressPolicy
{
    public static bool IsLoopbackOnly(IEnumerable<string> urls) => urls.All(IsLoopbackUrl);

    public static bool IsLoopbackUrl(string url)
    {
        var schemeEnd = url.IndexOf("://", StringComparison.Ordinal);
        var rest = schemeEnd >= 0 ? url[(schemeEnd + 3)..] : url;
        var hostEnd = rest.StartsWith('[') ? rest.IndexOf(']') + 1 : rest.IndexOfAny([':', '/']);
        var host = hostEnd > 0 ? rest[..hostEnd] : rest;
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        // "*", "+", "0.0.0.0", "[::]" and real interface addresses all listen beyond loopback.
        return IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip);
    }

    /// <summary>Throws when listening off loopback without a token: the host refuses to start.</summary>
    public static void Enforce(IReadOnlyList<string> urls, string? token)
    {
        if (!IsLoopbackOnly(urls) && string.IsNullOrWhiteSpace(token))
        {
            throw new InvalidOperationException(
                $"Refusing to start: listening on {string.Join(", ", urls)} reaches beyond loopback, so /ble and /ws " +
                "need a shared token. Set Server:Token (e.g. --Server:Token=... or the Server__Token environment variable).");
        }
    }
}
