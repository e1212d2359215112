using Akka.Actor;
using Akka.Streams;
using CommissioningActors.Core.Sockets;
using CommissioningActors.Host.Security;
using CommissioningActors.Host.Sockets;

namespace CommissioningActors.Host.Endpoints;

/// <summary>What /ble and /ws share: refuse plain HTTP, accept the upgrade, pump frames to the owning actor.</summary>
public static class SocketEndpoint
{
    public static readonly TimeSpan AttachTimeout = TimeSpan.FromSeconds(5);

    public static async Task RunAsync(
        HttpContext context,
        IMaterializer materializer,
        ServerOptions server,
        ILogger log,
        string whoConnectsHere,
        Func<IActorRef, ISocketWriter, Task<IActorRef>> attach)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync($"{whoConnectsHere} connect here with a WebSocket upgrade.");
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var pump = new WebSocketPump(socket, materializer, server.MaxMessageBytes, server.OutboundBuffer, log);
        await pump.RunAsync(attach, context.RequestAborted);
    }
}
