using CommissioningActors.Protocol.Matter.Messages;

namespace CommissioningActors.Protocol.Matter.Transport;

/// <summary>How this session's messages are addressed: the peer's session id (0 when unsecured) and node ids.</summary>
public sealed record MessageAddressing(ushort PeerSessionId, ulong? SourceNodeId = null, ulong? DestinationNodeId = null)
{
    public MessageHeader Header(uint counter) =>
        new(PeerSessionId, SessionType.Unicast, counter, SourceNodeId, DestinationNodeId);
}

public sealed record ExchangeManagerOptions(
    MessageAddressing Addressing,
    bool UseMrp,
    SessionParameters? PeerParameters = null,
    int MaxPeerExchanges = 16);

/// <summary>
/// The exchange layer of one session (spec 4.10, 4.12) as a pure state machine: no threads, sockets or timers.
/// The host feeds it received (already authenticated, decoded) messages, send requests and timer ticks,
/// and carries out the returned <see cref="ExchangeOutput"/>s; <see cref="NextDeadline"/> says when to tick.
/// With <see cref="ExchangeManagerOptions.UseMrp"/> (UDP) it sets R, acknowledges (piggy-backed or standalone
/// after 200 ms) and retransmits with the spec's backoff; without it (BTP, TCP: already reliable) it never
/// sets R, never acks and never retransmits. Duplicates are never delivered twice either way.
/// </summary>
public sealed class MatterExchangeManager
{
    private readonly ExchangeManagerOptions _options;
    private readonly Func<TimeSpan> _clock;
    private readonly Random _random;
    private readonly MessageCounter _counter;
    private readonly ReceptionWindow _window;
    private readonly Dictionary<ExchangeKey, ExchangeState> _exchanges = [];
    private ushort _nextExchangeId;
    private TimeSpan? _lastHeardFromPeer;

    /// <param name="clock">Monotonic time.</param>
    /// <param name="random">Jitter (NextDouble) and the first exchange id (Next).</param>
    public MatterExchangeManager(
        ExchangeManagerOptions options, MessageCounter counter, ReceptionWindow window, Func<TimeSpan> clock, Random random)
    {
        _options = options;
        _counter = counter;
        _window = window;
        _clock = clock;
        _random = random;
        PeerParameters = options.PeerParameters ?? SessionParameters.Default;
        _nextExchangeId = (ushort)random.Next(0, 65536);
    }

    /// <summary>The peer's SII/SAI/SAT; updated when session establishment tells us the real ones.</summary>
    public SessionParameters PeerParameters { get; set; }

    public bool UsesMrp => _options.UseMrp;

    public int OpenExchanges => _exchanges.Count;

    /// <summary>When <see cref="OnTimer"/> next has work: the earliest retransmission or standalone ack.</summary>
    public TimeSpan? NextDeadline
    {
        get
        {
            TimeSpan? next = null;
            foreach (var exchange in _exchanges.Values)
            {
                next = Min(next, exchange.Outstanding?.Deadline);
                next = Min(next, exchange.AckDue is null ? null : exchange.AckDeadline);
            }

            return next;
        }
    }

    /// <summary>Whether the peer counts as active (heard from within its SAT), which picks SAI over SII.</summary>
    public bool PeerIsActive =>
        _lastHeardFromPeer is { } heard && _clock() - heard < PeerParameters.ActiveThreshold;

    /// <summary>Opens an exchange we initiate for <paramref name="protocol"/>.</summary>
    public ExchangeKey StartExchange(MatterProtocolId protocol)
    {
        var key = new ExchangeKey(_nextExchangeId, WeInitiated: true);
        while (_exchanges.ContainsKey(key))
        {
            key = new ExchangeKey(++_nextExchangeId, WeInitiated: true);
        }

        _nextExchangeId = (ushort)(key.Id + 1);
        _exchanges[key] = new ExchangeState(key, protocol);
        return key;
    }

    /// <summary>
    /// Sends on an open exchange, piggy-backing any pending ack. Under MRP a reliable message waits for its ack
    /// and only one may be outstanding per exchange (a second is a programming error and throws).
    /// </summary>
    public IReadOnlyList<ExchangeOutput> Send(
        ExchangeKey key, byte opcode, ReadOnlyMemory<byte> payload, bool reliable = true, MatterProtocolId? protocol = null)
    {
        if (!_exchanges.TryGetValue(key, out var exchange) || exchange.Closing)
        {
            throw new InvalidOperationException($"Exchange {key} is not open");
        }

        var requiresAck = _options.UseMrp && reliable;
        if (requiresAck && exchange.Outstanding is not null)
        {
            throw new InvalidOperationException($"Exchange {key} already waits for an ack");
        }

        if (!_counter.TryNext(out var counter))
        {
            return [new CounterExhausted()];
        }

        var acked = exchange.AckDue;
        exchange.AckDue = null;
        var message = new MatterMessage(
            _options.Addressing.Header(counter),
            new ExchangeHeader(opcode, key.Id, protocol ?? exchange.Protocol, key.WeInitiated, requiresAck, acked),
            payload);
        if (requiresAck)
        {
            exchange.Outstanding = new Outstanding(message, 1, _clock() + RetransmissionDelay(0));
        }

        return [new TransmitMessage(message, 1)];
    }

    /// <summary>Handles one received message: duplicate check, acks, delivery to its exchange.</summary>
    public IReadOnlyList<ExchangeOutput> Receive(MatterMessage message)
    {
        var now = _clock();
        _lastHeardFromPeer = now;
        var header = message.Exchange;
        var key = new ExchangeKey(header.ExchangeId, WeInitiated: !header.IsInitiator);
        var counter = message.Header.Counter;
        var wantsAck = _options.UseMrp && header.RequiresAck;
        var outputs = new List<ExchangeOutput>(2);

        if (_window.Check(counter) == CounterCheck.Duplicate)
        {
            // The peer missed our ack: acknowledge again at once, deliver nothing.
            outputs.Add(new MessageDropped(key, counter, DropReason.Duplicate));
            AddStandaloneAck(outputs, key, counter);
            return outputs;
        }

        _exchanges.TryGetValue(key, out var exchange);
        if (_options.UseMrp && header.AckedCounter is { } acked && exchange?.Outstanding?.Message.Header.Counter == acked)
        {
            exchange.Outstanding = null;
            outputs.Add(new MessageAcknowledged(key, acked));
            RemoveIfDone(exchange);
        }

        if (header.Is(SecureChannelOpcode.StandaloneAck))
        {
            return outputs;
        }

        var opens = false;
        if (exchange is null || exchange.Closing)
        {
            var reason = !header.IsInitiator || exchange is not null ? DropReason.UnknownExchange
                : PeerExchangeCount() >= _options.MaxPeerExchanges ? DropReason.TooManyExchanges
                : (DropReason?)null;
            if (reason is { } dropped)
            {
                outputs.Add(new MessageDropped(key, counter, dropped));
                if (dropped == DropReason.UnknownExchange && wantsAck)
                {
                    AddStandaloneAck(outputs, key, counter);
                }

                return outputs;
            }

            exchange = new ExchangeState(key, header.Protocol);
            _exchanges[key] = exchange;
            opens = true;
        }

        if (wantsAck)
        {
            if (exchange.AckDue is { } older)
            {
                AddStandaloneAck(outputs, key, older);
            }

            exchange.AckDue = counter;
            exchange.AckDeadline = now + Mrp.StandaloneAckTimeout;
        }

        outputs.Add(new DeliverMessage(key, message, opens));
        return outputs;
    }

    /// <summary>Retransmits what is due, gives up after the fifth transmission, and sends due standalone acks.</summary>
    public IReadOnlyList<ExchangeOutput> OnTimer()
    {
        var now = _clock();
        var outputs = new List<ExchangeOutput>();
        foreach (var exchange in _exchanges.Values.OrderBy(e => e.Key.Id).ThenBy(e => e.Key.WeInitiated).ToList())
        {
            if (exchange.AckDue is { } due && exchange.AckDeadline <= now)
            {
                exchange.AckDue = null;
                AddStandaloneAck(outputs, exchange.Key, due);
            }

            if (exchange.Outstanding is { } pending && pending.Deadline <= now)
            {
                if (pending.Transmissions >= Mrp.MaxTransmissions)
                {
                    _exchanges.Remove(exchange.Key);
                    outputs.Add(new DeliveryFailed(exchange.Key, pending.Message.Header.Counter, pending.Transmissions));
                    continue;
                }

                var transmissions = pending.Transmissions + 1;
                exchange.Outstanding = pending with
                {
                    Transmissions = transmissions,
                    Deadline = now + RetransmissionDelay(transmissions - 1),
                };
                outputs.Add(new TransmitMessage(pending.Message, transmissions));
            }

            RemoveIfDone(exchange);
        }

        return outputs;
    }

    /// <summary>
    /// Closes an exchange: a pending ack goes out now as a standalone ack; an unacknowledged reliable message
    /// keeps being retransmitted until it is acked or fails, then the exchange is forgotten.
    /// </summary>
    public IReadOnlyList<ExchangeOutput> Close(ExchangeKey key)
    {
        if (!_exchanges.TryGetValue(key, out var exchange))
        {
            return [];
        }

        var outputs = new List<ExchangeOutput>(1);
        if (exchange.AckDue is { } due)
        {
            exchange.AckDue = null;
            AddStandaloneAck(outputs, key, due);
        }

        exchange.Closing = true;
        RemoveIfDone(exchange);
        return outputs;
    }

    public bool IsOpen(ExchangeKey key) => _exchanges.TryGetValue(key, out var e) && !e.Closing;

    /// <summary>Whether our reliable message on this exchange still waits for its ack.</summary>
    public bool AwaitsAck(ExchangeKey key) => _exchanges.TryGetValue(key, out var e) && e.Outstanding is not null;

    private TimeSpan RetransmissionDelay(int retransmissions)
    {
        var baseInterval = PeerIsActive ? PeerParameters.ActiveInterval : PeerParameters.IdleInterval;
        return Mrp.Backoff(baseInterval, retransmissions, _random.NextDouble());
    }

    private void AddStandaloneAck(List<ExchangeOutput> outputs, ExchangeKey key, uint counter)
    {
        if (!_options.UseMrp)
        {
            return;
        }

        if (!_counter.TryNext(out var ours))
        {
            outputs.Add(new CounterExhausted());
            return;
        }

        var ack = new MatterMessage(
            _options.Addressing.Header(ours),
            new ExchangeHeader((byte)SecureChannelOpcode.StandaloneAck, key.Id, MatterProtocolId.SecureChannel,
                key.WeInitiated, RequiresAck: false, AckedCounter: counter),
            ReadOnlyMemory<byte>.Empty);
        outputs.Add(new TransmitMessage(ack, 1));
    }

    private void RemoveIfDone(ExchangeState exchange)
    {
        if (exchange.Closing && exchange.Outstanding is null && exchange.AckDue is null)
        {
            _exchanges.Remove(exchange.Key);
        }
    }

    private int PeerExchangeCount() => _exchanges.Keys.Count(k => !k.WeInitiated);

    private static TimeSpan? Min(TimeSpan? a, TimeSpan? b) => a is null ? b : b is null ? a : a < b ? a : b;

    private sealed record Outstanding(MatterMessage Message, int Transmissions, TimeSpan Deadline);

    private sealed class ExchangeState(ExchangeKey key, MatterProtocolId protocol)
    {
        public ExchangeKey Key { get; } = key;
        public MatterProtocolId Protocol { get; } = protocol;
        public Outstanding? Outstanding { get; set; }
        public uint? AckDue { get; set; }
        public TimeSpan AckDeadline { get; set; }
        public bool Closing { get; set; }
    }
}
