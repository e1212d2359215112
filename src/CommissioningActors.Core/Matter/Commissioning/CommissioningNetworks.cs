using CommissioningActors.Core.Storage;

namespace CommissioningActors.Core.Matter.Commissioning;

/// <summary>
/// The networks a device commissioned over BLE may be given: the stored Wi-Fi credentials and Thread dataset
/// (either may be missing). Secret: ToString shows no password or dataset.
/// </summary>
public sealed record CommissioningNetworks(NetworkCredentials? WiFi, NetworkCredentials? Thread)
{
    public bool IsEmpty => WiFi is null && Thread is null;

    public override string ToString() => $"CommissioningNetworks {{ WiFi = {WiFi?.ToString() ?? "none"}, Thread = {Thread?.ToString() ?? "none"} }}";
}
