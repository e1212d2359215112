using CommissioningActors.Simulator;
using CommissioningActors.Simulator.Matter;

// Standalone simulated BLE proxy: dials a server's /ble endpoint and plays the default Matter devices.
const string Usage = "usage: CommissioningActors.Simulator --url ws://127.0.0.1:5580/ble [--slots N] [--announce-slots N] [--token T] [--name NAME]\n" +
    "    [--fault STEP | --fault DISCRIMINATOR=STEP]... [--ble-after-network keep|drop] [--mdns INTERFACE[,INTERFACE...]]\n" +
    "  or: CommissioningActors.Simulator --matter-udp PORT [--passcode N] [--fault STEP]";

Uri? url = null;
int? matterPort = null;
var matterDevice = new SimulatedDeviceOptions { OnNetwork = true };
var bleFaults = new Dictionary<ushort, DeviceFaultStep>();
var afterNetwork = BleAfterNetwork.Keep;
IReadOnlyList<string>? mdnsInterfaces = null;
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
        case "--fault" when Enum.TryParse<DeviceFaultStep>(value, ignoreCase: true, out var fault) && !char.IsAsciiDigit(value[0]):
            matterDevice = matterDevice with { Fault = fault };
            break;
        case "--fault" when value.Split('=') is [var d, var step] && ushort.TryParse(d, out var discriminator) && discriminator <= 0xFFF
            && Enum.TryParse<DeviceFaultStep>(step, ignoreCase: true, out var deviceFault) && !char.IsAsciiDigit(step[0]):
            bleFaults[discriminator] = deviceFault;
            break;
        case "--ble-after-network" when Enum.TryParse<BleAfterNetwork>(value, ignoreCase: true, out var after) && !char.IsAsciiDigit(value[0]):
            afterNetwork = after;
            break;
        case "--mdns" when value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) is { Length: > 0 } names:
            mdnsInterfaces = names;
            break;
        default:
            Console.Error.WriteLine($"bad argument: {arg} {value}\n{Usage}");
            return 2;
    }
}

if (matterPort is { } udpPort)
{
    return await MatterDeviceCli.RunAsync(udpPort, matterDevice with { Log = options.Log });
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

// Each BLE device is a real commissionee over BTP; once it joins the network it prints where CASE reaches it
// (a static operational entry for a service on a loopback without multicast).
await using var fleet = new SimulatedMatterFleet(
    device => BleDeviceBehaviour.Default with
    {
        Fault = bleFaults.GetValueOrDefault(device.Discriminator, matterDevice.Fault),
        AfterNetwork = afterNetwork,
    },
    options.Log);
fleet.Announced += announcement => Console.WriteLine($"operational: {announcement}");

// With --mdns the devices are also announced by mDNS on those interfaces (a service in another process finds
// them by _matter._tcp); they listen on 127.0.0.1, so only name interfaces that reach this machine alone.
using var responder = mdnsInterfaces is null ? null : StartResponder(mdnsInterfaces);
if (mdnsInterfaces is not null && responder is null)
{
    return 1;
}

if (responder is not null)
{
    fleet.Announced += responder.Advertise;
    fleet.Withdrawn += responder.Withdraw;
    Console.WriteLine($"mDNS responder on {responder.Description}");
}

options = options with { DeviceLinks = fleet.Links };

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

OperationalMdnsResponder? StartResponder(IReadOnlyList<string> interfaces)
{
    try
    {
        return OperationalMdnsResponder.Start(new CommissioningActors.Protocol.Mdns.MulticastDnsSettings(interfaces, Ipv4: true, Ipv6: false), options.Log);
    }
    catch (CommissioningActors.Protocol.Mdns.MulticastDnsUnavailableException e)
    {
        Console.Error.WriteLine($"mDNS is not available on {string.Join(", ", interfaces)}: {e.Message}");
        return null;
    }
}
