using Akka.Actor;
using Akka.Streams;
using Akka.TestKit.Xunit2;
using CommissioningActors.Core.Controller;
using CommissioningActors.Core.Discovery;
using CommissioningActors.Core.Events;
using CommissioningActors.Core.Jobs;
using CommissioningActors.Core.Proxies;
using CommissioningActors.Core.Streams;
using CommissioningActors.Core.Tests.Streams;

namespace CommissioningActors.Core.Tests.Events;

public sealed class EventHubActorTests : TestKit
{
    private IActorRef StartHub()
    {
        var hub = Sys.ActorOf(EventHubActor.Props());
        // Answered only after PreStart subscribed the hub to the event stream.
        CreateTestProbe().ExpectNothingBefore<InitialState>(hub, GetInitialState.Instance);
        return hub;
    }

    private static readonly CommissioningActors.Protocol.Matter.MatterAdvertisement Light = new(3840, 0, 0xFFF1, 0x8001, false);

    private ProxyConnected Proxy(int i) => new($"p{i:D3}", $"proxy {i}", TestActor, TestActor, 3);

    private DeviceSeen Seen(string proxy, string address, bool matter = true) =>
        new(proxy, TestActor, address, -60, null, true,
            matter ? new CommissioningActors.Protocol.Matter.MatterAdvertisement(3840, 0, 0xFFF1, 0x8001, false) : null, DateTimeOffset.UtcNow);

    [Fact]
    public void Initial_state_precedes_live_events_and_each_event_is_in_exactly_one_of_them()
    {
        var hub = StartHub();
        var subscriber = CreateTestProbe();
        for (var i = 0; i < 100; i++)
        {
            Sys.EventStream.Publish(Proxy(i));
        }

        hub.Tell(SubscribeEvents.Instance, subscriber.Ref);
        for (var i = 100; i < 200; i++)
        {
            Sys.EventStream.Publish(Proxy(i));
        }

        var initial = subscriber.ExpectMsg<InitialState>();
        var live = Enumerable.Range(0, 100).Select(_ => subscriber.ExpectMsg<ProxyConnected>().ProxyId).ToList();
        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"p{i:D3}"), initial.Proxies.Select(p => p.Id));
        Assert.Equal(Enumerable.Range(100, 100).Select(i => $"p{i:D3}"), live);
        subscriber.ExpectNothingBefore<InitialState>(hub, GetInitialState.Instance);
    }

    [Fact]
    public void Events_published_while_the_initial_state_send_is_blocked_follow_it_once_in_order()
    {
        var hub = StartHub();
        var writer = new FakeSocketWriter { HoldFirst = true };
        var follower = CreateTestProbe().ChildActorOf(FollowerActor.Props("e1", hub, SubscribeEvents.Instance, writer,
            Sys.Materializer(), SubscribeEventsFormat.Instance, 4000));
        AwaitCondition(() => writer.Frames.Count == 1);
        for (var i = 0; i < 20; i++)
        {
            Sys.EventStream.Publish(Proxy(i));
        }

        Assert.Equal(20, CreateTestProbe().ExpectNothingBefore<InitialState>(hub, GetInitialState.Instance).Proxies.Count);
        writer.Release();
        AwaitCondition(() => writer.Frames.Count == 21);
        Assert.Equal("initial_state", FakeSocketWriter.EventName(writer.Frames[0]));
        Assert.Empty(FakeSocketWriter.Parse(writer.Frames[0])["data"]!["proxies"]!.AsArray());
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"p{i:D3}"),
            writer.Frames.Skip(1).Select(f => FakeSocketWriter.Parse(f)["data"]!["id"]!.GetValue<string>()));
        Sys.Stop(follower);
    }

    [Fact]
    public void The_hub_announces_what_the_registry_decided_and_never_re_derives_it()
    {
        var hub = StartHub();
        var subscriber = CreateTestProbe();
        hub.Tell(SubscribeEvents.Instance, subscriber.Ref);
        subscriber.ExpectMsg<InitialState>();

        // Raw sightings are the registry's input, not news: the hub does not look at them.
        Sys.EventStream.Publish(Seen("p1", "AA"));
        Sys.EventStream.Publish(Seen("p1", "BB"));
        // The registry's decisions pass as they are, even one for an address announced before (the registry
        // forgot the device and found it again): the hub keeps no table of its own to second-guess it.
        Sys.EventStream.Publish(new NewDeviceDiscovered(Seen("p1", "AA")));
        Sys.EventStream.Publish(new NewDeviceDiscovered(Seen("p2", "CC")));
        Sys.EventStream.Publish(new NewDeviceDiscovered(Seen("p1", "AA")));

        var announced = subscriber.ReceiveN(3).Cast<NewDeviceDiscovered>().Select(d => (d.Sighting.ProxyId, d.Sighting.Address)).ToList();
        Assert.Equal([("p1", "AA"), ("p2", "CC"), ("p1", "AA")], announced);
        subscriber.ExpectNothingBefore<InitialState>(hub, GetInitialState.Instance);
    }

    [Fact]
    public void A_rotating_device_seen_by_two_proxies_is_one_device_discovered_until_the_registry_forgets_it()
    {
        var registry = Sys.ActorOf(DiscoveryRegistryActor.Props());
        var hub = StartHub();
        var subscriber = CreateTestProbe();
        hub.Tell(SubscribeEvents.Instance, subscriber.Ref);
        subscriber.ExpectMsg<InitialState>();
        var proxy1 = CreateTestProbe();
        var proxy2 = CreateTestProbe();

        // One light rotating over three addresses, heard by two proxies, advertising again and again.
        foreach (var address in new[] { "C0:FF:EE:00:00:01", "C0:FF:EE:00:00:02", "C0:FF:EE:00:00:03", "C0:FF:EE:00:00:01" })
        {
            registry.Tell(new DeviceSeen("p1", proxy1.Ref, address, -60, null, true, Light, DateTimeOffset.UtcNow));
            registry.Tell(new DeviceSeen("p2", proxy2.Ref, address, -70, null, true, Light, DateTimeOffset.UtcNow));
        }

        // A second product with the same discriminator is another device.
        registry.Tell(new DeviceSeen("p2", proxy2.Ref, "C0:FF:EE:00:00:09", -70, null, true, Light with { ProductId = 0x8002 },
            DateTimeOffset.UtcNow));

        var first = subscriber.ExpectMsg<NewDeviceDiscovered>().Sighting;
        Assert.Equal(("p1", "C0:FF:EE:00:00:01"), (first.ProxyId, first.Address));
        Assert.Equal(0x8002, subscriber.ExpectMsg<NewDeviceDiscovered>().Sighting.Matter!.ProductId);
        // Registry then hub answered: every sighting above was decided and every decision passed on.
        registry.Tell(GetDiscoveries.Instance);
        Assert.Equal(7, ExpectMsg<DiscoveriesSnapshot>().Discoveries.Count);
        subscriber.ExpectNothingBefore<InitialState>(hub, GetInitialState.Instance);

        // Both proxies gone: the registry forgets the light, so its next sighting is a new device again.
        Watch(proxy1.Ref);
        Watch(proxy2.Ref);
        Sys.Stop(proxy1.Ref);
        Sys.Stop(proxy2.Ref);
        ExpectTerminated(proxy1.Ref);
        ExpectTerminated(proxy2.Ref);
        var proxy3 = CreateTestProbe();
        AwaitAssert(() =>
        {
            registry.Tell(GetDiscoveries.Instance);
            Assert.Empty(ExpectMsg<DiscoveriesSnapshot>().Discoveries);
        });
        registry.Tell(new DeviceSeen("p3", proxy3.Ref, "C0:FF:EE:00:00:02", -60, null, true, Light, DateTimeOffset.UtcNow));
        var again = subscriber.ExpectMsg<NewDeviceDiscovered>().Sighting;
        Assert.Equal(("p3", "C0:FF:EE:00:00:02"), (again.ProxyId, again.Address));
    }

    [Fact]
    public async Task A_subscriber_that_stops_is_dropped()
    {
        var hub = StartHub();
        var subscribers = Enumerable.Range(0, 3).Select(_ => CreateTestProbe()).ToList();
        foreach (var s in subscribers)
        {
            hub.Tell(SubscribeEvents.Instance, s.Ref);
            s.ExpectMsg<InitialState>();
        }

        Assert.Equal(3, (await hub.Ask<FollowerCount>(GetFollowerCount.Instance)).Count);
        Sys.Stop(subscribers[0].Ref);
        Sys.Stop(subscribers[1].Ref);
        await AwaitAssertAsync(async () => Assert.Equal(1, (await hub.Ask<FollowerCount>(GetFollowerCount.Instance)).Count));
        Sys.EventStream.Publish(new JobEvicted("x"));
        Sys.EventStream.Publish(Proxy(1));
        subscribers[2].ExpectMsg<ProxyConnected>();
    }
}
