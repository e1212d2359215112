using CommissioningActors.Simulator.Matter;

namespace CommissioningActors.Host.Simulation;

/// <summary>
/// The embedded simulated proxy and on-network device (section "Simulator"); `--Simulator:Enabled=false` turns
/// both off. NetworkDevicePort: the simulated on-network Matter device's UDP port on 127.0.0.1 (0 any, -1 off).
/// Devices: per BLE device, keyed by its discriminator, how it behaves as a commissionee, e.g.
/// `--Simulator:Devices:3840:Fault=Case`, `--Simulator:Devices:3840:BleAfterNetwork=Drop`.
/// </summary>
public sealed record SimulatorSettings(bool Enabled, int Slots, string Name, int NetworkDevicePort = 5540)
{
    public IReadOnlyDictionary<ushort, BleDeviceBehaviour> Devices { get; init; } = new Dictionary<ushort, BleDeviceBehaviour>();

    public BleDeviceBehaviour BehaviourOf(ushort discriminator) => Devices.GetValueOrDefault(discriminator, BleDeviceBehaviour.Default);

    public static SimulatorSettings From(IConfiguration configuration)
    {
        var section = configuration.GetSection("Simulator");
        return new SimulatorSettings(
            section.GetValue("Enabled", true),
            section.GetValue("Slots", 3),
            section.GetValue("Name", "embedded-simulator")!,
            section.GetValue("NetworkDevicePort", 5540))
        {
            Devices = section.GetSection("Devices").GetChildren().ToDictionary(DiscriminatorOf, BehaviourFrom),
        };
    }

    private static ushort DiscriminatorOf(IConfigurationSection device) =>
        ushort.TryParse(device.Key, out var discriminator) && discriminator <= 0xFFF
            ? discriminator
            : throw new InvalidOperationException($"Simulator:Devices:{device.Key}: the key must be a device's discriminator (0..4095)");

    private static BleDeviceBehaviour BehaviourFrom(IConfigurationSection device) => BleDeviceBehaviour.Default with
    {
        Fault = Parse(device, "Fault", DeviceFaultStep.None),
        AfterNetwork = Parse(device, "BleAfterNetwork", BleAfterNetwork.Keep),
        Network = Parse(device, "Network", DeviceNetworkKind.WiFi),
        OperationalPort = device.GetValue("OperationalPort", 0) is var port and >= 0 and <= 65535
            ? port
            : throw new InvalidOperationException($"{device.Path}:OperationalPort must be 0..65535"),
    };

    private static T Parse<T>(IConfigurationSection device, string key, T fallback)
        where T : struct, Enum
    {
        var text = device[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }

        return Enum.TryParse<T>(text, ignoreCase: true, out var value) && Enum.IsDefined(value) && !char.IsAsciiDigit(text.Trim()[0])
            ? value
            : throw new InvalidOperationException($"{device.Path}:{key}: '{text}' is not one of {string.Join(", ", Enum.GetNames<T>())}");
    }
}
