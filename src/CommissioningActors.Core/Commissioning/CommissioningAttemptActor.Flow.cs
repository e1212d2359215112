using Akka.Event;
using Akka.Actor;
using CommissioningActors.Core.Connections;
using CommissioningActors.Core.Discovery;
using CommissioningActors.Core.Matter.Commissioning;
using CommissioningActors.Core.Matter.Transport;
using CommissioningActors.Protocol.BleProxy;

namespace CommissioningActors.Core.Commissioning;

/// <summary>
/// Commissioning over the winning BLE link: the losers are cancelled, the winner carries a
/// <see cref="CommissioningFlowActor"/> (PASE and the BLE steps), and is released as soon as the flow leaves it
/// (after ConnectNetwork): once the winner has stopped the flow is told <see cref="CommissioningLinkReleased"/>, and
/// only then runs CASE over UDP, so the slot is back in the pool before CASE starts (and the output says so first).
/// </summary>
public sealed partial class CommissioningAttemptActor
{
    private IActorRef? _flow;
    private IActorRef? _winner;
    private ConnectionEstablished? _established;
    private bool _leftLink;
    private AttemptOutcome? _aborting;

    private void StartFlow(ConnectionEstablished established, IMatterChannel channel)
    {
        _winner = Sender;
        _established = established;
        foreach (var loser in _connections.Keys.Where(c => !c.Equals(_winner)).ToList())
        {
            loser.Tell(new CancelConnection("another connection to the device won"));
        }

        _discovery.Tell(UnwatchDevice.Instance);
        Output($"Commissioning channel open: {established.Address} via {established.ProxyId}, BTP v{established.Btp.Version}, segment {established.Btp.SegmentSize}; commissioning over BLE");
        var matter = _matter!;
        var transport = matter.Transport;
        var advertised = _candidates.GetValueOrDefault(established.Address)?.Values.FirstOrDefault()?.Matter;
        var settings = matter.Flow with
        {
            AdvertisedIds = advertised is null ? null : (advertised.VendorId, advertised.ProductId),
            Network = _networks,
            OperationalChannel = address => new UdpMatterChannel(transport, address),
            Label = _request.Label,
        };
        _flow = Context.Watch(Context.ActorOf(CommissioningFlowActor.Props(channel, _request.Payload.Passcode, matter.Fabric, matter.Trust,
            Self, settings), "flow"));
        _reportTo.Tell(new AttemptProgress(_request.AttemptId, "commissioning", _candidates.Count, _connections.Count));
        Become(Flowing);
    }

    private void Flowing()
    {
        Receive<FlowLine>(line => Output(line.Text));
        Receive<FlowLeftCommissioningLink>(_ =>
        {
            if (_winner is null)
            {
                // The link already went (the device dropped it while switching networks): nothing holds a slot.
                Sender.Tell(CommissioningLinkReleased.Instance);
                return;
            }

            _leftLink = true;
            _winner.Tell(new CancelConnection("the device left BLE for its network"));
        });
        Receive<FlowSucceeded>(succeeded =>
        {
            var node = succeeded.Node;
            End(new NodeCommissioned(_request.AttemptId, node.NodeId, node.VendorId, node.ProductId, "ble", _established!.Address));
        });
        Receive<FlowFailed>(failed => End(_aborting ?? new AttemptFailed(_request.AttemptId, failed.ErrorCode, failed.Reason)));
        Receive<ConnectionProgress>(p => Output(p.Line));
        Receive<ConnectionFailed>(OnConnectionFailed);
        Receive<Terminated>(OnFlowingTerminated);
        Receive<AttemptTimedOut>(_ => Abort(new AttemptFailed(_request.AttemptId, BleErrorCodes.Timeout,
            $"commissioning did not finish within {Timeout.TotalSeconds:0} s")));
        Receive<CancelAttempt>(c => Abort(new AttemptCancelled(_request.AttemptId, c.Reason)));
        Receive<AbortTimedOut>(_ =>
        {
            if (_flow is not null)
            {
                Context.Stop(_flow);
            }

            End(_aborting!);
        });
        // Scan, routing and hedging facts no longer matter: one link won.
        ReceiveAny(_ => { });
    }

    private void OnFlowingTerminated(Terminated t)
    {
        if (t.ActorRef.Equals(_flow))
        {
            _flow = null;
            End(_aborting ?? new AttemptFailed(_request.AttemptId, BleErrorCodes.InternalError, "the commissioning flow stopped without a verdict"));
            return;
        }

        _connections.Remove(t.ActorRef);
        if (!t.ActorRef.Equals(_winner))
        {
            return;
        }

        _winner = null;
        var link = $"{_established!.Address} via {_established.ProxyId}";
        if (!_leftLink)
        {
            // The flow's session sees the channel close and fails its step.
            Output($"BLE link to {link} closed before the device left it");
            return;
        }

        Output($"BLE link to {link} released: its connection slot is back in the pool");
        _flow?.Tell(CommissioningLinkReleased.Instance);
        // In the service log too: the slot goes back before CASE starts, which a reader of the log can check.
        Logging.GetLogger(Context).Info("BLE link to {0} released after ConnectNetwork: its connection slot is back in the pool before CASE",
            Protocol.Text.PeerText.Escape(link, 128));
    }

    /// <summary>The job's timeout or cancel: the flow disarms the device's fail-safe where it can, bounded, then the attempt ends.</summary>
    private void Abort(AttemptOutcome outcome)
    {
        if (_aborting is not null || _flow is null)
        {
            return;
        }

        _aborting = outcome;
        var (code, reason) = outcome switch
        {
            AttemptFailed f => (f.ErrorCode, f.Message),
            AttemptCancelled c => (AttemptErrorCodes.Cancelled, c.Reason),
            _ => (BleErrorCodes.InternalError, outcome.GetType().Name),
        };
        _flow.Tell(new AbortFlow(code, reason));
        Timers.StartSingleTimer(nameof(AbortTimedOut), AbortTimedOut.Instance, _matter!.Flow.DisarmTimeout + TimeSpan.FromSeconds(2));
    }

    private sealed record AbortTimedOut
    {
        public static readonly AbortTimedOut Instance = new();
    }
}
