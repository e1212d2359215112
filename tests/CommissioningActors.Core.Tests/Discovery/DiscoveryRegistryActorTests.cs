using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using CommissioningActors.Core.Discovery;
using CommissioningActors.Protocol.BleProxy;
using CommissioningActors.Protocol.Matter;

namespace CommissioningActors.Core.Tests.Discovery;

public sealed class DiscoveryRegistryActorTests : TestKit
{
    private static readonly MatterAdvertisement Light = new(3840, 0, 0xFFF1, 0x8001, false);

    [Fact]
    public void Watchers_get_current_matches_then_later_ones_and_other_discriminators_are_filtered()
    {
        var registry = Sys.ActorOf(DiscoveryRegistryActor.Props());
        var proxy = CreateTestProbe();
        registry.Tell(new DeviceSeen("proxy-1", proxy.Ref, "A", -50, null, true, Light, DateTimeOffset.UtcNow));

        registry.Tell(new WatchDevice(15, IsShort: true));
        Assert.Equal("A", Assert.Single(ExpectMsg<MatchingDevices>().Current).Address);

        registry.Tell(new DeviceSeen("proxy-1", proxy.Ref, "B", -50, null, true, Light, DateTimeOffset.UtcNow));
        registry.Tell(new DeviceSeen("proxy-1", proxy.Ref, "C", -50, null, true, Light with { Discriminator = 100 }, DateTimeOffset.UtcNow));
        Assert.Equal("B", ExpectMsg<DeviceSeen>().Address);
        // C was handled before this answer; had it matched, it would come first.
        registry.Tell(GetDiscoveries.Instance);
        Assert.Equal(3, ExpectMsg<DiscoveriesSnapshot>().Discoveries.Count);
    }

    [Fact]
    public void A_raw_advertisement_is_interpreted_here_matter_parsed_and_name_escaped()
    {
        var registry = Sys.ActorOf(DiscoveryRegistryActor.Props());
        var proxy = CreateTestProbe();
        var advert = new MatterAdvertisement(3840, 0, 0xFFF1, 0x8000, HasAdditionalData: true).Encode();
        registry.Tell(new AdvertisementReceived("proxy-1", proxy.Ref, new DeviceDiscovered("C0:FF:EE:00:00:01", true, "light\n[ERR] x", -48,
            new Dictionary<string, byte[]> { [MatterBle.ServiceUuid] = advert }, new Dictionary<int, byte[]>(), [MatterBle.ServiceUuid]),
            DateTimeOffset.UtcNow));
        registry.Tell(new AdvertisementReceived("proxy-1", proxy.Ref, new DeviceDiscovered("C0:FF:EE:00:00:02", true, null, -60,
            new Dictionary<string, byte[]>(), new Dictionary<int, byte[]>(), []), DateTimeOffset.UtcNow));

        registry.Tell(GetDiscoveries.Instance);
        var seen = ExpectMsg<DiscoveriesSnapshot>().Discoveries.OrderBy(d => d.Address, StringComparer.Ordinal).ToList();
        Assert.Equal(2, seen.Count);
        Assert.Equal((ushort)3840, seen[0].Matter!.Discriminator);
        Assert.True(seen[0].Matter!.HasAdditionalData);
        Assert.Equal(-48, seen[0].Rssi);
        Assert.DoesNotContain('\n', seen[0].Name!);
        Assert.Null(seen[1].Matter);
    }

    [Fact]
    public async Task Sightings_of_a_proxy_that_stops_are_forgotten()
    {
        var registry = Sys.ActorOf(DiscoveryRegistryActor.Props());
        var proxy = CreateTestProbe();
        registry.Tell(new DeviceSeen("proxy-1", proxy.Ref, "A", -50, null, true, Light, DateTimeOffset.UtcNow));
        Sys.Stop(proxy.Ref);
        await AwaitAssertAsync(async () => Assert.Empty((await registry.Ask<DiscoveriesSnapshot>(GetDiscoveries.Instance)).Discoveries));
    }

    [Fact]
    public async Task Stale_sightings_expire_so_rotated_addresses_do_not_pile_up()
    {
        var registry = Sys.ActorOf(DiscoveryRegistryActor.Props(DiscoverySettings.Default with { ForgetAfter = TimeSpan.FromMilliseconds(200) }));
        var proxy = CreateTestProbe();
        registry.Tell(new DeviceSeen("proxy-1", proxy.Ref, "old", -50, null, true, Light, DateTimeOffset.UtcNow));
        await AwaitAssertAsync(async () => Assert.Empty((await registry.Ask<DiscoveriesSnapshot>(GetDiscoveries.Instance)).Discoveries),
            TimeSpan.FromSeconds(3));
    }

    private TestProbe NewDevices()
    {
        var probe = CreateTestProbe();
        Sys.EventStream.Subscribe(probe.Ref, typeof(NewDeviceDiscovered));
        return probe;
    }

    private static DeviceSeen At(IActorRef proxy, string address, MatterAdvertisement? matter) =>
        new("proxy-1", proxy, address, -50, null, true, matter, DateTimeOffset.UtcNow);

    /// <summary>Addresses whose sightings the registry called a new device, after a round trip settles them.</summary>
    private List<string> Announced(IActorRef registry, TestProbe newDevices)
    {
        registry.Tell(GetDiscoveries.Instance);
        ExpectMsg<DiscoveriesSnapshot>();
        // Published before the registry answered, so already queued.
        return newDevices.Queued().OfType<NewDeviceDiscovered>().Select(d => d.Sighting.Address).ToList();
    }

    [Fact]
    public void A_sighting_is_a_new_device_only_when_no_remembered_sighting_shares_its_identity()
    {
        var newDevices = NewDevices();
        var registry = Sys.ActorOf(DiscoveryRegistryActor.Props());
        var proxy = CreateTestProbe();

        registry.Tell(At(proxy.Ref, "A", Light));
        registry.Tell(At(proxy.Ref, "B", Light)); // rotated
        registry.Tell(At(proxy.Ref, "A", Light)); // again
        registry.Tell(At(proxy.Ref, "C", null)); // not Matter: never announced
        registry.Tell(At(proxy.Ref, "D", Light with { VendorId = 0xFFF2 }));
        registry.Tell(At(proxy.Ref, "E", Light with { Discriminator = 1 }));

        Assert.Equal(["A", "D", "E"], Announced(registry, newDevices));
    }

    [Fact]
    public void An_address_that_advertises_another_identity_moves_its_count()
    {
        var newDevices = NewDevices();
        var registry = Sys.ActorOf(DiscoveryRegistryActor.Props());
        var proxy = CreateTestProbe();

        registry.Tell(At(proxy.Ref, "A", Light));
        registry.Tell(At(proxy.Ref, "A", Light with { ProductId = 0x9000 })); // the same address now names another device
        registry.Tell(At(proxy.Ref, "A", Light)); // no sighting remembers the light any more: new again

        Assert.Equal(["A", "A", "A"], Announced(registry, newDevices));
    }

    [Fact]
    public void An_evicted_sighting_no_longer_counts_for_its_device()
    {
        var newDevices = NewDevices();
        var registry = Sys.ActorOf(DiscoveryRegistryActor.Props(DiscoverySettings.Default with { MaxSightingsPerProxy = 1 }));
        var proxy = CreateTestProbe();

        registry.Tell(At(proxy.Ref, "A", Light));
        registry.Tell(At(proxy.Ref, "B", Light with { Discriminator = 7 })); // evicts A, the light's only sighting
        registry.Tell(At(proxy.Ref, "C", Light));

        Assert.Equal(["A", "B", "C"], Announced(registry, newDevices));
    }
}
