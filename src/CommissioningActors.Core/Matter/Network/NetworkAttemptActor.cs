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
/// A cancel or the whole-attempt deadline stops the flow where it is: an armed fail-safe then expires on the device.
/// </summary>
public sealed class NetworkAttemptActor : ReceiveActor, IWithTimers
{
    private const int MaxLine = 1024;

    private readonly CommissionRequest _request;
    private readonly NetworkTarget _target;
    private readonly MatterServices _services;
    private readonly IActorRef _reportTo;
    private readonly MatterSettings _settings;
    private IActorRef? _flow;
    private IPEndPoint? _peer;
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
        Receive<FlowFailed>(f => End(Failed(f.ErrorCode, f.Reason)));
        Receive<Terminated>(t =>
        {
            if (t.ActorRef.Equals(_flow))
            {
                End(Failed(BleErrorCodes.InternalError, "the commissioning flow stopped without a verdict"));
            }
        });
        Receive<AttemptTimedOut>(_ => End(Failed(BleErrorCodes.Timeout,
            $"commissioning did not finish within {Timeout.TotalSeconds:0} s{(_flow is null ? "" : "; the device's fail-safe expires on its own")}")));
        Receive<CancelAttempt>(c => End(new AttemptCancelled(_request.AttemptId, c.Reason)));
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

        Output($"found {PeerText.Escape(resolved.InstanceName, 64)} (discriminator {resolved.LongDiscriminator}) at {resolved.Addresses[0]}");
        StartFlow(resolved.Addresses[0]);
    }

    private void StartFlow(IPEndPoint peer)
    {
        _peer = peer;
        var channel = new UdpMatterChannel(_services.Transport, peer);
        _flow = Context.Watch(Context.ActorOf(CommissioningFlowActor.Props(channel, _request.Payload.Passcode, _services.Fabric,
            _services.Trust, Self, _services.Flow), "flow"));
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
}
