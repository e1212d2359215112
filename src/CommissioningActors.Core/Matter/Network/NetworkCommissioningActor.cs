using Akka.Actor;
using CommissioningActors.Core.Commissioning;

namespace CommissioningActors.Core.Matter.Network;

/// <summary>
/// Parent of every on-network commissioning attempt: the jobs' counterpart of the BLE supervisor for requests
/// with a <see cref="NetworkTarget"/>. It answers <see cref="CommissioningStarted"/> like the BLE supervisor, so a
/// job runs either kind the same way. An attempt that throws is stopped (its job fails on Terminated).
/// </summary>
public sealed class NetworkCommissioningActor : ReceiveActor
{
    public NetworkCommissioningActor(MatterServices services, MatterSettings settings)
    {
        Receive<StartCommissioning>(start =>
        {
            var attempt = Context.ActorOf(NetworkAttemptActor.Props(start.Request, services, start.ReportTo, settings),
                $"attempt-{Uri.EscapeDataString(start.Request.AttemptId)}");
            Sender.Tell(new CommissioningStarted(start.Request.AttemptId, attempt));
        });
    }

    public static Props Props(MatterServices services, MatterSettings settings) =>
        Akka.Actor.Props.Create(() => new NetworkCommissioningActor(services, settings));

    protected override SupervisorStrategy SupervisorStrategy() => Akka.Actor.SupervisorStrategy.StoppingStrategy;
}
