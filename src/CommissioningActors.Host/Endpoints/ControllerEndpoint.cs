using Akka.Actor;
using Akka.Hosting;
using Akka.Streams;
using CommissioningActors.Core.Controller;
using CommissioningActors.Host.Security;
using CommissioningActors.Host.Sockets;

namespace CommissioningActors.Host.Endpoints;

/// <summary>`/ws`: controllers, the CLI and dashboards; one ControllerSessionActor per connection.</summary>
public static class ControllerEndpoint
{
    private static readonly TimeSpan AttachTimeout = TimeSpan.FromSeconds(5);

    public static async Task HandleAsync(
        HttpContext context,
        IRequiredActor<ControllerHubActor> hub,
        IMaterializer materializer,
        ServerOptions server,
        ILoggerFactory loggers)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync("Controller clients connect here with a WebSocket upgrade.");
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var controllers = await hub.GetAsync(context.RequestAborted);
        var pump = new WebSocketPump(socket, materializer, server.MaxMessageBytes, server.OutboundBuffer,
            loggers.CreateLogger("CommissioningActors.Host.ControllerSocket"));
        await pump.RunAsync(async outbound =>
        {
            var opened = await controllers.Ask<ControllerSessionOpened>(new OpenControllerSession(outbound), AttachTimeout);
            return opened.Session;
        }, context.RequestAborted);
    }
}
