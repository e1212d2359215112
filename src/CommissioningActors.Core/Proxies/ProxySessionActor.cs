using Akka.Actor;
using Akka.Event;
using CommissioningActors.Core.Discovery;
using CommissioningActors.Core.Gate;
using CommissioningActors.Core.Sockets;
using CommissioningActors.Protocol.BleProxy;
using CommissioningActors.Protocol.Text;

namespace CommissioningActors.Core.Proxies;

/// <summary>
/// One per connected BLE proxy client. Owns the hello handshake, command ids, per-command timeouts and the
/// lifetime of every connection handle on that proxy: it is the single place a `disconnect` is sent from,
/// so a handle is disconnected at most once whoever asks (owner, owner's death, late connect).
/// </summary>
public sealed partial class ProxySessionActor : ReceiveActor, IWithTimers
{
    private readonly string _proxyId;
    private readonly string _name;
    private readonly string _configName; // unescaped: slots-per-proxy is keyed by the name as given
    private readonly IActorRef _outbound;
    private readonly IActorRef _discovery;
    private readonly ProxySettings _settings;
    private readonly GateSettings _gateSettings;
    private IActorRef _gate = ActorRefs.Nobody;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    // Commands this proxy answered with "unknown command": answered locally from then on, so the
    // connection actors fall back at once instead of asking again.
    private readonly HashSet<string> _unsupported = new(StringComparer.Ordinal);

    private readonly PendingCommands _pending = new();
    private readonly HandleOwners _handles = new();

    private bool _ready;
    private long _badFrames;

    public ProxySessionActor(string proxyId, string name, IActorRef outbound, IActorRef discovery, ProxySettings settings,
        GateSettings gateSettings)
    {
        _proxyId = proxyId;
        _name = PeerText.Escape(name, 64);
        _configName = name;
        _outbound = outbound;
        _discovery = discovery;
        _settings = settings;
        _gateSettings = gateSettings;
        AwaitingHello();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(string proxyId, string name, IActorRef outbound, IActorRef discovery, ProxySettings settings,
        GateSettings? gateSettings = null) =>
        Akka.Actor.Props.Create(() => new ProxySessionActor(proxyId, name, outbound, discovery, settings, gateSettings ?? GateSettings.Default));

    protected override void PreStart() =>
        Timers.StartSingleTimer(nameof(HelloTimedOut), HelloTimedOut.Instance, _settings.HandshakeTimeout);

    // A restarted gate would forget its leases; a stopped one takes the session down (below).
    protected override SupervisorStrategy SupervisorStrategy() => Akka.Actor.SupervisorStrategy.StoppingStrategy;

    private void Ready()
    {
        Receive<SocketTextReceived>(frame => OnText(frame.Utf8));
        Receive<SocketBinaryReceived>(frame => OnBinary(frame.Data));
        Receive<SocketFlowCheck>(check => check.Processed.TrySetResult());
        Receive<ExecuteBleCommand>(OnExecute);
        Receive<MarkCommandUnsupported>(m => _unsupported.Add(m.CommandName));
        Receive<WriteBtpData>(OnWriteBtpData);
        Receive<ReleaseConnection>(release =>
        {
            // Fire-and-forget disconnect from an owner that is stopping; at most once per handle.
            if (_handles.Release(release.ConnectionHandle))
            {
                SendCommand(new Disconnect(release.ConnectionHandle), Self, release);
            }
        });
        Receive<CommandTimedOut>(OnCommandTimedOut);
        Receive<Terminated>(t =>
        {
            if (t.ActorRef.Equals(_gate))
            {
                // Without its gate this proxy would take unserialized connects: drop it; the client reconnects.
                _log.Error("Proxy {0} ({1}): connect gate stopped; closing the session", _proxyId, _name);
                CloseAndStop(1011, "internal error");
                return;
            }

            OnWatchedTerminated(t.ActorRef);
        });
        Receive<BleCommandSucceeded>(ok => _log.Debug("Proxy {0} ({1}): {2} ok", _proxyId, _name, ok.Command.Name));
        Receive<BleCommandFailed>(failed =>
            _log.Warning("Proxy {0} ({1}): {2} failed: {3}", _proxyId, _name, failed.Command.Name, failed.Error));
        Receive<SocketClosed>(closed => OnSocketClosed(closed));
    }

    private void OnExecute(ExecuteBleCommand request)
    {
        if (_unsupported.Contains(request.Command.Name))
        {
            Sender.Tell(new BleCommandFailed(request.Command, new BleProxyError(BleErrorCodes.InternalError,
                $"Unknown command: {request.Command.Name} (this proxy client predates it)"), request.Correlation));
            return;
        }

        if (request.Command is Disconnect d && !_handles.Release(d.ConnectionHandle))
        {
            // Already released by this session (owner died, device dropped): never send a second disconnect.
            Sender.Tell(new BleCommandSucceeded(request.Command, EmptyResult.Instance, request.Correlation));
            return;
        }

        SendCommand(request.Command, Sender, request.Correlation);
    }

    private void SendCommand(BleCommand command, IActorRef requester, object? correlation)
    {
        var id = _pending.Add(command, requester, correlation);
        var timeout = command is Connect c
            ? TimeSpan.FromMilliseconds(c.TimeoutMs) + _settings.ConnectTimeoutMargin
            : _settings.CommandTimeout;
        if (command is Connect && !requester.Equals(Self))
        {
            Context.Watch(requester);
        }

        Timers.StartSingleTimer(("cmd", id), new CommandTimedOut(id), timeout);
        Send(new CommandFrame(id, command));
    }

    private void OnText(byte[] utf8)
    {
        var parsed = BleProxyCodec.ParseClientMessage(utf8, _settings.MaxFrameBytes);
        if (!parsed.IsOk)
        {
            BadFrame(parsed.Error!.ToString());
            return;
        }

        switch (parsed.Value)
        {
            case CommandResponse response:
                OnResponse(response);
                break;
            case DeviceDiscovered discovered:
                // Parsing what it means (Matter or not) is Discovery's job.
                _discovery.Tell(new AdvertisementReceived(_proxyId, Self, discovered, DateTimeOffset.UtcNow));
                break;
            case Disconnected lost:
                if (_handles.Release(lost.ConnectionHandle, out var owner))
                {
                    owner.Tell(new ConnectionLost(lost.ConnectionHandle, ProxyPeerText.Text(lost.Reason ?? "disconnected")));
                }

                break;
            case CharacteristicNotification notification:
                RouteToOwner(notification.ConnectionHandle,
                    new ConnectionNotification(notification.ConnectionHandle, notification.CharacteristicUuid, notification.Value));
                break;
            case ScanStopped stopped:
                var reason = stopped.Reason is null ? null : ProxyPeerText.Text(stopped.Reason);
                _log.Info("Proxy {0} ({1}) stopped scanning: {2}", _proxyId, _name, reason ?? "no reason given");
                Context.System.EventStream.Publish(new ProxyScanStopped(_proxyId, Self, reason));
                break;
            case Hello:
                BadFrame("hello after the handshake");
                break;
        }
    }

    private void OnResponse(CommandResponse response)
    {
        if (!_pending.TryComplete(response.Id, out var pending))
        {
            OnUnexpectedResponse(response);
            return;
        }

        Timers.Cancel(("cmd", response.Id));
        if (!response.Success)
        {
            var error = ProxyPeerText.Error(response.Error, response.Message);
            Fail(pending, error);
            return;
        }

        var result = BleProxyCodec.DecodeResult(pending.Command, response.Result);
        if (!result.IsOk)
        {
            var error = new BleProxyError(BleErrorCodes.InternalError,
                $"proxy answered '{pending.Command.Name}' with a malformed result: {ProxyPeerText.Text(result.Error!.Message)}");
            Fail(pending, error);
            return;
        }

        var outcome = result.Value is ConnectResult connected
            ? _handles.Claim(connected.ConnectionHandle, pending.Requester, pending.RequesterGone)
            : ConnectOutcome.Claimed;
        if (outcome == ConnectOutcome.Duplicate)
        {
            RefuseDuplicateHandle(pending, ((ConnectResult)result.Value!).ConnectionHandle);
        }
        else if (outcome == ConnectOutcome.TearDown)
        {
            var handle = ((ConnectResult)result.Value!).ConnectionHandle;
            _log.Info("Proxy {0} ({1}): connect finished after its requester stopped; disconnecting handle {2}", _proxyId, _name, handle);
            SendCommand(new Disconnect(handle), Self, null);
        }
        else
        {
            pending.Requester.Tell(new BleCommandSucceeded(pending.Command, result.Value!, pending.Correlation));
        }
    }

    private void OnUnexpectedResponse(CommandResponse response)
    {
        if (!_pending.TryTakeTimedOut(response.Id, out var command))
        {
            BadFrame($"response to unknown command id {response.Id}");
            return;
        }

        // A connect that succeeded after we gave up still holds a proxy slot: give it back.
        // (Unless the proxy reused a live handle: that disconnect would end another connection.)
        if (command is Connect && response.Success
            && BleProxyCodec.DecodeResult(command, response.Result).Value is ConnectResult late
            && _handles.ShouldTearDownLate(late.ConnectionHandle))
        {
            _log.Info("Proxy {0} ({1}): connect id {2} succeeded after its timeout; disconnecting handle {3}",
                _proxyId, _name, response.Id, late.ConnectionHandle);
            SendCommand(new Disconnect(late.ConnectionHandle), Self, null);
        }
    }

    private void RefuseDuplicateHandle(PendingCommand pending, int handle)
    {
        // A protocol error for this connect only: the first connection keeps its handle, its notifications and
        // its single disconnect. No disconnect is sent for the duplicate, since it would name the first's handle.
        _log.Warning("Proxy {0} ({1}) answered a connect with handle {2}, which is already live; failing that connect",
            _proxyId, _name, handle);
        if (!pending.RequesterGone)
        {
            Fail(pending, new BleProxyError(BleErrorCodes.InternalError,
                $"protocol error: BLE proxy '{_name}' answered connect with connection handle {handle}, " +
                "which another live connection already holds"));
        }
    }

    private static void Fail(PendingCommand pending, BleProxyError error) =>
        pending.Requester.Tell(new BleCommandFailed(pending.Command, error, pending.Correlation));

    private void OnCommandTimedOut(CommandTimedOut timedOut)
    {
        if (!_pending.TryTimeOut(timedOut.Id, out var pending))
        {
            return;
        }

        var error = new BleProxyError(BleErrorCodes.Timeout,
            $"BLE proxy '{_name}' did not answer '{pending.Command.Name}' in time");
        Fail(pending, error);
    }

    private void OnWatchedTerminated(IActorRef dead)
    {
        _pending.MarkRequesterGone(dead);

        foreach (var handle in _handles.ReleaseAllOf(dead))
        {
            _log.Info("Proxy {0} ({1}): owner of handle {2} stopped without disconnecting; disconnecting", _proxyId, _name, handle);
            SendCommand(new Disconnect(handle), Self, null);
        }
    }

    private void OnBinary(byte[] data)
    {
        var parsed = BleProxyCodec.ParseBinary(data, _settings.MaxFrameBytes);
        if (!parsed.IsOk)
        {
            BadFrame(parsed.Error!.ToString());
            return;
        }

        var frame = parsed.Value!;
        switch (frame.Opcode)
        {
            case BinaryOpcode.Notification:
                RouteToOwner(frame.ConnectionHandle, new ConnectionNotification(frame.ConnectionHandle, null, frame.Payload));
                break;
            case BinaryOpcode.ReadResponse:
                RouteToOwner(frame.ConnectionHandle, new ConnectionReadValue(frame.ConnectionHandle, frame.Payload));
                break;
            default:
                BadFrame($"binary opcode {frame.Opcode} is server-to-client only");
                break;
        }
    }

    private void OnWriteBtpData(WriteBtpData write)
    {
        // Only the owner may write on its handle: a stale or foreign writer must not reach another connection.
        if (write.ConnectionHandle is < 0 or > ushort.MaxValue
            || !_handles.TryGetOwner(write.ConnectionHandle, out var owner) || !owner.Equals(Sender))
        {
            _log.Debug("Proxy {0} ({1}): dropped a BTP write for handle {2} from a non-owner", _proxyId, _name, write.ConnectionHandle);
            return;
        }

        _outbound.Tell(new SendBinary(BleProxyCodec.Serialize(
            new BinaryFrame(BinaryOpcode.WriteData, (ushort)write.ConnectionHandle, write.Payload))));
    }

    private void RouteToOwner(int handle, ConnectionEvent message)
    {
        if (_handles.TryGetOwner(handle, out var owner))
        {
            owner.Tell(message);
        }
    }

    private void BadFrame(string why)
    {
        // A misbehaving proxy is logged, not trusted, and never disturbs other sessions.
        _badFrames++;
        if (_badFrames <= 10 || _badFrames % 1000 == 0)
        {
            _log.Warning("Proxy {0} ({1}) sent a bad frame (#{2}): {3}", _proxyId, _name, _badFrames, ProxyPeerText.Text(why));
        }
    }

    private void OnSocketClosed(SocketClosed closed)
    {
        _log.Info("Proxy {0} ({1}) disconnected: {2}", _proxyId, _name, closed.Reason);
        Context.Stop(Self);
    }

    private void CloseAndStop(int status, string reason)
    {
        _outbound.Tell(new CloseSocket(status, reason));
        Context.Stop(Self);
    }

    private void Send(ServerMessage message) => _outbound.Tell(new SendText(BleProxyCodec.Serialize(message)));

    protected override void PostStop()
    {
        // Nothing waits for a timeout once the proxy is gone.
        foreach (var pending in _pending.TakeAll().Where(p => !p.Requester.Equals(Self)))
        {
            var error = new BleProxyError(BleErrorCodes.ConnectionAborted,
                $"BLE proxy '{_name}' disconnected before answering '{pending.Command.Name}'");
            Fail(pending, error);
        }

        foreach (var (handle, owner) in _handles.TakeAll())
        {
            owner.Tell(new ConnectionLost(handle, "proxy_disconnected"));
        }

        if (_ready)
        {
            Context.System.EventStream.Publish(new ProxyDisconnected(_proxyId, _name, "session ended"));
        }

        _outbound.Tell(new CloseSocket(1000, "session ended"));
    }
}
