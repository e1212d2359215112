using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace CommissioningActors.Host.Security;

/// <summary>
/// Runs the bind rule before any hosted service starts (so a refusal starts nothing, not even the actor system):
/// loading Kestrel's configured endpoints applies the endpoint defaults, i.e. BindAddressPolicy, to each of them;
/// without configured endpoints Kestrel binds `urls`, which are checked here the way Kestrel reads them.
/// Kestrel still checks each endpoint again as it binds it.
/// </summary>
public sealed class BindCheckService(IOptions<KestrelServerOptions> kestrel, IConfiguration configuration, ServerOptions server)
    : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken)
    {
        var loader = kestrel.Value.ConfigurationLoader;
        loader?.Load();
        if (loader?.Configuration.GetSection("Endpoints").GetChildren().Any() != true)
        {
            foreach (var url in Hosting.CommissioningHost.ListenUrls(configuration))
            {
                BindAddressPolicy.Enforce(url, server.Token);
            }
        }

        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
