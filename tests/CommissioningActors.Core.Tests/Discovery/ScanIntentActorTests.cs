using Akka.Actor;
using Akka.TestKit.Xunit2;
using CommissioningActors.Core.Discovery;
using CommissioningActors.Core.Proxies;
using CommissioningActors.Protocol.BleProxy;
using CommissioningActors.Protocol.Matter;

namespace CommissioningActors.Core.Tests.Discovery;

public sealed class ScanIntentActorTests : TestKit
{
    private IActorRef StartIntent()
    {
        var intent = Sys.ActorOf(ScanIntentActor.Props(TimeSpan.Zero));
        // Subscribed once PreStart ran, which is before it answers anything.
        Assert.True(this.Settle(intent));
        return intent;
    }

    private static ProxyConnected Connected(string id, IActorRef session) => new(id, id, session, ActorRefs.Nobody, 1);

    private static void ExpectScan(Akka.TestKit.TestProbe proxy)
    {
        var scan = Assert.IsType<StartScan>(proxy.ExpectMsg<ExecuteBleCommand>().Command);
        Assert.Equal([MatterBle.ShortServiceUuid], scan.ServiceUuids);
    }

    [Fact]
    public void A_proxy_that_joins_later_is_asked_to_scan()
    {
        var intent = StartIntent();
        var first = CreateTestProbe();
        Sys.EventStream.Publish(Connected("proxy-1", first.Ref));
        ExpectScan(first);

        var later = CreateTestProbe();
        Sys.EventStream.Publish(Connected("proxy-2", later.Ref));
        ExpectScan(later);
        Assert.True(this.Settle(intent));
        Assert.False(first.HasMessages);
    }

    [Fact]
    public void A_proxy_that_reports_scan_stopped_is_asked_to_scan_again()
    {
        StartIntent();
        var proxy = CreateTestProbe();
        Sys.EventStream.Publish(Connected("proxy-1", proxy.Ref));
        ExpectScan(proxy);

        Sys.EventStream.Publish(new ProxyScanStopped("proxy-1", proxy.Ref, "adapter_reset"));
        ExpectScan(proxy);
        Sys.EventStream.Publish(new ProxyScanStopped("proxy-1", proxy.Ref, null));
        ExpectScan(proxy);
    }

    [Fact]
    public void A_proxy_it_never_saw_connect_is_not_rearmed()
    {
        var intent = StartIntent();
        var stranger = CreateTestProbe();
        Sys.EventStream.Publish(new ProxyScanStopped("proxy-9", stranger.Ref, null));
        Assert.True(this.Settle(intent));
        Assert.False(stranger.HasMessages);
    }
}
