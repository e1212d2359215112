namespace CommissioningActors.Simulator.Matter;

/// <summary>The simulator's "one Matter device on UDP loopback" mode, until Ctrl+C.</summary>
public static class MatterDeviceCli
{
    public static async Task<int> RunAsync(int port, SimulatedDeviceOptions options)
    {
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };

        using var device = new SimulatedMatterDevice(options);
        await using var host = UdpMatterDeviceHost.Start(device, port);
        Console.WriteLine($"matter device listening on udp {host.EndPoint}: {options}");
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
        }

        Console.WriteLine("stopping (Ctrl+C)");
        return 0;
    }
}
