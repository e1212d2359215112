using Akka.Actor;
using Akka.TestKit;
using CommissioningActors.Core.Discovery;
using CommissioningActors.Core.Gate;
using CommissioningActors.Core.Proxies;
using CommissioningActors.Protocol.Matter;

namespace CommissioningActors.Core.Tests.Commissioning;

/// <summary>
/// A gate for attempt tests: answers GetGateState with the state the test set (Info), swallows ConnectFinished,
/// and forwards everything else (RequestSlot) to the test's probe with the original sender.
/// </summary>
public sealed class FakeGate : ReceiveActor
{
    public FakeGate(string proxyId, IActorRef probe)
    {
        var state = new GateState(proxyId, 1, 0, 0, 0);
        Receive<GateState>(s => state = s);
        Receive<GetGateState>(_ => Sender.Tell(state));
        Receive<ConnectFinished>(_ => { });
        ReceiveAny(m => probe.Forward(m));
    }

    public static AttemptProxy Proxy(TestKitBase kit, string id) => FakeGates.Proxy(kit, id);
}

/// <summary>Builds proxies with fake gates (outside the actor class, so the analyzer does not take it for a child).</summary>
public static class FakeGates
{
    public static AttemptProxy Proxy(TestKitBase kit, string id)
    {
        var probe = kit.CreateTestProbe("gate-" + id);
        return new AttemptProxy(id, kit.CreateTestProbe("session-" + id), probe,
            kit.Sys.ActorOf(Props.Create(() => new FakeGate(id, probe.Ref)), "fake-gate-" + id));
    }
}

/// <summary>A proxy as an attempt sees it: session, gate (the fake, whose RequestSlots reach Gate, the probe).</summary>
public sealed record AttemptProxy(string Id, TestProbe Session, TestProbe Gate, IActorRef GateActor)
{
    public static readonly MatterAdvertisement Advertisement = new(3840, 0, 0xFFF1, 0x8001, HasAdditionalData: false);

    /// <summary>Sets the gate's state (told before the attempt can ask for it) and lists the proxy.</summary>
    public ProxyInfo Info(int slots = 1, int inUse = 0, int queued = 0, bool ready = true, int inFlight = 0, int failures = 0,
        TimeSpan? typicalConnect = null)
    {
        GateActor.Tell(new GateState(Id, slots, inUse, queued, 0, inFlight, failures, typicalConnect));
        return new ProxyInfo(Id, Id + "-name", "127.0.0.1", ready, Session.Ref, GateActor);
    }

    public Sighting Saw(string address, int? rssi = -60, MatterAdvertisement? matter = null, DateTimeOffset? at = null) =>
        new(address, Id, Session.Ref, rssi, "MATTER-3840", true, matter ?? Advertisement, at ?? DateTimeOffset.UtcNow);
}
