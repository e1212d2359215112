using System.Net;
using CommissioningActors.Core.Matter.Resolution;
using CommissioningActors.Protocol.Mdns;
using Xunit;

namespace CommissioningActors.Core.Tests.Matter.Resolution;

public sealed class MdnsCacheTests
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(120);
    private readonly ManualClock _clock = new();

    private MdnsCache Cache(int instances = 16, int hosts = 16, int addresses = 4) =>
        new(ResolverSettings.Default with { MaxInstances = instances, MaxHosts = hosts, MaxAddressesPerHost = addresses }, _clock);

    [Fact]
    public void A_flood_of_instances_keeps_at_most_the_cap_and_the_newest_survive()
    {
        var cache = Cache(instances: 64);
        for (var message = 0; message < 40; message++)
        {
            cache.Add([.. Enumerable.Range(0, 100).SelectMany(i => MatterResolverActorTests.Device($"F{message}-{i}", 1, $"h{message}-{i}.local", "127.0.0.1"))]);
            _clock.Advance(TimeSpan.FromMilliseconds(1));
        }

        Assert.Equal(64, cache.InstanceCount);
        Assert.True(cache.HostCount <= 16);
        Assert.NotNull(cache.Find("F39-99._matterc._udp.local"));
        Assert.Null(cache.Find("F0-0._matterc._udp.local"));
    }

    [Fact]
    public void Addresses_per_host_are_capped_and_unrelated_hosts_are_not_kept()
    {
        var cache = Cache(addresses: 4);
        cache.Add([new SrvRecord("I._matter._tcp.local", Ttl, 0, 0, 1, "h.local")]);

        cache.Add([.. Enumerable.Range(1, 50).Select(i => new AddressRecord("h.local", Ttl, IPAddress.Parse($"10.0.0.{i}")))]);
        cache.Add([.. Enumerable.Range(1, 50).Select(i => new AddressRecord($"stranger{i}.local", Ttl, IPAddress.Loopback))]);

        Assert.Equal(4, cache.EndPoints("h.local", 1).Count);
        Assert.Equal(1, cache.HostCount);
    }

    [Fact]
    public void Records_outside_the_matter_services_are_ignored()
    {
        var cache = Cache();

        var kept = cache.Add(
        [
            new PtrRecord("_http._tcp.local", Ttl, "web._http._tcp.local"),
            new SrvRecord("web._http._tcp.local", Ttl, 0, 0, 80, "h.local"),
            new PtrRecord("_matterc._udp.local", Ttl, "elsewhere._http._tcp.local"),
            new TxtRecord("_L1._sub._matterc._udp.local", Ttl, ["D=1"]),
        ]);

        Assert.Equal(0, kept);
        Assert.Equal(0, cache.InstanceCount);
    }

    [Fact]
    public void A_goodbye_removes_what_it_names_and_the_ttl_is_capped()
    {
        var cache = new MdnsCache(ResolverSettings.Default with { MaxTtl = TimeSpan.FromMinutes(1) }, _clock);
        cache.Add(MatterResolverActorTests.Device("I", 1, "h.local", "127.0.0.1"));
        var instance = cache.Find("I._matterc._udp.local")!;

        cache.Add([new SrvRecord("I._matterc._udp.local", TimeSpan.Zero, 0, 0, 5540, "h.local")]);
        Assert.Null(cache.LiveSrv(instance));
        Assert.NotNull(cache.LiveTxt(instance));

        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Null(cache.LiveTxt(instance));
        cache.Purge();
        Assert.Equal(0, cache.InstanceCount);
        Assert.Equal(0, cache.HostCount);
    }
}
