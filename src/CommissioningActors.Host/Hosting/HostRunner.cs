using Akka.Actor;
using CommissioningActors.Host.Security;

namespace CommissioningActors.Host.Hosting;

/// <summary>Runs the built service until shutdown; a refused bind is one log line and exit code 1, a failed top-level actor exit code 1 after a clean stop.</summary>
public static class HostRunner
{
    public const int Refused = 1;

    public static async Task<int> RunAsync(WebApplication app)
    {
        try
        {
            await app.StartAsync();
        }
        catch (BindRefusedException refused)
        {
            // The host's own "failed to start" entry for this exception is filtered out (LoggingSetup): this is the one line.
            app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(BindAddressPolicy)).LogCritical("{Refusal}", refused.Message);
            await app.DisposeAsync();
            return Refused;
        }

        var system = app.Services.GetRequiredService<ActorSystem>();
        await app.WaitForShutdownAsync();
        await app.DisposeAsync();
        return CommissioningHost.ExitCode(system);
    }
}
