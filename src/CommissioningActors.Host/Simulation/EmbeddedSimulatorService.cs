using Akka.Actor;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using CommissioningActors.Core.Matter.Resolution;
using CommissioningActors.Host.Security;
using CommissioningActors.Simulator;
using CommissioningActors.Simulator.Matter;

namespace CommissioningActors.Host.Simulation;

/// <summary>
/// Connects a simulated BLE proxy with virtual Matter devices to our own /ble once Kestrel listens,
/// so the service does something real with no Bluetooth hardware. Reconnects if it drops. Each virtual device
/// is a real commissionee over BTP (<see cref="Fleet"/>, kept across reconnects); once one joins the network
/// its operational address goes to the resolver as a static entry, so CASE finds it on a loopback without
/// multicast (CI).
/// </summary>
public sealed class EmbeddedSimulatorService(
    IServer server,
    IHostApplicationLifetime lifetime,
    ServerOptions serverOptions,
    SimulatorSettings settings,
    ActorSystem system,
    ILogger<EmbeddedSimulatorService> log) : BackgroundService
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(2);

    /// <summary>The resolver's path (MatterWiring); with the resolver off the entries go to dead letters.</summary>
    public const string ResolverPath = "/user/matter-resolver";

    /// <summary>The Matter devices behind the simulated BLE devices; made before the proxy first connects.</summary>
    public SimulatedMatterFleet Fleet { get; } = new(device => settings.BehaviourOf(device.Discriminator));

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
        var resolver = system.ActorSelection(ResolverPath);
        Fleet.Announced += announcement =>
        {
            resolver.Tell(new AddStaticOperational(announcement.CompressedFabricId, announcement.NodeId, announcement.EndPoint));
            log.LogInformation("Embedded simulated device '{Name}' joined the network at udp {EndPoint} (node {Node:X16}); registered with the resolver",
                announcement.DeviceName, announcement.EndPoint, announcement.NodeId);
        };
        Fleet.Withdrawn += announcement =>
        {
            resolver.Tell(new RemoveStaticOperational(announcement.CompressedFabricId, announcement.NodeId));
            log.LogInformation("Embedded simulated device '{Name}' left fabric node {Node:X16}; unregistered from the resolver",
                announcement.DeviceName, announcement.NodeId);
        };
        var options = new SimulatorOptions
        {
            Name = settings.Name,
            ConnectionSlots = settings.Slots,
            Token = serverOptions.Token,
            DeviceLinks = Fleet.Links,
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

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await Fleet.DisposeAsync();
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
