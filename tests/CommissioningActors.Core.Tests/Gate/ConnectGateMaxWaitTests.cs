using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using CommissioningActors.Core.Gate;
using CommissioningActors.Protocol.BleProxy;

namespace CommissioningActors.Core.Tests.Gate;

/// <summary>
/// The gate's bounded wait on virtual time: the TestScheduler fires the max-wait timer only when advanced, so
/// "not yet" and "now" are exact, however loaded the machine.
/// </summary>
public sealed class ConnectGateMaxWaitTests() : TestKit("akka.scheduler.implementation = \"Akka.TestKit.TestScheduler, Akka.TestKit\"")
{
    private const string ProxyId = "proxy-1";
    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(20);

    private TestScheduler Clock => (TestScheduler)Sys.Scheduler;

    private IActorRef StartGate() => Sys.ActorOf(ConnectGateActor.Props(ProxyId, 1, MaxWait));

    // A round trip: the gate has handled everything sent (or fired) before it, and told everyone about it.
    private GateState StateOf(IActorRef gate)
    {
        var probe = CreateTestProbe();
        return probe.ExpectNothingBefore<GateState>(gate, GetGateState.Instance);
    }

    private TestProbe Request(IActorRef gate, string address)
    {
        var probe = CreateTestProbe();
        gate.Tell(new RequestSlot(address), probe.Ref);
        return probe;
    }

    private void Kill(TestProbe probe)
    {
        Watch(probe.Ref);
        probe.Ref.Tell(PoisonPill.Instance);
        ExpectTerminated(probe.Ref);
    }

    [Fact]
    public void A_waiter_is_denied_exactly_at_the_bound_and_not_granted_later()
    {
        var gate = StartGate();
        var holder = Request(gate, "holder");
        holder.ExpectMsg<SlotGranted>();
        var waiter = Request(gate, "waiter");
        Assert.Equal(1, StateOf(gate).Queued);

        Clock.Advance(MaxWait - TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, StateOf(gate).Queued);
        Assert.Empty(waiter.Queued());

        Clock.Advance(TimeSpan.FromMilliseconds(1));
        var denied = waiter.ExpectMsg<SlotDenied>();
        Assert.Equal((ProxyId, BleErrorCodes.ConnectionAborted), (denied.ProxyId, denied.Error.Code));
        Assert.Equal((1, 0), (StateOf(gate).InUse, StateOf(gate).Queued));

        // An expired waiter is not granted the slot when it frees.
        Kill(holder);
        AwaitAssert(() => Assert.Equal(0, StateOf(gate).InUse));
        Assert.Empty(waiter.Queued());
    }

    [Fact]
    public void A_waiter_granted_before_the_bound_gets_no_late_denial()
    {
        var gate = StartGate();
        var holder = Request(gate, "holder");
        holder.ExpectMsg<SlotGranted>();
        var waiter = Request(gate, "waiter");
        Assert.Equal(1, StateOf(gate).Queued);

        Kill(holder);
        waiter.ExpectMsg<SlotGranted>();
        Clock.Advance(MaxWait * 2);

        var state = StateOf(gate);
        Assert.Equal((1, 0), (state.InUse, state.Queued));
        Assert.Empty(waiter.Queued());
    }
}
