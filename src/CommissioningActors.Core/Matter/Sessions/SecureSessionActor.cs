using Akka.Actor;
using Akka.Event;
using CommissioningActors.Core.Matter.Transport;
using CommissioningActors.Protocol.Matter.Messages;
using CommissioningActors.Protocol.Matter.SecureChannel;
using CommissioningActors.Protocol.Matter.Transport;

namespace CommissioningActors.Core.Matter.Sessions;

public sealed record SecureSessionOptions
{
    /// <summary>Our session id for the device to address (nonzero); 0 = pick a random one.</summary>
    public ushort LocalSessionId { get; init; }

    public TimeSpan EstablishTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan DefaultRequestTimeout { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// One secure session with one device, from PASE to its end. It owns the session's counters, keys and
/// exchange managers; MRP deadlines from the pure exchange manager become one single timer. First it runs
/// PASE as initiator on the unsecured session (reporting <see cref="SessionReady"/> or
/// <see cref="SessionEstablishmentFailed"/> to its owner), then carries <see cref="SendRequest"/>s as
/// exchanges of the secured session. It stops when establishment fails, the peer closes the session, or it
/// is told to close; owners watch it. Its parent must stop it on failure (never restart: keys would be lost).
/// </summary>
public sealed partial class SecureSessionActor : ReceiveActor, IWithTimers
{
    private const string MrpTimer = "mrp";
    private const string EstablishTimer = "establish";

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly IMatterChannel _channel;
    private readonly IActorRef _owner;
    private readonly SecureSessionOptions _options;
    private readonly Dictionary<ExchangeKey, PendingRequest> _pending = [];
    private PaseInitiator? _pase;
    private ExchangeKey _paseExchange;
    private SessionLink? _link;
    private ushort _localSessionId;

    public SecureSessionActor(IMatterChannel channel, IActorRef owner, uint passcode, SecureSessionOptions options)
    {
        _channel = channel;
        _owner = owner;
        _options = options;
        _localSessionId = options.LocalSessionId != 0 ? options.LocalSessionId : (ushort)Random.Shared.Next(1, 65536);
        _pase = new PaseInitiator(passcode, _localSessionId);
        Establishing();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IMatterChannel channel, IActorRef owner, uint passcode, SecureSessionOptions? options = null) =>
        Akka.Actor.Props.Create(() => new SecureSessionActor(channel, owner, passcode, options ?? new SecureSessionOptions()));

    protected override void PreStart()
    {
        _link = SessionLink.Unsecured(_channel);
        _channel.Bind(0, Self);
        _paseExchange = _link.Exchanges.StartExchange(MatterProtocolId.SecureChannel);
        var first = _case?.Start() ?? _pase!.Start();
        Handle(_link.Send(_paseExchange, (byte)first.Opcode, first.Payload));
        Timers.StartSingleTimer(EstablishTimer, EstablishTimedOut.Instance, _options.EstablishTimeout);
    }

    protected override void PostStop()
    {
        foreach (var (_, pending) in _pending)
        {
            pending.Requester.Tell(new RequestFailed(pending.Request.RequestId, RequestFailureKind.SessionUnavailable, "the session ended"));
        }

        _pending.Clear();
        _channel.Unbind(_pase is null && _case is null ? _localSessionId : (ushort)0, Self);
        _link?.Dispose();
        DisposeCase();
    }

    private void Establishing()
    {
        Receive<InboundDatagram>(d => Handle(_link!.Inbound(d.Bytes)));
        Receive<MrpTick>(_ => Handle(_link!.Tick()));
        Receive<EstablishTimedOut>(_ => FailEstablishment(null, $"{Establishment} with {_channel.PeerDescription} did not finish within {_options.EstablishTimeout.TotalSeconds:0.#} s"));
        Receive<SessionRegistrationRefused>(r => FailEstablishment(null, r.Reason));
        Receive<SendRequest>(r => Sender.Tell(new RequestFailed(r.RequestId, RequestFailureKind.SessionUnavailable, "the session is not established yet")));
        RefuseConversations();
        Receive<MatterChannelClosed>(closed => FailEstablishment(null, $"the link to {_channel.PeerDescription} closed: {closed.Reason}"));
        Receive<CloseSecureSession>(_ => Context.Stop(Self));
    }

    private void Secured()
    {
        Receive<InboundDatagram>(d => Handle(_link!.Inbound(d.Bytes)));
        Receive<MrpTick>(_ => Handle(_link!.Tick()));
        Receive<SendRequest>(OnSendRequest);
        ReceiveConversations();
        Receive<RequestTimedOut>(OnRequestTimedOut);
        Receive<SessionRegistrationRefused>(r =>
        {
            _log.Warning("Secure session {0} refused a route: {1}", _localSessionId, r.Reason);
            Context.Stop(Self);
        });
        Receive<MatterChannelClosed>(closed => FailPendingAndStop($"the link to {_channel.PeerDescription} closed: {closed.Reason}"));
        Receive<CloseSecureSession>(_ =>
        {
            var exchange = _link!.Exchanges.StartExchange(MatterProtocolId.SecureChannel);
            Handle(_link.Send(exchange, (byte)SecureChannelOpcode.StatusReport, StatusReport.CloseSession.Encode(), reliable: false));
            Context.Stop(Self);
        });
    }

    /// <summary>The link under the session is gone: nothing can be sent or arrive, so every request fails with why.</summary>
    private void FailPendingAndStop(string reason)
    {
        foreach (var (exchange, pending) in _pending)
        {
            Timers.Cancel(exchange);
            pending.Requester.Tell(new RequestFailed(pending.Request.RequestId, RequestFailureKind.SessionUnavailable, reason));
        }

        _pending.Clear();
        _conversations.Clear();
        Context.Stop(Self);
    }

    /// <summary>Acts on what the exchange layer reported, then re-arms the MRP timer for its next deadline.</summary>
    private void Handle(IReadOnlyList<ExchangeOutput> outputs)
    {
        foreach (var output in outputs)
        {
            switch (output)
            {
                case DeliverMessage deliver when _pase is not null || _case is not null:
                    OnEstablishmentMessage(deliver);
                    break;
                case DeliverMessage deliver:
                    OnSecuredMessage(deliver);
                    break;
                case DeliveryFailed failed when _pase is not null || _case is not null:
                    FailEstablishment(null, $"{_channel.PeerDescription} did not acknowledge {Establishment} after {failed.Transmissions} transmissions");
                    return;
                case DeliveryFailed failed:
                    Complete(failed.Exchange, p => new RequestFailed(p.Request.RequestId, RequestFailureKind.NotAcknowledged,
                        $"{_channel.PeerDescription} did not acknowledge after {failed.Transmissions} transmissions"));
                    break;
                case CounterExhausted:
                    _log.Warning("Secure session {0}: message counter exhausted, ending it", _localSessionId);
                    Context.Stop(Self);
                    return;
            }
        }

        if (_link?.UntilNextDeadline is { } delay)
        {
            Timers.StartSingleTimer(MrpTimer, MrpTick.Instance, delay);
        }
        else
        {
            Timers.Cancel(MrpTimer);
        }
    }

    private sealed record MrpTick
    {
        public static readonly MrpTick Instance = new();
    }

    private sealed record EstablishTimedOut
    {
        public static readonly EstablishTimedOut Instance = new();
    }

    private sealed record RequestTimedOut(ExchangeKey Exchange);

    private sealed record PendingRequest(SendRequest Request, IActorRef Requester);
}
