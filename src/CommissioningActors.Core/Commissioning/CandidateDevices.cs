using CommissioningActors.Core.Discovery;

namespace CommissioningActors.Core.Commissioning;

/// <summary>
/// What makes addresses one physical device: the same discriminator, vendor and product in their Matter
/// advertisements, seen within one attempt's settle window. A device that rotates its address shows up as
/// several addresses with one key; two devices that share a discriminator but not vendor and product stay apart.
/// </summary>
public readonly record struct DeviceKey(ushort Discriminator, ushort? VendorId, ushort? ProductId)
{
    public static DeviceKey Of(Sighting s) =>
        new(s.Matter?.Discriminator ?? 0, s.Matter?.VendorId, s.Matter?.ProductId);

    public override string ToString() =>
        $"discriminator {Discriminator}, vendor 0x{VendorId ?? 0:X4}, product 0x{ProductId ?? 0:X4}";
}

/// <summary>
/// Orders one device's addresses for connecting, one at a time: the freshest first (the address a rotating
/// device advertises now; one it rotated away from stops being heard), then the strongest. Freshness counts in
/// steps of the resolution (HOCON attempt.freshness-resolution), so a device advertising several addresses at once is ordered by RSSI alone.
/// </summary>
public static class CandidateOrder
{
    public static readonly TimeSpan DefaultResolution = TimeSpan.FromSeconds(1);

    public static IEnumerable<string> Order(IEnumerable<KeyValuePair<string, Dictionary<string, Sighting>>> candidates, DateTimeOffset now,
        TimeSpan resolution) =>
        candidates
            .Select(c => (Address: c.Key, Latest: c.Value.Values.Max(s => s.LastSeen), Rssi: c.Value.Values.Max(s => s.Rssi ?? RouteScorer.NoRssi)))
            .OrderBy(c => (long)(Math.Max(0, (now - c.Latest).Ticks) / Math.Max(1, resolution.Ticks)))
            .ThenByDescending(c => c.Rssi)
            .ThenBy(c => c.Address, StringComparer.OrdinalIgnoreCase)
            .Select(c => c.Address);
}
