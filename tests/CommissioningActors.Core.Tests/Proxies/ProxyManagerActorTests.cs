using System.Text;
using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using CommissioningActors.Core.Gate;
using CommissioningActors.Core.Proxies;
using CommissioningActors.Core.Sockets;

namespace CommissioningActors.Core.Tests.Proxies;

/// <summary>The manager with real sessions behind it; each proxy's socket is a probe.</summary>
public sealed class ProxyManagerActorTests : TestKit
{
    private static readonly ProxySettings Settings = ProxySettings.Default with { ScanOnConnect = false };

    private readonly IActorRef _manager;

    public ProxyManagerActorTests()
    {
        _manager = Sys.ActorOf(ProxyManagerActor.Props(CreateTestProbe("discovery").Ref, Settings, GateSettings.Default with { DefaultSlots = 2 }));
    }

    private (ProxySessionOpened Opened, TestProbe Outbound) Open(string name)
    {
        var outbound = CreateTestProbe();
        _manager.Tell(new OpenProxySession(outbound.Ref, name, "127.0.0.1:4000"));
        return (ExpectMsg<ProxySessionOpened>(), outbound);
    }

    private static void Hello(ProxySessionOpened opened, TestProbe outbound)
    {
        opened.Session.Tell(new SocketTextReceived(Encoding.UTF8.GetBytes("""{"type":"hello","version":1}""")));
        outbound.ExpectMsg<SendText>();
    }

    private IReadOnlyList<ProxyInfo> Proxies()
    {
        _manager.Tell(GetProxies.Instance);
        return ExpectMsg<ProxyList>().Proxies;
    }

    [Fact]
    public void Each_proxy_client_gets_its_own_session_with_a_fresh_id_and_is_listed_not_ready_until_hello()
    {
        var (a, _) = Open("kitchen");
        var (b, _) = Open("hall");

        Assert.Equal(("proxy-1", "proxy-2"), (a.ProxyId, b.ProxyId));
        Assert.NotEqual(a.Session, b.Session);
        var listed = Proxies();
        Assert.Equal(["proxy-1", "proxy-2"], listed.Select(p => p.Id));
        Assert.All(listed, p => Assert.False(p.Ready));
        Assert.All(listed, p => Assert.Null(p.Gate));
        Assert.Equal(("kitchen", "127.0.0.1:4000"), (listed[0].Name, listed[0].Remote));
    }

    [Fact]
    public void A_proxy_is_ready_with_its_gate_after_the_handshake_and_occupancy_is_read_from_the_gate()
    {
        var (opened, outbound) = Open("kitchen");
        Hello(opened, outbound);

        AwaitAssert(() =>
        {
            var proxy = Assert.Single(Proxies());
            Assert.True(proxy.Ready);
            Assert.NotNull(proxy.Gate);
        });

        var gate = Proxies()[0].Gate!;
        var holders = Enumerable.Range(0, 3).Select(_ => CreateTestProbe()).ToList();
        holders.ForEach(h => gate.Tell(new RequestSlot("AA:BB:CC:DD:EE:01"), h.Ref));
        gate.Tell(GetGateState.Instance, TestActor);
        var state = ExpectMsg<GateState>();
        Assert.Equal((2, 2, 1), (state.Slots, state.InUse, state.Queued));
    }

    [Fact]
    public void Abort_all_pending_connects_reaches_every_ready_gate_and_skips_proxies_not_ready()
    {
        var (a, outboundA) = Open("kitchen");
        var (b, outboundB) = Open("hall");
        Open("not-ready");
        Hello(a, outboundA);
        Hello(b, outboundB);
        AwaitAssert(() => Assert.Equal(2, Proxies().Count(p => p.Ready)));

        var waiters = new List<TestProbe>();
        foreach (var gate in Proxies().Select(p => p.Gate).OfType<IActorRef>())
        {
            for (var i = 0; i < 3; i++)
            {
                var holder = CreateTestProbe();
                gate.Tell(new RequestSlot("AA:BB:CC:DD:EE:01"), holder.Ref);
                waiters.Add(holder);
            }
        }

        _manager.Tell(new AbortAllPendingConnects("no commissioning in progress"));
        // Two slots per gate: two holders told to go, one waiter denied, on each gate.
        var answers = waiters.Select(w => w.FishForMessage(m => m is ConnectsAborted or SlotDenied)).ToList();
        Assert.Equal(4, answers.OfType<ConnectsAborted>().Count());
        Assert.Equal(2, answers.OfType<SlotDenied>().Count());
    }

    [Fact]
    public void A_proxy_whose_socket_closes_is_forgotten_and_others_stay()
    {
        var (a, outboundA) = Open("kitchen");
        var (b, outboundB) = Open("hall");
        Hello(a, outboundA);
        Hello(b, outboundB);
        Watch(a.Session);

        a.Session.Tell(new SocketClosed("peer went away"));

        ExpectTerminated(a.Session);
        AwaitAssert(() => Assert.Equal(["proxy-2"], Proxies().Select(p => p.Id)));
        var (c, _) = Open("porch");
        Assert.Equal("proxy-3", c.ProxyId);
    }
}
