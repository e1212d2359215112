namespace CommissioningActors.Host.Simulation;

/// <summary>The embedded simulated proxy (section "Simulator"); `--Simulator:Enabled=false` turns it off.</summary>
public sealed record SimulatorSettings(bool Enabled, int Slots, string Name)
{
    public static SimulatorSettings From(IConfiguration configuration)
    {
        var section = configuration.GetSection("Simulator");
        return new SimulatorSettings(
            section.GetValue("Enabled", true),
            section.GetValue("Slots", 3),
            section.GetValue("Name", "embedded-simulator")!);
    }
}
