using Akka.Actor;
using Akka.Event;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using CommissioningActors.Core.Discovery;
using CommissioningActors.Core.Events;
using CommissioningActors.Protocol.Matter;

namespace CommissioningActors.Core.Tests.Discovery;

/// <summary>A proxy reporting a flood of addresses: bounded memory, bounded log lines, dashboards kept. Virtual time.</summary>
public sealed class DiscoveryFloodTests() : TestKit("""akka.scheduler.implementation = "Akka.TestKit.TestScheduler, Akka.TestKit" """)
{
    private static readonly MatterAdvertisement Light = new(3840, 0, 0xFFF1, 0x8001, false);

    private TestScheduler Scheduler => (TestScheduler)Sys.Scheduler;

    private static IEnumerable<string> RandomMacs(int count, int seed)
    {
        var random = new Random(seed);
        var bytes = new byte[6];
        for (var i = 0; i < count; i++)
        {
            random.NextBytes(bytes);
            yield return string.Join(':', bytes.Select(b => b.ToString("X2")));
        }
    }

    private static DeviceSeen Seen(IActorRef proxy, string proxyId, string address) =>
        new(proxyId, proxy, address, -70, null, true, Light, DateTimeOffset.UtcNow);

    [Fact]
    public async Task Fifty_thousand_random_addresses_keep_the_sighting_count_at_the_cap()
    {
        var warnings = CreateTestProbe();
        Sys.EventStream.Subscribe(warnings.Ref, typeof(Warning));
        var settings = DiscoverySettings.Default with { MaxSightingsPerProxy = 1000, MaxSightings = 1500 };
        var registry = Sys.ActorOf(DiscoveryRegistryActor.Props(settings));
        var good = CreateTestProbe();
        var hostile = CreateTestProbe();
        registry.Tell(Seen(good.Ref, "good", "C0:FF:EE:00:00:01"));
        foreach (var address in RandomMacs(50_000, seed: 1))
        {
            registry.Tell(Seen(hostile.Ref, "hostile", address));
        }

        var snapshot = await registry.Ask<DiscoveriesSnapshot>(GetDiscoveries.Instance, TimeSpan.FromSeconds(30));
        Assert.Equal(1001, snapshot.Discoveries.Count);
        Assert.Equal(1000, snapshot.Discoveries.Count(d => d.ProxyId == "hostile"));
        Assert.Contains(snapshot.Discoveries, d => d.ProxyId == "good");

        // Eviction is logged once per proxy, not 49,000 times (log events are published as they are logged,
        // so after the round trip above every one of them is already in the probe's mailbox).
        var evictions = warnings.Queued().OfType<Warning>()
            .Count(w => w.Message.ToString()!.Contains("evicting the stalest"));
        Assert.Equal(1, evictions);

        // A watcher for the good device still finds it.
        registry.Tell(new WatchDevice(3840, IsShort: false));
        Assert.Contains(ExpectMsg<MatchingDevices>().Current, d => d.Address == "C0:FF:EE:00:00:01");
    }

    [Fact]
    public async Task The_discovered_log_line_is_rate_limited_and_summarised_once_per_window()
    {
        var logs = CreateTestProbe();
        Sys.EventStream.Subscribe(logs.Ref, typeof(Info));
        var settings = DiscoverySettings.Default with { LogPerWindow = 5, LogWindow = TimeSpan.FromSeconds(10) };
        var registry = Sys.ActorOf(DiscoveryRegistryActor.Props(settings));
        var proxy = CreateTestProbe();
        // A hundred different devices (one address each would be one device: the registry's rule).
        var discriminator = 0;
        foreach (var address in RandomMacs(100, seed: 2))
        {
            registry.Tell(Seen(proxy.Ref, "p1", address) with { Matter = Light with { Discriminator = (ushort)discriminator++ } });
        }

        await registry.Ask<DiscoveriesSnapshot>(GetDiscoveries.Instance, TimeSpan.FromSeconds(10));
        var lines = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            lines.Add(logs.ExpectMsg<Info>(i => i.Message.ToString()!.Contains("discovered Matter device")).Message.ToString()!);
        }

        Scheduler.Advance(settings.LogWindow);
        var summary = logs.ExpectMsg<Info>().Message.ToString()!;
        Assert.StartsWith("95 more discovered Matter device(s) not logged", summary);
        Assert.All(lines, l => Assert.StartsWith("Proxy p1 discovered Matter device", l));

        // The next window logs again.
        registry.Tell(Seen(proxy.Ref, "p1", "C0:FF:EE:00:00:09"));
        Assert.Contains("C0:FF:EE:00:00:09", logs.ExpectMsg<Info>().Message.ToString());
    }

    [Fact]
    public async Task A_discovery_flood_reaches_subscribers_as_a_few_announcements_and_one_summary_per_window()
    {
        var settings = DiscoverySettings.Default with { AnnouncePerWindow = 10, AnnounceWindow = TimeSpan.FromSeconds(1) };
        var hub = Sys.ActorOf(EventHubActor.Props(settings));
        await hub.Ask<InitialState>(GetInitialState.Instance, TimeSpan.FromSeconds(3));
        var subscriber = CreateTestProbe();
        hub.Tell(SubscribeEvents.Instance, subscriber.Ref);
        subscriber.ExpectMsg<InitialState>();

        var proxy = CreateTestProbe();
        // The registry's verdicts for a flood of addresses, each a different device.
        foreach (var address in RandomMacs(10_000, seed: 3))
        {
            Sys.EventStream.Publish(new NewDeviceDiscovered(Seen(proxy.Ref, "hostile", address)));
        }

        var announced = subscriber.ReceiveN(10).Cast<NewDeviceDiscovered>().ToList();
        Assert.Equal(10, announced.Select(a => a.Sighting.Address).Distinct().Count());
        // The hub handles its mailbox in order: once it answers, every published sighting was handled.
        await hub.Ask<InitialState>(GetInitialState.Instance, TimeSpan.FromSeconds(30));
        Scheduler.Advance(settings.AnnounceWindow);
        var summary = subscriber.ExpectMsg<DiscoveriesSuppressed>();
        Assert.Equal(9_990, summary.Count);

        // The next window has budget again: a real device found then is announced.
        Sys.EventStream.Publish(new NewDeviceDiscovered(Seen(proxy.Ref, "good", "C0:FF:EE:00:00:01")));
        Assert.Equal("C0:FF:EE:00:00:01", subscriber.ExpectMsg<NewDeviceDiscovered>().Sighting.Address);
    }
}
