using Akka.Event;
using Akka.Actor;
using CommissioningActors.Core.Matter.Fabric;
using CommissioningActors.Core.Matter.Resolution;
using CommissioningActors.Core.Matter.Sessions;
using CommissioningActors.Core.Matter.Transport;
using CommissioningActors.Core.Storage;
using CommissioningActors.Protocol.Matter.Messages;
using static CommissioningActors.Core.Matter.Commissioning.FlowPayloads;

namespace CommissioningActors.Core.Matter.Commissioning;

/// <summary>The steps after AddNOC: find the node, CASE with it, CommissioningComplete over CASE, save the node.</summary>
public sealed partial class CommissioningFlowActor
{
    private IActorRef _caseSession = ActorRefs.Nobody;

    private void FindNode(ControllerCredentials credentials)
    {
        _step = FlowStep.Case;
        if (_settings.Resolver is not { } resolver)
        {
            if (_network is not null)
            {
                // The commissioning link (BLE) cannot carry CASE: the node must be found on the network.
                Fail("operational_discovery_failed", $"node {_nodeId} cannot be found: no operational resolver is configured");
                return;
            }

            StartCase(credentials, _channel);
            return;
        }

        var id = ++_requestId;
        resolver.Tell(new Resolution.ResolveOperational(credentials.CompressedFabricId, _nodeId, _settings.ResolveTimeout));
        Timers.StartSingleTimer(StepTimer, new StepTimedOut(id), _settings.ResolveTimeout + TimeSpan.FromSeconds(1));
        Become(() =>
        {
            Receive<OperationalResolved>(r => r.NodeId == _nodeId && r.Addresses.Count == 0, _ => NotResolved(credentials, "it announced no address"));
            Receive<OperationalResolved>(r => r.NodeId == _nodeId, resolved =>
            {
                Timers.Cancel(StepTimer);
                TryOperationalAddresses(credentials, resolved.Addresses);
            });
            Receive<ResolveFailed>(failed => NotResolved(credentials, failed.Reason));
            Receive<StepTimedOut>(t => t.RequestId == id, _ => NotResolved(credentials, "the resolver did not answer"));
            ReceiveTerminated(ActorRefs.Nobody);
        });
    }

    private void NotResolved(ControllerCredentials credentials, string reason)
    {
        Timers.Cancel(StepTimer);
        // Over BLE the commissioning address is no IP address: there is nothing to fall back to.
        if (!_settings.FallBackToCommissioningAddress || _network is not null)
        {
            Fail("operational_discovery_failed", $"node {_nodeId} was not found: {reason}");
            return;
        }

        Line($"node {_nodeId} was not found ({reason}); trying the commissioning address");
        StartCase(credentials, _channel);
    }

    private void StartCase(ControllerCredentials credentials, IMatterChannel channel)
    {
        _step = FlowStep.Case;
        Line($"establishing CASE with node {_nodeId} at {channel.PeerDescription}");
        Logging.GetLogger(Context).Info("Establishing CASE with node {0} at {1}", _nodeId, channel.PeerDescription);
        var options = new SecureSessionOptions { EstablishTimeout = CaseTimeout };
        var id = ++_requestId;
        _caseSession = Context.ActorOf(_settings.CaseSession?.Invoke(channel, Self, credentials, _nodeId, options)
            ?? SecureSessionActor.CaseProps(channel, Self, credentials, _nodeId, options), $"case-{id}");
        Context.Watch(_caseSession);
        Timers.StartSingleTimer(StepTimer, new StepTimedOut(id), CaseTimeout + TimeSpan.FromSeconds(1));
        Become(() =>
        {
            Receive<SessionReady>(_ => Sender.Equals(_caseSession), _ =>
            {
                Timers.Cancel(StepTimer);
                Line($"CASE session established with node {_nodeId}");
                CommissioningComplete(channel);
            });
            Receive<SessionEstablishmentFailed>(_ => Sender.Equals(_caseSession), failed => CaseFailed(credentials, channel, failed.Reason));
            Receive<StepTimedOut>(t => t.RequestId == id, _ => CaseFailed(credentials, channel, $"no CASE session within {CaseTimeout.TotalSeconds:0.#} s"));
            ReceiveTerminated(_caseSession);
        });
    }

    private void CommissioningComplete(IMatterChannel channel) => Request(FlowStep.CommissioningComplete, MatterProtocolId.InteractionModel,
        Invoke, FlowPayloads.Invoke(GeneralCommissioning, 4), answer =>
        {
            if (CommandFields(answer, GeneralCommissioning, 5) is not { } fields)
            {
                return;
            }

            if (CommissioningError(fields) is { } error)
            {
                Fail("commissioning_failed", error);
                return;
            }

            // The device ended the fail-safe: from here nothing is rolled back.
            _armed = false;
            _completed = true;
            Line("commissioning complete: the device is on our fabric");
            SaveNode(channel);
        }, _caseSession);

    private void SaveNode(IMatterChannel operational)
    {
        // As the node actors report where a node answered (NodeSeen): "udp host:port". A BLE link is no address to reach a node at.
        string[] addresses = _network is null ? [.. new[] { operational.PeerDescription, _channel.PeerDescription }.Distinct()] : [operational.PeerDescription];

        var now = DateTimeOffset.UtcNow;
        var node = new NodeRecord(_nodeId, _initial.VendorId ?? _attested?.VendorId ?? 0, _initial.ProductId ?? _attested?.ProductId ?? 0,
            _settings.Label, _network is null ? "udp" : "ble", addresses, now, now);
        _fabric.Tell(new AddNode(node));
        AwaitFabric<NodeSaved>(FlowStep.CommissioningComplete, _ =>
        {
            Line($"node {_nodeId} saved");
            _reportTo.Tell(new FlowSucceeded(node));
            CloseSessions();
        }, ActorRefs.Nobody);
    }

    /// <summary>Ends both sessions with CloseSession (stopping us first would stop them before they could say so), then stops.</summary>
    private void CloseSessions()
    {
        var id = ++_requestId;
        Timers.StartSingleTimer(StepTimer, new StepTimedOut(id), _settings.DisarmTimeout);
        Become(() =>
        {
            Receive<Terminated>(t =>
            {
                _session = t.ActorRef.Equals(_session) ? ActorRefs.Nobody : _session;
                _caseSession = t.ActorRef.Equals(_caseSession) ? ActorRefs.Nobody : _caseSession;
                if (_session.IsNobody() && _caseSession.IsNobody())
                {
                    Context.Stop(Self);
                }
            });
            Receive<StepTimedOut>(t => t.RequestId == id, _ => Context.Stop(Self));
            ReceiveAny(_ => { });
        });
        _session.Tell(CloseSecureSession.Instance);
        _caseSession.Tell(CloseSecureSession.Instance);
        if (_session.IsNobody() && _caseSession.IsNobody())
        {
            Context.Stop(Self);
        }
    }
}
