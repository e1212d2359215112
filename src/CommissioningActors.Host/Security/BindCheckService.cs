using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace CommissioningActors.Host.Security;

/// <summary>
/// Runs the bind rule before any hosted service starts (so a refusal starts nothing, not even the actor system):
/// loading Kestrel's configured endpoints applies the endpoint defaults, i.e. BindAddressPolicy, to each of them;
/// `urls` and `http_ports` / `https_ports` are checked too, even where Kestrel:Endpoints would override them
/// (`preferHostingUrls` turns that round). Kestrel still checks each endpoint again as it binds it.
/// </summary>
public sealed class BindCheckService(IOptions<KestrelServerOptions> kestrel, IConfiguration configuration, ServerOptions server)
    : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken)
    {
        kestrel.Value.ConfigurationLoader?.Load();
        foreach (var url in Hosting.CommissioningHost.ListenUrls(configuration))
        {
            BindAddressPolicy.Enforce(url, server.Token);
        }

        // Ports alone mean every interface.
        foreach (var ports in new[] { "http_ports", "https_ports" })
        {
            if (!string.IsNullOrWhiteSpace(configuration[ports]))
            {
                BindAddressPolicy.Enforce($"http://*:{configuration[ports]}", server.Token);
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
