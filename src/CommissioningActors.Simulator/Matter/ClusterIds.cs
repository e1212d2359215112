namespace CommissioningActors.Simulator.Matter;

/// <summary>The clusters a simulated device serves.</summary>
public static class ClusterIds
{
    public const uint Identify = 0x0003;
    public const uint OnOff = 0x0006;
    public const uint Descriptor = 0x001D;
    public const uint AccessControl = 0x001F;
    public const uint BasicInformation = 0x0028;
    public const uint GeneralCommissioning = 0x0030;
    public const uint NetworkCommissioning = 0x0031;
    public const uint OperationalCredentials = 0x003E;
}
