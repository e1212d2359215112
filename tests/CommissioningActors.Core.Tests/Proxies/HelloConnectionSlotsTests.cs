using System.Text;
using Akka.Actor;
using Akka.Event;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using CommissioningActors.Core.Gate;
using CommissioningActors.Core.Proxies;
using CommissioningActors.Core.Sockets;
using CommissioningActors.Protocol.BleProxy;

namespace CommissioningActors.Core.Tests.Proxies;

/// <summary>connection_slots in hello sizes the proxy's gate, unless HOCON names the proxy; bad values refuse the hello.</summary>
public sealed class HelloConnectionSlotsTests : TestKit
{
    private static readonly ProxySettings Quiet = ProxySettings.Default with { ScanOnConnect = false };

    // commissioning.gate.slots = 2, and slots-per-proxy { "pinned-proxy" = 1 }.
    private static readonly GateSettings Gate = GateSettings.Default with
    {
        DefaultSlots = 2,
        SlotsByProxyName = new Dictionary<string, int> { ["pinned-proxy"] = 1 },
    };

    private readonly TestProbe _outbound;
    private readonly TestProbe _parent;
    private readonly TestProbe _connected;

    public HelloConnectionSlotsTests()
    {
        _outbound = CreateTestProbe("outbound");
        _parent = CreateTestProbe("parent");
        _parent.IgnoreMessages<GateState>();
        _connected = CreateTestProbe("connected");
        Sys.EventStream.Subscribe<ProxyConnected>(_connected.Ref);
    }

    private IActorRef StartSession(string name, TestProbe? outbound = null) =>
        _parent.ChildActorOf(ProxySessionActor.Props("proxy-1", name, (outbound ?? _outbound).Ref, CreateTestProbe().Ref, Quiet, Gate));

    private static SocketTextReceived Text(string json) => new(Encoding.UTF8.GetBytes(json));

    private HelloResponse ExpectHelloResponse()
    {
        var parsed = BleProxyCodec.ParseServerMessage(_outbound.ExpectMsg<SendText>().Text);
        Assert.True(parsed.IsOk, parsed.Error?.ToString());
        return Assert.IsType<HelloResponse>(parsed.Value);
    }

    private (IActorRef Gate, ProxyConnected Connected) Handshake(string name, string hello)
    {
        var session = StartSession(name);
        session.Tell(Text(hello));
        Assert.Null(ExpectHelloResponse().Error);
        var ready = _parent.ExpectMsg<ProxySessionReady>();
        var connected = _connected.ExpectMsg<ProxyConnected>();
        Assert.Equal(ready.Gate, connected.Gate);
        return (ready.Gate, connected);
    }

    /// <summary>N holders get a slot at once, the N+1st waits until one of them leaves.</summary>
    private void AssertGateAdmitsExactly(IActorRef gate, int slots)
    {
        var holders = Enumerable.Range(0, slots).Select(i => CreateTestProbe($"holder-{i}")).ToList();
        foreach (var holder in holders)
        {
            gate.Tell(new RequestSlot("AA:BB:CC:DD:EE:01"), holder.Ref);
            holder.ExpectMsg<SlotGranted>();
        }

        var late = CreateTestProbe("late");
        gate.Tell(new RequestSlot("AA:BB:CC:DD:EE:02"), late.Ref);
        gate.Tell(GetGateState.Instance, TestActor);
        var state = ExpectMsg<GateState>();
        Assert.Equal((slots, slots, 1), (state.Slots, state.InUse, state.Queued));

        // Queued, not refused: it gets the first slot given back.
        Sys.Stop(holders[0].Ref);
        late.ExpectMsg<SlotGranted>();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(BleProxyCodec.MaxConnectionSlots)]
    public void A_proxy_stating_connection_slots_gets_that_capacity(int slots)
    {
        var (gate, connected) = Handshake("test-proxy", $$"""{"type":"hello","version":1,"connection_slots":{{slots}}}""");

        Assert.Equal((slots, SlotsSource.Hello), (connected.Slots, connected.SlotsSource));
        AssertGateAdmitsExactly(gate, slots);
    }

    [Theory]
    [InlineData("""{"type":"hello","version":1}""")]
    [InlineData("""{"type":"hello","version":1,"connection_slots":null}""")]
    public void A_proxy_omitting_connection_slots_gets_the_hocon_default(string hello)
    {
        var (gate, connected) = Handshake("test-proxy", hello);

        Assert.Equal((2, SlotsSource.Default), (connected.Slots, connected.SlotsSource));
        AssertGateAdmitsExactly(gate, 2);
    }

    [Fact]
    public void A_per_proxy_hocon_entry_wins_over_what_the_hello_states()
    {
        var (gate, connected) = Handshake("pinned-proxy", """{"type":"hello","version":1,"connection_slots":5}""");

        Assert.Equal((1, SlotsSource.Hocon), (connected.Slots, connected.SlotsSource));
        AssertGateAdmitsExactly(gate, 1);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("33")]
    [InlineData("4294967296")]
    [InlineData("1e40")]
    [InlineData("2.5")]
    [InlineData("\"3\"")]
    [InlineData("true")]
    [InlineData("[3]")]
    [InlineData("{}")]
    public void A_bad_connection_slots_refuses_the_hello_with_a_reason_and_closes(string value)
    {
        var session = StartSession("test-proxy");
        Watch(session);

        session.Tell(Text($$"""{"type":"hello","version":1,"connection_slots":{{value}}}"""));

        var response = ExpectHelloResponse();
        Assert.Equal(BleProxyCodec.InvalidHello, response.Error);
        Assert.Contains("hello.connection_slots", response.Message, StringComparison.Ordinal);
        Assert.Equal(1002, _outbound.ExpectMsg<CloseSocket>().Status);
        ExpectTerminated(session);
    }

    [Fact]
    public void A_hello_refused_for_its_slots_never_announces_the_proxy()
    {
        var refused = CreateTestProbe("refused-outbound");
        var session = StartSession("test-proxy", refused);
        Watch(session);
        session.Tell(Text("""{"type":"hello","version":1,"connection_slots":0}"""));
        ExpectTerminated(session);
        Assert.Equal(1002, refused.FishForMessage<CloseSocket>(_ => true).Status);

        // A good proxy afterwards is the first (and only) ProxyConnected on the stream.
        var (_, connected) = Handshake("other-proxy", """{"type":"hello","version":1,"connection_slots":2}""");
        Assert.Equal("other-proxy", connected.Name);
    }
}
