using Akka.Actor;
using Akka.Event;
using CommissioningActors.Core.Matter.Transport;
using CommissioningActors.Core.Proxies;
using CommissioningActors.Protocol.BleProxy;
using CommissioningActors.Protocol.Matter.Btp;
using CommissioningActors.Protocol.Matter.Messages;

namespace CommissioningActors.Core.Connections;

/// <summary>
/// The open BTP session as a Matter channel: whole messages out (segmented into 0x01 writes), the device's
/// reassembled messages in, routed by the session id in their header to the session actor bound to it. The
/// session's timers (acks, keep-alive, the peer's ack deadline) are one single timer at its next deadline.
/// When the link ends for any reason, every bound session hears <see cref="MatterChannelClosed"/> (PostStop).
/// </summary>
public sealed partial class BleConnectionActor
{
    private const string BtpTimer = "btp";

    /// <summary>More sessions than commissioning ever runs over one link (unsecured + PASE + a spare).</summary>
    private const int MaxBoundSessions = 8;

    private readonly Dictionary<ushort, IActorRef> _bound = [];
    private string? _closeReason;
    private bool _channelOpen;
    private long _sent;
    private long _received;
    private long _droppedUnbound;
    private long _droppedMalformed;

    private void ReceiveChannelMessages()
    {
        Receive<SendOverBtp>(OnSendOverBtp);
        Receive<BindBtpSession>(OnBind);
        Receive<UnbindBtpSession>(unbind =>
        {
            if (_bound.TryGetValue(unbind.LocalSessionId, out var current) && current.Equals(unbind.Session))
            {
                _bound.Remove(unbind.LocalSessionId);
                UnwatchIfUnbound(unbind.Session);
            }
        });
        Receive<BtpTick>(_ =>
        {
            if (_btp is { IsClosed: false })
            {
                CarryOut(_btp.OnTimer(Now));
            }
        });
        Receive<GetBtpChannelStatus>(_ => Sender.Tell(new BtpChannelStatus(
            _channelOpen, _bound.Count, _sent, _received, _droppedUnbound, _droppedMalformed, _btp?.QueuedMessages ?? 0)));
    }

    private string ChannelDescription => $"ble {_target.Address} via {_target.ProxyId}";

    private void OnBtpOpened(BtpSessionOpened opened)
    {
        Timers.Cancel(nameof(StepTimedOut));
        _channelOpen = true;
        Progress($"BTP session open with {_target.Address}: version {opened.Version}, segment {opened.SegmentSize}, window {opened.WindowSize}");
        Context.Parent.Tell(new ConnectionEstablished(_target.Address, _target.ProxyId, _handle!.Value, _mtu,
            new BtpHandshakeResponse(opened.Version, opened.SegmentSize, opened.WindowSize), _additionalData)
        {
            Channel = new BtpMatterChannel(Self, ChannelDescription),
        });
    }

    private void OnSendOverBtp(SendOverBtp send)
    {
        if (!_channelOpen || _btp is not { IsOpen: true })
        {
            // Only reachable in the moment between the link closing and this actor stopping: the sender hears
            // MatterChannelClosed from PostStop if it is bound.
            return;
        }

        _sent++;
        CarryOut(_btp.Send(send.Message, Now));
    }

    private void OnBind(BindBtpSession bind)
    {
        if (!_channelOpen)
        {
            bind.Session.Tell(new MatterChannelClosed($"the BLE link to {_target.Address} is not open"));
            return;
        }

        if (!_bound.ContainsKey(bind.LocalSessionId) && _bound.Count >= MaxBoundSessions)
        {
            bind.Session.Tell(new SessionRegistrationRefused(bind.LocalSessionId,
                $"the BLE link to {_target.Address} already carries {_bound.Count} sessions"));
            return;
        }

        if (_bound.TryGetValue(bind.LocalSessionId, out var previous) && !previous.Equals(bind.Session))
        {
            UnwatchIfUnbound(previous, except: bind.LocalSessionId);
        }

        _bound[bind.LocalSessionId] = bind.Session;
        Context.Watch(bind.Session);
    }

    /// <summary>True if the dead actor was a bound session (its routes are dropped), false if it is the proxy or gate.</summary>
    private bool ForgetBoundSession(IActorRef dead)
    {
        var ids = _bound.Where(b => b.Value.Equals(dead)).Select(b => b.Key).ToList();
        foreach (var id in ids)
        {
            _bound.Remove(id);
        }

        return ids.Count > 0;
    }

    private void UnwatchIfUnbound(IActorRef session, ushort? except = null)
    {
        if (!_bound.Any(b => b.Key != except && b.Value.Equals(session))
            && !session.Equals(_target.Session) && !session.Equals(_target.Gate))
        {
            Context.Unwatch(session);
        }
    }

    /// <summary>Carries out what the BTP session asked for, then re-arms its one timer.</summary>
    private void CarryOut(IReadOnlyList<BtpOutput> outputs)
    {
        foreach (var output in outputs)
        {
            switch (output)
            {
                case BtpTransmit transmit when !transmit.IsHandshake:
                    _target.Session.Tell(new WriteBtpData(_handle!.Value, transmit.Packet));
                    break;
                case BtpSessionOpened opened:
                    OnBtpOpened(opened);
                    break;
                case BtpMessageReceived received:
                    Route(received.Message);
                    break;
                case BtpSendRejected rejected:
                    // A reliable channel may not lose a message: the sessions on it must hear it is gone.
                    Fail(BleErrorCodes.InternalError, $"BTP with {_target.Address} refused a message ({rejected.Reason}); closing the link");
                    return;
                case BtpSessionClosed closed:
                    Fail(BleErrorCodes.InternalError, $"BTP with {_target.Address} failed ({closed.Reason}): {closed.Message}");
                    return;
            }
        }

        if (_channelOpen && _btp?.NextDeadline is { } deadline)
        {
            var delay = deadline - Now;
            Timers.StartSingleTimer(BtpTimer, BtpTick.Instance, delay > TimeSpan.Zero ? delay : TimeSpan.Zero);
        }
        else
        {
            Timers.Cancel(BtpTimer);
        }
    }

    private void Route(byte[] message)
    {
        var packet = MessageCodec.DecodePacket(message);
        if (!packet.IsOk)
        {
            CountDrop(ref _droppedMalformed, "a malformed Matter message");
            return;
        }

        var sessionId = packet.Value!.Header.SessionId;
        if (!_bound.TryGetValue(sessionId, out var session))
        {
            CountDrop(ref _droppedUnbound, $"a message for unknown session {sessionId}");
            return;
        }

        _received++;
        session.Tell(new InboundDatagram(message));
    }

    private void CountDrop(ref long counter, string what)
    {
        if (++counter <= 10)
        {
            Context.GetLogger().Debug("BLE {0} via {1}: dropped {2}", _target.Address, _target.ProxyId, what);
        }
    }

    /// <summary>From PostStop: the link is gone, so every bound session is told why (once each).</summary>
    private void CloseChannel(string reason)
    {
        if (!_channelOpen)
        {
            return;
        }

        _channelOpen = false;
        foreach (var session in _bound.Values.Distinct())
        {
            session.Tell(new MatterChannelClosed(reason));
        }

        _bound.Clear();
    }

    private sealed record BtpTick
    {
        public static readonly BtpTick Instance = new();
    }
}
