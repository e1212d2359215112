using System.Text.RegularExpressions;
using Akka.Actor;
using Akka.Hosting;
using Akka.Streams;
using CommissioningActors.Core.Proxies;
using CommissioningActors.Host.Security;

namespace CommissioningActors.Host.Endpoints;

/// <summary>`/ble`: a BLE proxy client connects here; one ProxySessionActor per connection.</summary>
public static partial class BleEndpoint
{
    public static Task HandleAsync(
        HttpContext context,
        IRequiredActor<ProxyManagerActor> proxies,
        IMaterializer materializer,
        ServerOptions server,
        ILoggerFactory loggers)
    {
        var remote = $"{context.Connection.RemoteIpAddress}:{context.Connection.RemotePort}";
        var name = SafeName(context.Request.Query["name"].FirstOrDefault()) ?? remote;
        return SocketEndpoint.RunAsync(context, materializer, server, loggers.CreateLogger("CommissioningActors.Host.BleSocket"),
            "BLE proxy clients", async (outbound, _) =>
            {
                var manager = await proxies.GetAsync(context.RequestAborted);
                var opened = await manager.Ask<ProxySessionOpened>(new OpenProxySession(outbound, name, remote), SocketEndpoint.AttachTimeout);
                return opened.Session;
            });
    }

    // Names end up in logs: keep them short and printable.
    private static string? SafeName(string? raw) =>
        string.IsNullOrWhiteSpace(raw) ? null : Unsafe().Replace(raw.Length > 64 ? raw[..64] : raw, "_");

    [GeneratedRegex("[^A-Za-z0-9 ._:-]")]
    private static partial Regex Unsafe();
}
