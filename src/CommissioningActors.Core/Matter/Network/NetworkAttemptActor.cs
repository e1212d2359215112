using System.Net;
using Akka.Actor;
using CommissioningActors.Core.Commissioning;
using CommissioningActors.Core.Matter.Commissioning;
using CommissioningActors.Core.Matter.Fabric;
using CommissioningActors.Core.Matter.Resolution;
using CommissioningActors.Core.Matter.Transport;
using CommissioningActors.Protocol.BleProxy;
using CommissioningActors.Protocol.Text;

namespace CommissioningActors.Core.Matter.Network;

/// <summary>
/// One on-network commissioning: finds the device (the request's address, else the resolver by discriminator),
/// runs a <see cref="CommissioningFlowActor"/> over a <see cref="UdpMatterChannel"/>, turns its lines into job
/// output and its verdict into one <see cref="AttemptOutcome"/> for the job, then stops (the flow with it).
/// A device announced at several addresses is tried at each in turn while PASE finds nobody there. A cancel or the
/// whole-attempt deadline tells the flow <see cref="AbortFlow"/> (it disarms an armed fail-safe) and waits, bounded,
/// for its verdict before reporting.
/// </summary>
public sealed class NetworkAttemptActor : ReceiveActor, IWithTimers
{
    private const int MaxLine = 1024;
    private static readonly TimeSpan MinPaseShare = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan AbortMargin = TimeSpan.FromSeconds(3);

    private readonly CommissionRequest _request;
    private readonly NetworkTarget _target;
    private readonly MatterServices _services;
    private readonly IActorRef _reportTo;
    private readonly MatterSettings _settings;
    private IActorRef? _flow;
    private IPEndPoint? _peer;
    private IReadOnlyList<IPEndPoint> _addresses = [];
    private int _next;
    private bool _ended;

    public NetworkAttemptActor(CommissionRequest request, MatterServices services, IActorRef reportTo, MatterSettings settings)
    {
        _request = request;
        _target = request.Network ?? new NetworkTarget(null);
        _services = services;
        _reportTo = reportTo;
        _settings = settings;

        Receive<CommissionableResolved>(OnResolved);
        Receive<ResolveFailed>(f => End(Failed(BleErrorCodes.DeviceNotFound, $"no commissionable device found on the network: {f.Reason}")));
        Receive<FlowLine>(line => Output(line.Text));
        Receive<FlowSucceeded>(OnSucceeded);
        Receive<FlowFailed>(OnFlowFailed);
        Receive<Terminated>(t =>
        {
            if (t.ActorRef.Equals(_flow))
            {
                End(Failed(BleErrorCodes.InternalError, "the commissioning flow stopped without a verdict"));
            }
        });
        Receive<AttemptTimedOut>(_ => Abort(BleErrorCodes.Timeout, $"commissioning did not finish within {Timeout.TotalSeconds:0} s",
            step => Failed(BleErrorCodes.Timeout, $"commissioning did not finish within {Timeout.TotalSeconds:0} s{step}")));
        Receive<CancelAttempt>(c => Abort("cancelled", c.Reason, _ => new AttemptCancelled(_request.AttemptId, c.Reason)));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private TimeSpan Timeout => _request.Timeout ?? _settings.AttemptTimeout;

    public static Props Props(CommissionRequest request, MatterServices services, IActorRef reportTo, MatterSettings settings) =>
        Akka.Actor.Props.Create(() => new NetworkAttemptActor(request, services, reportTo, settings));

    // A flow that throws has lost its session keys: stopped, never restarted (its Terminated fails the job).
    protected override SupervisorStrategy SupervisorStrategy() => Akka.Actor.SupervisorStrategy.StoppingStrategy;

    protected override void PreStart()
    {
        Timers.StartSingleTimer(nameof(AttemptTimedOut), AttemptTimedOut.Instance, Timeout);
        if (_target.Address is { } address)
        {
            StartFlow(address);
            return;
        }

        if (_services.Resolver is null)
        {
            // The controller refuses this up front; kept for callers that do not go through it.
            End(Failed(BleErrorCodes.DeviceNotFound, "no ip_addr was given and on-network discovery is not available"));
            return;
        }

        var payload = _request.Payload;
        ushort? longDiscriminator = _target.MatchDiscriminator && !payload.IsShortDiscriminator ? payload.Discriminator : null;
        byte? shortDiscriminator = _target.MatchDiscriminator && payload.IsShortDiscriminator ? payload.ShortDiscriminator : null;
        var wait = Timeout < _settings.ResolveTimeout ? Timeout : _settings.ResolveTimeout;
        Output(longDiscriminator is { } l ? $"looking for a commissionable device with discriminator {l} on the network"
            : shortDiscriminator is { } s ? $"looking for a commissionable device with short discriminator {s} on the network"
            : "looking for any commissionable device on the network");
        _services.Resolver.Tell(new ResolveCommissionable(longDiscriminator, shortDiscriminator, wait));
    }

    private void OnResolved(CommissionableResolved resolved)
    {
        if (_flow is not null || _ended)
        {
            return;
        }

        if (resolved.Addresses.Count == 0)
        {
            End(Failed(BleErrorCodes.DeviceNotFound, $"device {PeerText.Escape(resolved.InstanceName, 64)} announced no address"));
            return;
        }

        Output($"found {PeerText.Escape(resolved.InstanceName, 64)} (discriminator {resolved.LongDiscriminator}) at {string.Join(", ", resolved.Addresses)}");
        _addresses = resolved.Addresses;
        StartFlow(_addresses[_next++]);
    }

    private void StartFlow(IPEndPoint peer)
    {
        _peer = peer;
        var settings = _services.Flow;
        if (_addresses.Count > 1)
        {
            // PASE gets a share of its step timeout per address, so every address is tried within one step's time.
            var share = settings.StepTimeout / _addresses.Count;
            settings = settings with { PaseTimeout = share < MinPaseShare ? MinPaseShare : share };
            Output($"trying {peer} ({_next} of {_addresses.Count})");
        }

        var channel = new UdpMatterChannel(_services.Transport, peer);
        _flow = Context.Watch(Context.ActorOf(CommissioningFlowActor.Props(channel, _request.Payload.Passcode, _services.Fabric,
            _services.Trust, Self, settings), $"flow-{_next}"));
    }

    private void OnFlowFailed(FlowFailed failed)
    {
        if (failed.Unreachable && failed.Step == FlowStep.Pase && _next < _addresses.Count)
        {
            Output($"no PASE answer at {_peer}; trying the next address");
            StartFlow(_addresses[_next++]);
            return;
        }

        End(Failed(failed.ErrorCode, failed.Reason));
    }

    /// <summary>
    /// Stops the attempt with <paramref name="outcome"/> (given the step the flow stopped at). A running flow is told
    /// <see cref="AbortFlow"/> first and waited for (its disarm is bounded by the disarm timeout) so the device is
    /// commissionable again when the job reports.
    /// </summary>
    private void Abort(string code, string reason, Func<string, AttemptOutcome> outcome)
    {
        if (_ended)
        {
            return;
        }

        if (_flow is null)
        {
            End(outcome(""));
            return;
        }

        var flow = _flow;
        flow.Tell(new AbortFlow(code, reason));
        Timers.StartSingleTimer(nameof(AbortTimedOut), AbortTimedOut.Instance, _services.Flow.DisarmTimeout + AbortMargin);
        Become(() =>
        {
            Receive<FlowLine>(line => Output(line.Text));
            Receive<FlowSucceeded>(OnSucceeded); // CommissioningComplete was already answered: the device is ours
            Receive<FlowFailed>(f => End(outcome($"; stopped at {CommissioningFlowActor.StepName(f.Step)}")));
            Receive<Terminated>(t => t.ActorRef.Equals(flow), _ => End(outcome("")));
            Receive<AbortTimedOut>(_ => End(outcome("")));
            ReceiveAny(_ => { });
        });
    }

    private void OnSucceeded(FlowSucceeded succeeded)
    {
        var node = succeeded.Node;
        if (_request.Label is { } label && node.Label is null)
        {
            _services.Fabric.Tell(new LabelNode(node.NodeId, label));
        }

        End(new NodeCommissioned(_request.AttemptId, node.NodeId, node.VendorId, node.ProductId, "udp", _peer?.ToString()));
    }

    private AttemptFailed Failed(string code, string message) => new(_request.AttemptId, code, PeerText.Escape(message, MaxLine));

    private void End(AttemptOutcome outcome)
    {
        if (_ended)
        {
            return;
        }

        _ended = true;
        Output(outcome switch
        {
            NodeCommissioned n => $"commissioned: node {n.NodeId} (vendor 0x{n.VendorId:X4}, product 0x{n.ProductId:X4}) over udp",
            AttemptFailed f => $"Failed: {f.ErrorCode}: {f.Message}",
            AttemptCancelled c => $"Cancelled: {c.Reason}",
            _ => outcome.GetType().Name,
        });
        _reportTo.Tell(outcome);
        // Stops the flow too (a child): its session unbinds from the transport by DeathWatch.
        Context.Stop(Self);
    }

    private void Output(string line) => _reportTo.Tell(new AttemptOutput(_request.AttemptId, PeerText.Escape(line, MaxLine)));

    private sealed record AttemptTimedOut
    {
        public static readonly AttemptTimedOut Instance = new();
    }

    private sealed record AbortTimedOut
    {
        public static readonly AbortTimedOut Instance = new();
    }
}
