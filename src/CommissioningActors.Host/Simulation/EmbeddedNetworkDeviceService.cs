using System.Net;
using CommissioningActors.Simulator.Matter;

namespace CommissioningActors.Host.Simulation;

/// <summary>
/// A simulated Matter light already on the IP network (UDP on 127.0.0.1), next to the simulated BLE proxy, so
/// on-network commissioning works with no hardware: `commission --network --ip 127.0.0.1:5540 20202021`.
/// A port already taken is a warning, not a failed start (a real device may be listening there).
/// </summary>
public sealed class EmbeddedNetworkDeviceService(SimulatorSettings settings, ILogger<EmbeddedNetworkDeviceService> log) : IHostedService, IDisposable
{
    private SimulatedMatterDevice? _device;
    private UdpMatterDeviceHost? _host;

    /// <summary>Where the device listens once started; null when it is off or could not bind.</summary>
    public IPEndPoint? EndPoint => _host?.EndPoint;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (settings.NetworkDevicePort < 0)
        {
            return Task.CompletedTask;
        }

        var device = new SimulatedMatterDevice(new SimulatedDeviceOptions { OnNetwork = true, SerialNumber = "SIM-NET-0001" });
        try
        {
            _host = UdpMatterDeviceHost.Start(device, settings.NetworkDevicePort);
            _device = device;
            log.LogInformation("Embedded simulated Matter device on the network at udp {EndPoint} (discriminator {Discriminator})",
                _host.EndPoint, device.Options.Discriminator);
        }
        catch (System.Net.Sockets.SocketException e)
        {
            device.Dispose();
            log.LogWarning("Embedded simulated Matter device not started: udp 127.0.0.1:{Port}: {Error}", settings.NetworkDevicePort, e.Message);
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
            _host = null;
        }
    }

    public void Dispose() => _device?.Dispose();
}
