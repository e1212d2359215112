using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using CommissioningActors.Host.Security;
using CommissioningActors.Simulator;

namespace CommissioningActors.Host.Simulation;

/// <summary>
/// Connects a simulated BLE proxy with virtual Matter devices to our own /ble once Kestrel listens,
/// so the service does something real with no Bluetooth hardware. Reconnects if it drops.
/// </summary>
public sealed class EmbeddedSimulatorService(
    IServer server,
    IHostApplicationLifetime lifetime,
    ServerOptions serverOptions,
    SimulatorSettings settings,
    ILogger<EmbeddedSimulatorService> log) : BackgroundService
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!await WaitForStartAsync(stoppingToken))
        {
            return;
        }

        var url = new UriBuilder(BleUrl(server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()))
        {
            Query = $"name={Uri.EscapeDataString(settings.Name)}",
        }.Uri;
        var options = new SimulatorOptions
        {
            Name = settings.Name,
            ConnectionSlots = settings.Slots,
            Token = serverOptions.Token,
        };
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var proxy = await SimulatedProxy.ConnectAsync(url, options, stoppingToken);
                log.LogInformation("Embedded simulated proxy '{Name}' connected to {Url} with {Devices} virtual device(s) and {Slots} slot(s)",
                    options.Name, url, options.Devices.Count, options.ConnectionSlots);
                await proxy.Completion.WaitAsync(stoppingToken);
                if (!stoppingToken.IsCancellationRequested)
                {
                    log.LogInformation("Embedded simulated proxy disconnected; reconnecting");
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                log.LogWarning("Embedded simulated proxy could not connect to {Url}: {Error}", url, e.Message);
            }

            await Task.Delay(RetryDelay, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private async Task<bool> WaitForStartAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource();
        using var a = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        using var b = stoppingToken.Register(() => started.TrySetCanceled());
        try
        {
            await started.Task;
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Our own /ble, reached over loopback whatever interface Kestrel listens on.</summary>
    public static Uri BleUrl(string? listenAddress)
    {
        var address = new Uri((listenAddress ?? ServerOptions.DefaultUrl).Replace("://+", "://127.0.0.1").Replace("://*", "://127.0.0.1"));
        var host = address.Host is "0.0.0.0" or "[::]" or "::" ? "127.0.0.1" : address.Host;
        var scheme = address.Scheme == "https" ? "wss" : "ws";
        return new UriBuilder(scheme, host, address.Port, "/ble").Uri;
    }
}
