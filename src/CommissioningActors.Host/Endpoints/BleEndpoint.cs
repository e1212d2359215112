using System.Text.RegularExpressions;
using Akka.Actor;
using Akka.Hosting;
using Akka.Streams;
using CommissioningActors.Core.Proxies;
using CommissioningActors.Host.Security;
using CommissioningActors.Host.Sockets;

namespace CommissioningActors.Host.Endpoints;

/// <summary>`/ble`: a BLE proxy client connects here; one ProxySessionActor per connection.</summary>
public static partial class BleEndpoint
{
    private static readonly TimeSpan AttachTimeout = TimeSpan.FromSeconds(5);

    public static async Task HandleAsync(
        HttpContext context,
        IRequiredActor<ProxyManagerActor> proxies,
        IMaterializer materializer,
        ServerOptions server,
        ILoggerFactory loggers)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync("BLE proxy clients connect here with a WebSocket upgrade.");
            return;
        }

        var remote = $"{context.Connection.RemoteIpAddress}:{context.Connection.RemotePort}";
        var name = SafeName(context.Request.Query["name"].FirstOrDefault()) ?? remote;
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var manager = await proxies.GetAsync(context.RequestAborted);
        var pump = new WebSocketPump(socket, materializer, server.MaxMessageBytes, server.OutboundBuffer,
            loggers.CreateLogger("CommissioningActors.Host.BleSocket"));
        await pump.RunAsync(async outbound =>
        {
            var opened = await manager.Ask<ProxySessionOpened>(new OpenProxySession(outbound, name, remote), AttachTimeout);
            return opened.Session;
        }, context.RequestAborted);
    }

    // Names end up in logs: keep them short and printable.
    private static string? SafeName(string? raw) =>
        string.IsNullOrWhiteSpace(raw) ? null : Unsafe().Replace(raw.Length > 64 ? raw[..64] : raw, "_");

    [GeneratedRegex("[^A-Za-z0-9 ._:-]")]
    private static partial Regex Unsafe();
}
