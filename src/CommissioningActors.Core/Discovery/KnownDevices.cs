using CommissioningActors.Protocol.Matter;

namespace CommissioningActors.Core.Discovery;

/// <summary>A physical Matter device as its advertisements name it, whatever address it rotates to.</summary>
public readonly record struct DeviceIdentity(ushort Discriminator, ushort VendorId, ushort ProductId)
{
    public static DeviceIdentity Of(MatterAdvertisement matter) => new(matter.Discriminator, matter.VendorId, matter.ProductId);
}

/// <summary>
/// The registry's rule for "new device": a Matter sighting is new when no remembered sighting (any proxy, any
/// address) has the same discriminator, vendor and product. A rotated address or a second proxy's view is the
/// same device; once every sighting of it is forgotten (expiry, eviction, its proxies gone) it is new again.
/// Counts the remembered sightings per identity; not thread-safe, owned by the registry.
/// </summary>
public sealed class KnownDevices
{
    private readonly Dictionary<DeviceIdentity, int> _sightings = [];

    public int Count => _sightings.Count;

    public bool Contains(MatterAdvertisement matter) => _sightings.ContainsKey(DeviceIdentity.Of(matter));

    public void Add(MatterAdvertisement? matter)
    {
        if (matter is not null)
        {
            var identity = DeviceIdentity.Of(matter);
            _sightings[identity] = _sightings.GetValueOrDefault(identity) + 1;
        }
    }

    public void Remove(MatterAdvertisement? matter)
    {
        if (matter is null || !_sightings.TryGetValue(DeviceIdentity.Of(matter), out var count))
        {
            return;
        }

        if (count <= 1)
        {
            _sightings.Remove(DeviceIdentity.Of(matter));
        }
        else
        {
            _sightings[DeviceIdentity.Of(matter)] = count - 1;
        }
    }
}
