using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using CommissioningActors.Core.Commissioning;
using CommissioningActors.Core.Connections;
using CommissioningActors.Core.Gate;
using CommissioningActors.Core.Proxies;
using CommissioningActors.Protocol.BleProxy;

namespace CommissioningActors.Core.Tests.Commissioning;

/// <summary>
/// Seed 000's last fix: release the gate only when no commission is in progress. Attempts are played by
/// probes (the supervisor counts AttemptStarted / AttemptEnded from whoever sends them), the gate is real.
/// </summary>
public sealed class CommissioningSupervisorActorTests : TestKit
{
    private readonly IActorRef _supervisor;
    private readonly IActorRef _gate;

    public CommissioningSupervisorActorTests()
    {
        var nobody = CreateTestProbe("nobody").Ref;
        _gate = Sys.ActorOf(ConnectGateActor.Props("proxy-1", slots: 1, maxWait: TimeSpan.FromMinutes(1)));
        // The proxy manager's part (ProxyManagerActorTests covers it): the abort for all goes to this gate.
        var proxies = CreateTestProbe("proxies");
        var gate = _gate;
        proxies.SetAutoPilot(new DelegateAutoPilot((_, message) =>
        {
            if (message is AbortAllPendingConnects all)
            {
                gate.Tell(new AbortPendingConnects(all.Reason));
            }

            return AutoPilot.KeepRunning;
        }));
        _supervisor = Sys.ActorOf(CommissioningSupervisorActor.Props(nobody, proxies.Ref, AttemptSettings.Default, ConnectionSettings.Default));
    }

    // Round trips through a fresh probe: synchronous, without blocking on a task.
    private CommissioningStatus Status() =>
        CreateTestProbe().ExpectNothingBefore<CommissioningStatus>(_supervisor, GetCommissioningStatus.Instance);

    private GateState Gate() => CreateTestProbe().ExpectNothingBefore<GateState>(_gate, GetGateState.Instance);

    private TestProbe StartedAttempt(string id)
    {
        var attempt = CreateTestProbe(id);
        attempt.Send(_supervisor, new AttemptStarted(id));
        return attempt;
    }

    private TestProbe Holder(string name)
    {
        var holder = CreateTestProbe(name);
        holder.Send(_gate, new RequestSlot(name));
        return holder;
    }

    [Fact]
    public void Finishing_one_attempt_leaves_a_concurrent_attempts_queued_connect_alone_and_the_last_one_releases_orphans()
    {
        var a = StartedAttempt("a");
        var b = StartedAttempt("b");
        var holderOfA = Holder("a-connection");
        holderOfA.ExpectMsg<SlotGranted>();
        var waiterOfB = Holder("b-connection");
        AwaitAssert(() => Assert.Equal(1, Gate().Queued));

        a.Send(_supervisor, new AttemptEnded("a", new AttemptFailed("a", "test", "done")));
        AwaitAssert(() => Assert.Equal(1, Status().InProgress));

        // b's queued connect survives a's end and gets the slot when a's connection goes.
        // An abort would have reached the gate, and so the waiter, before the gate answers.
        Assert.Equal(1, Gate().Queued);
        Assert.Empty(waiterOfB.Queued());
        Sys.Stop(holderOfA.Ref);
        var lease = waiterOfB.ExpectMsg<SlotGranted>();

        // The last attempt ends: whatever still holds a slot is an orphan and is told to go; waiters are denied.
        var lateWaiter = Holder("late-connection");
        AwaitAssert(() => Assert.Equal(1, Gate().Queued));
        b.Send(_supervisor, new AttemptEnded("b", new AttemptFailed("b", "test", "done")));

        var aborted = waiterOfB.ExpectMsg<ConnectsAborted>();
        Assert.True(aborted.Generation > lease.Generation);
        Assert.Equal(CommissioningSupervisorActor.NoCommissioningInProgress, aborted.Reason);
        var denied = lateWaiter.ExpectMsg<SlotDenied>();
        Assert.Equal(BleErrorCodes.ConnectionAborted, denied.Error.Code);
        Assert.Equal(0, Status().InProgress);
    }

    [Fact]
    public void An_attempt_that_dies_without_saying_it_ended_counts_as_ended()
    {
        var crashed = StartedAttempt("crashed");
        CreateTestProbe().Send(_gate, new RequestSlot("holder"));
        var waiter = Holder("waiter");
        AwaitAssert(() => Assert.Equal(1, Gate().Queued));

        Sys.Stop(crashed.Ref);

        Assert.Equal(BleErrorCodes.ConnectionAborted, waiter.ExpectMsg<SlotDenied>().Error.Code);
        AwaitAssert(() => Assert.Equal(0, Status().InProgress));
    }

    [Fact]
    public void Nothing_is_aborted_while_any_attempt_is_in_progress()
    {
        var a = StartedAttempt("a");
        var b = StartedAttempt("b");
        var c = StartedAttempt("c");
        CreateTestProbe().Send(_gate, new RequestSlot("holder"));
        var waiter = Holder("waiter");
        AwaitAssert(() => Assert.Equal(1, Gate().Queued));

        a.Send(_supervisor, new AttemptEnded("a", new AttemptFailed("a", "test", "done")));
        Sys.Stop(b.Ref);
        AwaitAssert(() => Assert.Equal(1, Status().InProgress));
        Assert.Equal(1, Gate().Queued);
        Assert.Empty(waiter.Queued());

        c.Send(_supervisor, new AttemptEnded("c", new AttemptFailed("c", "test", "done")));
        waiter.ExpectMsg<SlotDenied>();
    }

    [Fact]
    public void An_attempt_ending_twice_is_counted_once()
    {
        var a = StartedAttempt("a");
        StartedAttempt("b");
        a.Send(_supervisor, new AttemptEnded("a", new AttemptFailed("a", "test", "done")));
        a.Send(_supervisor, new AttemptEnded("a", new AttemptFailed("a", "test", "done")));
        Sys.Stop(a.Ref);
        AwaitAssert(() => Assert.Equal(1, Status().InProgress));
    }
}
