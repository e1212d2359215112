using Akka.Actor;
using Akka.Hosting;
using Akka.Streams;
using CommissioningActors.Core.Controller;
using CommissioningActors.Host.Security;

namespace CommissioningActors.Host.Endpoints;

/// <summary>`/ws`: controllers, the CLI and dashboards; one ControllerSessionActor per connection.</summary>
public static class ControllerEndpoint
{
    public static Task HandleAsync(
        HttpContext context,
        IRequiredActor<ControllerHubActor> hub,
        IMaterializer materializer,
        ServerOptions server,
        ILoggerFactory loggers) =>
        SocketEndpoint.RunAsync(context, materializer, server, loggers.CreateLogger("CommissioningActors.Host.ControllerSocket"),
            "Controller clients", async (outbound, writer) =>
            {
                var controllers = await hub.GetAsync(context.RequestAborted);
                var opened = await controllers.Ask<ControllerSessionOpened>(new OpenControllerSession(outbound, writer), SocketEndpoint.AttachTimeout);
                return opened.Session;
            });
}
