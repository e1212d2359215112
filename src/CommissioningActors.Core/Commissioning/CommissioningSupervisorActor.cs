using Akka.Actor;
using Akka.Event;
using CommissioningActors.Core.Connections;
using CommissioningActors.Core.Matter.Commissioning;
using CommissioningActors.Core.Matter.Network;
using CommissioningActors.Core.Proxies;
using CommissioningActors.Protocol.BleProxy;

namespace CommissioningActors.Core.Commissioning;

/// <summary>
/// Parent of every attempt. Counts attempts in progress from AttemptStarted / AttemptEnded and DeathWatch
/// (a crashed attempt counts as ended). Only when the count reaches zero does it tell every gate to abort
/// pending connects and release orphaned connections, so finishing one attempt never tears down another's.
/// </summary>
public sealed class CommissioningSupervisorActor : ReceiveActor
{
    public const string NoCommissioningInProgress = "no commissioning in progress";

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly HashSet<IActorRef> _inProgress = [];

    private readonly IActorRef _proxies;
    private readonly IActorRef _discovery;
    private readonly AttemptSettings _settings;
    private readonly ConnectionSettings _connectionSettings;
    private readonly MatterServices? _matter;

    /// <param name="matter">
    /// The Matter services: set, an attempt first learns the stored networks (none: the job fails with
    /// network_credentials_missing before any scan or connect) and commissions over the winning BLE link. Null: an
    /// attempt ends at the BTP handshake (unit tests of routing).
    /// </param>
    public CommissioningSupervisorActor(IActorRef discovery, IActorRef proxies, AttemptSettings settings, ConnectionSettings connectionSettings,
        MatterServices? matter = null)
    {
        _proxies = proxies;
        _discovery = discovery;
        _settings = settings;
        _connectionSettings = connectionSettings;
        _matter = matter;
        Receive<StartCommissioning>(start =>
        {
            if (matter is null)
            {
                StartAttempt(start, Sender, null);
                return;
            }

            Context.ActorOf(NetworkCredentialsLookupActor.Props(start, Sender, matter.Fabric, matter.Flow.StepTimeout));
        });
        Receive<NetworkCredentialsLooked>(looked =>
        {
            if (looked.Error is not null || looked.Networks.IsEmpty)
            {
                Refuse(looked);
                return;
            }

            StartAttempt(looked.Start, looked.ReplyTo, looked.Networks);
        });
        Receive<AttemptStarted>(_ =>
        {
            _inProgress.Add(Context.Watch(Sender));
        });
        Receive<AttemptEnded>(_ => Ended(Sender));
        Receive<Terminated>(t => Ended(t.ActorRef));
        Receive<GetCommissioningStatus>(_ => Sender.Tell(new CommissioningStatus(_inProgress.Count)));
    }

    public static Props Props(IActorRef discovery, IActorRef proxies, AttemptSettings settings, ConnectionSettings connectionSettings,
        MatterServices? matter = null) =>
        Akka.Actor.Props.Create(() => new CommissioningSupervisorActor(discovery, proxies, settings, connectionSettings, matter));

    private void StartAttempt(StartCommissioning start, IActorRef replyTo, CommissioningNetworks? networks)
    {
        var attempt = Context.ActorOf(CommissioningAttemptActor.Props(start.Request, _discovery, _proxies, start.ReportTo,
            _settings, _connectionSettings, _matter, networks), $"attempt-{Uri.EscapeDataString(start.Request.AttemptId)}");
        replyTo.Tell(new CommissioningStarted(start.Request.AttemptId, attempt));
    }

    /// <summary>No network to hand the device (or no way to know): the job fails before any scan, so no slot is spent.</summary>
    private static void Refuse(NetworkCredentialsLooked looked)
    {
        var id = looked.Start.Request.AttemptId;
        var outcome = looked.Error is { } error
            ? new AttemptFailed(id, BleErrorCodes.InternalError, $"the stored networks could not be read: {error}")
            : new AttemptFailed(id, AttemptErrorCodes.NetworkCredentialsMissing,
                "BLE commissioning hands the device a network, and none is stored: store Wi-Fi credentials (set_wifi_credentials) or a Thread dataset (set_thread_dataset)");
        looked.Start.ReportTo.Tell(new AttemptOutput(id, $"Failed: {outcome.ErrorCode}: {outcome.Message}"));
        looked.Start.ReportTo.Tell(outcome);
    }

    // An attempt that throws is stopped: it counts as ended, and its connections stop with it.
    protected override SupervisorStrategy SupervisorStrategy() => Akka.Actor.SupervisorStrategy.StoppingStrategy;

    private void Ended(IActorRef attempt)
    {
        if (!_inProgress.Remove(attempt) || _inProgress.Count > 0)
        {
            return;
        }

        // Through the proxy manager, which knows the gates: a later attempt learns its proxies from the manager
        // too, so the abort reaches every gate before that attempt can queue a connect there.
        _proxies.Tell(new AbortAllPendingConnects(NoCommissioningInProgress));
        _log.Debug("No commissioning in progress: releasing pending connects on every gate");
    }
}
