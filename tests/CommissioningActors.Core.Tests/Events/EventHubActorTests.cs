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
    public void Repeated_sightings_of_one_device_on_one_proxy_are_sent_once()
    {
        var hub = StartHub();
        var subscriber = CreateTestProbe();
        hub.Tell(SubscribeEvents.Instance, subscriber.Ref);
        subscriber.ExpectMsg<InitialState>();
        Sys.EventStream.Publish(Seen("p1", "AA"));
        Sys.EventStream.Publish(Seen("p1", "AA"));
        Sys.EventStream.Publish(Seen("p2", "AA"));
        Sys.EventStream.Publish(Seen("p1", "AA"));
        Sys.EventStream.Publish(Seen("p1", "BB"));
        Sys.EventStream.Publish(Seen("p1", "not-matter", matter: false));

        var seen = subscriber.ReceiveN(3).Cast<DeviceSeen>().Select(d => (d.ProxyId, d.Address)).ToList();
        Assert.Equal([("p1", "AA"), ("p2", "AA"), ("p1", "BB")], seen);
        subscriber.ExpectNothingBefore<InitialState>(hub, GetInitialState.Instance);
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
