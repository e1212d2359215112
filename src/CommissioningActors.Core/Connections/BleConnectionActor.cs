using Akka.Actor;
using CommissioningActors.Core.Gate;
using CommissioningActors.Core.Proxies;
using CommissioningActors.Protocol.BleProxy;
using CommissioningActors.Protocol.Matter;
using CommissioningActors.Protocol.Matter.Btp;
using CommissioningActors.Core.Metrics;

namespace CommissioningActors.Core.Connections;

/// <summary>
/// Which proxy to go through for one candidate address. With Fallbacks, each route (this one first) is asked
/// for a slot without waiting; a full gate answers SlotBusy and the next is asked; when every gate is full the
/// connect queues on the first. The gate decides at that moment: no copy of its counts can be stale.
/// </summary>
public sealed record ConnectionTarget(string Address, string ProxyId, IActorRef Session, IActorRef Gate, MatterAdvertisement? Advertisement,
    IReadOnlyList<ConnectionRoute>? Fallbacks = null);

public sealed record ConnectionRoute(string ProxyId, IActorRef Session, IActorRef Gate);

/// <summary>Told to the parent when the slot is granted and the connect goes out (the hedge clock starts here).</summary>
public sealed record ConnectStarted(string Address, string ProxyId);

/// <summary>Told to the parent when the proxy reports the link up (no need to hedge any more).</summary>
public sealed record ConnectionUp(string Address, string ProxyId);

// Told to the parent (the attempt).
public sealed record ConnectionProgress(string Address, string ProxyId, string Line);

public sealed record ConnectionEstablished(
    string Address,
    string ProxyId,
    int ConnectionHandle,
    int Mtu,
    BtpHandshakeResponse Btp,
    byte[]? AdditionalData)
{
    /// <summary>The open BTP session as a Matter channel (the connection actor that sent this); null before BTP carries messages.</summary>
    public Matter.Transport.IMatterChannel? Channel { get; init; }
}

public sealed record ConnectionFailed(string Address, string ProxyId, string ErrorCode, string Message);

/// <summary>
/// The attempt no longer needs this connection. Stops at once, except while a connect is in flight: the proxy
/// holds a slot for it until it is answered, so the lease is kept until then and the handle torn down.
/// </summary>
public sealed record CancelConnection(string Reason);

/// <summary>
/// One per BLE connection: slot lease -> connect -> GATT discovery -> C3 read -> BTP handshake (the shared
/// <see cref="BtpSession"/>, central role), then the open session is a Matter channel (BleConnectionActor.Channel.cs).
/// Reports progress and the outcome to its parent. The lease is held by this actor's lifetime; on stop the
/// handle is given back to the session, which sends `disconnect` at most once.
/// </summary>
public sealed partial class BleConnectionActor : ReceiveActor, IWithTimers
{
    private readonly ConnectionSettings _settings;
    private readonly List<ConnectionRoute> _routes;
    private ConnectionTarget _target;
    private int _route;
    private DateTime _connectSentAt;

    private long _leaseGeneration = -1;
    private long _abortedGeneration = -1;
    private int? _handle;
    private int _mtu = BtpHandshake.MinimumAttMtu;
    private byte[]? _additionalData;
    private bool _done;
    private bool _connectInFlight;
    private bool _cancelling;
    private BtpSession? _btp;

    public BleConnectionActor(ConnectionTarget target, ConnectionSettings settings)
    {
        _target = target;
        _settings = settings;
        _routes = [new ConnectionRoute(target.ProxyId, target.Session, target.Gate), .. target.Fallbacks ?? []];

        Receive<SlotGranted>(OnGranted);
        Receive<SlotBusy>(OnBusy);
        Receive<SlotDenied>(denied => Fail(denied.Error.Code, denied.Error.Message));
        Receive<BleCommandSucceeded>(OnSucceeded);
        Receive<BleCommandFailed>(OnFailed);
        Receive<ConnectionNotification>(OnNotification);
        Receive<ConnectionReadValue>(read => OnAdditionalData(read.Value));
        Receive<ConnectionLost>(lost =>
        {
            _handle = null; // the session already released it
            var aborted = lost.Reason == "proxy_disconnected";
            Fail(aborted ? BleErrorCodes.ConnectionAborted : BleErrorCodes.ConnectionFailed,
                aborted ? $"proxy {_target.ProxyId} disconnected" : $"device at {_target.Address} disconnected: {lost.Reason}");
        });
        Receive<ConnectsAborted>(OnConnectsAborted);
        Receive<CancelConnection>(cancel =>
        {
            _closeReason ??= $"the connection was cancelled: {cancel.Reason}";
            _done = true; // nothing more is reported to the attempt
            if (_connectInFlight)
            {
                _cancelling = true;
            }
            else
            {
                Context.Stop(Self);
            }
        });
        Receive<StepTimedOut>(t => Fail(BleErrorCodes.Timeout, t.What));
        ReceiveChannelMessages();
        Receive<Terminated>(t =>
        {
            if (!ForgetBoundSession(t.ActorRef))
            {
                Fail(BleErrorCodes.ConnectionAborted, t.ActorRef.Equals(_target.Gate)
                    ? $"proxy {_target.ProxyId} disconnected while this connect was queued"
                    : $"proxy {_target.ProxyId} disconnected");
            }
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(ConnectionTarget target, ConnectionSettings settings) =>
        Akka.Actor.Props.Create(() => new BleConnectionActor(target, settings));

    protected override void PreStart()
    {
        Context.Watch(_target.Session);
        Context.Watch(_target.Gate);
        _target.Gate.Tell(new RequestSlot(_target.Address, WaitIfFull: _routes.Count == 1));
    }

    private void OnBusy(SlotBusy busy)
    {
        // The next route, without waiting; after the last, queue on the first (the best).
        _route++;
        var queue = _route >= _routes.Count;
        var next = _routes[queue ? 0 : _route];
        Progress(queue
            ? $"Every proxy that saw {_target.Address} is full; waiting for a slot on {next.ProxyId}"
            : $"{busy.ProxyId} is full ({busy.State.InUse}/{busy.State.Slots} slot(s), {busy.State.Queued} queued); trying {next.ProxyId}");
        SwitchTo(next);
        next.Gate.Tell(new RequestSlot(_target.Address, WaitIfFull: queue));
    }

    private void SwitchTo(ConnectionRoute route)
    {
        if (route.ProxyId == _target.ProxyId)
        {
            return;
        }

        Context.Unwatch(_target.Session);
        Context.Unwatch(_target.Gate);
        _target = _target with { ProxyId = route.ProxyId, Session = route.Session, Gate = route.Gate };
        Context.Watch(_target.Session);
        Context.Watch(_target.Gate);
    }

    private void OnGranted(SlotGranted granted)
    {
        _leaseGeneration = granted.Generation;
        Progress($"Connection slot acquired on {_target.ProxyId}; connecting to {_target.Address}");
        _connectInFlight = true;
        _connectSentAt = DateTime.UtcNow;
        Context.Parent.Tell(new ConnectStarted(_target.Address, _target.ProxyId));
        Execute(new Connect(_target.Address, (int)_settings.ConnectTimeout.TotalMilliseconds));
    }

    // The gate keeps what a route is scored by (in flight, failures, typical connect time): tell it the outcome.
    private void ConnectEnded(bool succeeded) =>
        _target.Gate.Tell(new ConnectFinished(succeeded, DateTime.UtcNow - _connectSentAt));

    private void OnSucceeded(BleCommandSucceeded ok)
    {
        switch (ok.Result)
        {
            case ConnectResult connected:
                _connectInFlight = false;
                ConnectEnded(succeeded: true);
                CommissioningMetrics.For(Context.System).Connected(_target.ProxyId, null);
                _handle = connected.ConnectionHandle;
                _mtu = connected.Mtu;
                if (_cancelling)
                {
                    // The slot at the proxy is ours until this handle is disconnected (PostStop): only now let it go.
                    Context.Stop(Self);
                    return;
                }

                if (_abortedGeneration > _leaseGeneration)
                {
                    // The connect finished after an abort: tear it down (once, via PostStop) rather than keep the slot.
                    Fail(BleErrorCodes.ConnectionAborted, "connect completed after pending connects were aborted");
                    return;
                }

                Progress($"Connected to {_target.Address} via {_target.ProxyId} (MTU {_mtu})");
                Context.Parent.Tell(new ConnectionUp(_target.Address, _target.ProxyId));
                Execute(new RequestMtu(connected.ConnectionHandle, _settings.RequestedMtu));
                break;
            case MtuResult mtu:
                _mtu = mtu.Mtu;
                DiscoverServices();
                break;
            case ServicesResult services:
                if (!services.ServiceUuids.Contains(MatterBle.ServiceUuid))
                {
                    Fail(BleErrorCodes.ServiceNotFound, $"{_target.Address} does not offer the Matter BLE service (fff6)");
                    return;
                }

                Execute(new DiscoverCharacteristics(_handle!.Value, MatterBle.ServiceUuid));
                break;
            case CharacteristicsResult characteristics:
                OnCharacteristics(characteristics);
                break;
            case ReadResult read:
                if (read.Value is not null)
                {
                    OnAdditionalData(read.Value);
                }

                // Otherwise the value arrives as a 0x03 binary frame (ConnectionReadValue).
                break;
        }
    }

    private void OnCharacteristics(CharacteristicsResult result)
    {
        var uuids = result.Characteristics.Select(c => c.Uuid).ToHashSet(StringComparer.Ordinal);
        if (!uuids.Contains(MatterBle.C1WriteUuid) || !uuids.Contains(MatterBle.C2IndicateUuid))
        {
            Fail(BleErrorCodes.CharacteristicNotFound, $"{_target.Address} lacks the Matter C1/C2 characteristics");
            return;
        }

        if (_target.Advertisement?.HasAdditionalData == true && uuids.Contains(MatterBle.C3AdditionalDataUuid))
        {
            Execute(new ReadCharacteristic(_handle!.Value, MatterBle.C3AdditionalDataUuid));
            return;
        }

        StartBtpHandshake();
    }

    private void OnAdditionalData(byte[] value)
    {
        if (_additionalData is not null)
        {
            return;
        }

        _additionalData = value;
        Progress($"Read {value.Length} byte(s) of additional data (C3)");
        StartBtpHandshake();
    }

    private void StartBtpHandshake()
    {
        _btp = BtpSession.Central(_settings.Btp with
        {
            WindowSize = _settings.BtpWindowSize,
            HandshakeTimeout = _settings.BtpHandshakeTimeout,
        });
        var attMtu = (ushort)Math.Clamp(_mtu, BtpHandshake.MinimumAttMtu, ushort.MaxValue);
        var request = _btp.Start(attMtu, Now).OfType<BtpTransmit>().Single().Packet;
        Timers.StartSingleTimer(nameof(StepTimedOut),
            new StepTimedOut($"{_target.Address} did not answer the BTP handshake within {_settings.BtpHandshakeTimeout.TotalSeconds:0.#} s"),
            _settings.BtpHandshakeTimeout);
        Execute(new WriteAndSubscribe(_handle!.Value, MatterBle.C1WriteUuid, request, true, MatterBle.C2IndicateUuid));
    }

    private static TimeSpan Now => TimeSpan.FromMilliseconds(Environment.TickCount64);

    private void OnFailed(BleCommandFailed failed)
    {
        var error = failed.Error;
        if (failed.Command is Connect)
        {
            _connectInFlight = false;
            ConnectEnded(succeeded: false);
            CommissioningMetrics.For(Context.System).Connected(_target.ProxyId, error.Code);
            if (_cancelling)
            {
                Context.Stop(Self);
                return;
            }
        }

        switch (failed.Command)
        {
            case RequestMtu:
                // Optional: keep the MTU the connect reported.
                if (UnsupportedCommand.IsUnsupported(error, failed.Command.Name))
                {
                    _target.Session.Tell(new MarkCommandUnsupported(failed.Command.Name));
                }

                DiscoverServices();
                return;
            case WriteAndSubscribe ws when UnsupportedCommand.IsUnsupported(error, failed.Command.Name):
                // Older proxy clients: the write (with response) followed at once by the subscribe.
                _target.Session.Tell(new MarkCommandUnsupported(failed.Command.Name));
                Progress($"{_target.ProxyId} predates write_and_subscribe; writing and subscribing separately");
                Execute(new WriteCharacteristic(ws.ConnectionHandle, ws.WriteUuid, ws.WriteValue, Response: true));
                Execute(new SubscribeCharacteristic(ws.ConnectionHandle, ws.SubscribeUuid));
                return;
            case Connect when error.IsOutOfConnectionSlots:
                Fail(BleErrorCodes.OutOfConnectionSlots, $"{SlotExhaustion.ActionableMessage} (proxy {_target.ProxyId}: {error.Message})");
                return;
            default:
                Fail(error.Code, $"{failed.Command.Name} on {_target.Address} via {_target.ProxyId} failed: {error.Message}");
                return;
        }
    }

    private void OnNotification(ConnectionNotification notification)
    {
        if (_done || _btp is null || _btp.IsClosed)
        {
            return;
        }

        CarryOut(_btp.Receive(notification.Value, Now));
    }

    private void OnConnectsAborted(ConnectsAborted aborted)
    {
        _abortedGeneration = Math.Max(_abortedGeneration, aborted.Generation);
        if (_handle is not null && _abortedGeneration > _leaseGeneration)
        {
            // Nobody is commissioning any more: this connection is an orphan.
            Fail(BleErrorCodes.ConnectionAborted, $"released: {aborted.Reason}");
        }
    }

    private void DiscoverServices() => Execute(new DiscoverServices(_handle!.Value));

    private void Execute(BleCommand command) => _target.Session.Tell(new ExecuteBleCommand(command));

    private void Progress(string line) => Context.Parent.Tell(new ConnectionProgress(_target.Address, _target.ProxyId, line));

    private void Fail(string code, string message)
    {
        _closeReason ??= message;
        if (!_done)
        {
            _done = true;
            Context.Parent.Tell(new ConnectionFailed(_target.Address, _target.ProxyId, code, message));
        }

        Context.Stop(Self);
    }

    protected override void PostStop()
    {
        CloseChannel(_closeReason ?? $"the connection to {_target.Address} via {_target.ProxyId} was stopped");
        if (_handle is { } handle)
        {
            _target.Session.Tell(new ReleaseConnection(handle));
        }
    }

    private sealed record StepTimedOut(string What);
}
