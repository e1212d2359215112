using Akka.Actor;
using CommissioningActors.Core.Matter.Sessions;
using CommissioningActors.Protocol.Matter.Messages;

namespace CommissioningActors.Core.Matter.Commissioning;

/// <summary>
/// Ending the flow early: a failed step or an <see cref="AbortFlow"/> (cancel, job deadline). While the fail-safe
/// is armed and PASE lives, the device is told ArmFailSafe 0 first, so it drops what we added at once instead of
/// staying busy until its own timer expires.
/// </summary>
public sealed partial class CommissioningFlowActor
{
    // Set once the flow is rolling back or the device has finished (CommissioningComplete): an abort then changes nothing.
    private bool _ending;
    private bool _completed;

    /// <summary>
    /// <see cref="AbortFlow"/> is accepted in every behaviour (each step replaces the handlers with Become), so it is
    /// taken here, before the current behaviour sees the message.
    /// </summary>
    protected override bool AroundReceive(Receive receive, object message)
    {
        if (message is AbortFlow abort)
        {
            OnAbort(abort);
            return true;
        }

        return base.AroundReceive(receive, message);
    }

    private void OnAbort(AbortFlow abort)
    {
        if (_ending || _completed)
        {
            // Already rolling back, or the device is on our fabric and the node is being saved: that verdict stands.
            return;
        }

        Line($"stopping at {StepName(_step)}: {abort.Reason}");
        RollBack(new FlowFailed(_step, abort.ErrorCode, $"stopped at {StepName(_step)}: {abort.Reason}"));
    }

    /// <summary>Disarms an armed fail-safe over PASE (bounded by the disarm timeout), then reports <paramref name="failure"/> and stops.</summary>
    private void RollBack(FlowFailed failure)
    {
        _ending = true;
        Timers.Cancel(StepTimer);
        if (!_armed || _session.IsNobody())
        {
            Finish(failure);
            return;
        }

        // Disarm so the device drops what we added and is commissionable again; its own timer is the fallback.
        var id = ++_requestId;
        _session.Tell(new SendRequest(id, MatterProtocolId.InteractionModel, (byte)InteractionModelOpcode.InvokeRequest,
            FlowPayloads.ArmFailSafe(0), _settings.DisarmTimeout));
        Timers.StartSingleTimer(StepTimer, new StepTimedOut(id), _settings.DisarmTimeout + TimeSpan.FromSeconds(1));
        Become(() =>
        {
            Receive<RequestSucceeded>(r => r.RequestId == id, _ =>
            {
                _reportTo.Tell(new FlowLine(failure.Step, "fail-safe disarmed: the device is commissionable again"));
                Finish(failure);
            });
            Receive<RequestFailed>(r => r.RequestId == id, _ => Expired(failure));
            Receive<StepTimedOut>(t => t.RequestId == id, _ => Expired(failure));
            Receive<Terminated>(t => t.ActorRef.Equals(_session), _ => Expired(failure));
            ReceiveAny(_ => { });
        });
    }

    private void Expired(FlowFailed failure)
    {
        _reportTo.Tell(new FlowLine(failure.Step, $"the fail-safe will expire on the device within {_initial.FailSafeSeconds} s"));
        Finish(failure);
    }
}
