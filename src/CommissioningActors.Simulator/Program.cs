using CommissioningActors.Simulator;

// Standalone simulated BLE proxy: dials a server's /ble endpoint and plays the default Matter devices.
const string Usage = "usage: CommissioningActors.Simulator --url ws://127.0.0.1:5580/ble [--slots N] [--announce-slots N] [--token T] [--name NAME]";

Uri? url = null;
int? matterPort = null;
var matterDevice = new CommissioningActors.Simulator.Matter.SimulatedDeviceOptions { OnNetwork = true };
var options = new SimulatorOptions { Log = line => Console.WriteLine($"{DateTime.Now:HH:mm:ss.fff} {line}") };
for (var i = 0; i < args.Length; i++)
{
    var arg = args[i];
    if (arg is "-h" or "--help")
    {
        Console.WriteLine(Usage);
        return 0;
    }

    if (i + 1 >= args.Length)
    {
        Console.Error.WriteLine($"missing value for {arg}\n{Usage}");
        return 2;
    }

    var value = args[++i];
    switch (arg)
    {
        case "--url" when Uri.TryCreate(value, UriKind.Absolute, out var parsed) && parsed.Scheme is "ws" or "wss":
            url = parsed;
            break;
        case "--slots" when int.TryParse(value, out var slots) && slots > 0:
            options = options with { ConnectionSlots = slots };
            break;
        case "--announce-slots" when int.TryParse(value, out var announced):
            options = options with { AnnouncedConnectionSlots = announced };
            break;
        case "--token":
            options = options with { Token = value };
            break;
        case "--name":
            options = options with { Name = value };
            break;
        case "--matter-udp" when int.TryParse(value, out var port) && port is >= 0 and <= 65535:
            matterPort = port;
            break;
        case "--passcode" when uint.TryParse(value, out var passcode) && passcode is >= 1 and <= 99999998:
            matterDevice = matterDevice with { Passcode = passcode };
            break;
        case "--fault" when Enum.TryParse<CommissioningActors.Simulator.Matter.DeviceFaultStep>(value, ignoreCase: true, out var fault):
            matterDevice = matterDevice with { Fault = fault };
            break;
        default:
            Console.Error.WriteLine($"bad argument: {arg} {value}\n{Usage}");
            return 2;
    }
}

if (matterPort is { } udpPort)
{
    return await CommissioningActors.Simulator.Matter.MatterDeviceCli.RunAsync(udpPort, matterDevice with { Log = options.Log });
}

if (url is null)
{
    Console.Error.WriteLine(Usage);
    return 2;
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

foreach (var device in options.Devices)
{
    Console.WriteLine($"device '{device.Name}': discriminator {device.Discriminator}, manual code {device.ManualCode}, " +
        $"addresses {string.Join(", ", device.Addresses)}");
}

SimulatedProxy proxy;
try
{
    proxy = await SimulatedProxy.ConnectAsync(url, options, stop.Token);
}
catch (Exception ex) when (ex is SimulatorHandshakeException or System.Net.WebSockets.WebSocketException or OperationCanceledException)
{
    Console.Error.WriteLine($"could not connect to {url}: {ex.Message}");
    return 1;
}

await using (proxy)
{
    await Task.WhenAny(proxy.Completion, Task.Delay(Timeout.Infinite, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default));
    Console.WriteLine(stop.IsCancellationRequested ? "stopping (Ctrl+C)" : "server closed the connection");
}

return 0;
