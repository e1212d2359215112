namespace CommissioningActors.Host.Simulation;

/// <summary>
/// The embedded simulated proxy and on-network device (section "Simulator"); `--Simulator:Enabled=false` turns
/// both off. NetworkDevicePort: the simulated on-network Matter device's UDP port on 127.0.0.1 (0 any, -1 off).
/// </summary>
public sealed record SimulatorSettings(bool Enabled, int Slots, string Name, int NetworkDevicePort = 5540)
{
    public static SimulatorSettings From(IConfiguration configuration)
    {
        var section = configuration.GetSection("Simulator");
        return new SimulatorSettings(
            section.GetValue("Enabled", true),
            section.GetValue("Slots", 3),
            section.GetValue("Name", "embedded-simulator")!,
            section.GetValue("NetworkDevicePort", 5540));
    }
}
