namespace CommissioningActors.Protocol.Matter.Btp;

/// <summary>
/// One BTP session (Matter Core spec 4.19) as a pure state machine, either side: the handshake, segmentation and
/// reassembly, sequence numbers, acknowledgements within the negotiated window, the ack and idle timers, close.
/// No threads, I/O or timers: the host feeds received packets, messages to send and the time, carries out the
/// returned <see cref="BtpOutput"/>s and calls <see cref="OnTimer"/> at <see cref="NextDeadline"/>.
/// Bad input never throws: it yields <see cref="BtpSessionClosed"/> with the reason, and the session is over.
/// <para>
/// Keep-alive is the ack timer itself: every packet, a standalone ack included, carries a sequence number the
/// peer must acknowledge within <see cref="BtpSessionOptions.AckTimeout"/>, so two idle peers trade standalone
/// acks every <see cref="BtpSessionOptions.SendAckDelay"/> and a silent peer is noticed within the ack timeout.
/// </para>
/// </summary>
public sealed class BtpSession
{
    private readonly BtpSessionOptions _options;
    private readonly BtpReassembler _reassembler;
    private readonly Queue<byte[]> _queue = new();
    private Phase _phase;
    private int _queuedOffset;

    // Sequence numbers wrap at 256; byte arithmetic gives the modular distances.
    private byte _lastSent;
    private byte _lastAckedByPeer;
    private byte _lastReceived;
    private byte _lastAckedByUs;

    private TimeSpan? _handshakeDeadline;
    private TimeSpan? _ackDue;
    private TimeSpan? _peerAckDeadline;
    private TimeSpan? _idleDeadline;

    private BtpSession(BtpRole role, BtpSessionOptions options, Phase phase)
    {
        Role = role;
        _options = options;
        _phase = phase;
        _reassembler = new BtpReassembler(options.MaxMessageSize);
    }

    private enum Phase
    {
        NotStarted,
        AwaitingHandshake,
        Open,
        Closed,
    }

    public BtpRole Role { get; }

    public bool IsOpen => _phase == Phase.Open;

    public bool IsClosed => _phase == Phase.Closed;

    /// <summary>Negotiated segment size (whole packet, header included); 0 before the handshake.</summary>
    public ushort SegmentSize { get; private set; }

    /// <summary>Negotiated window: packets either side may have unacknowledged; 0 before the handshake.</summary>
    public byte WindowSize { get; private set; }

    /// <summary>Our packets the peer has not acknowledged yet.</summary>
    public int UnackedSent => (byte)(_lastSent - _lastAckedByPeer);

    /// <summary>Messages (or the rest of one) waiting for window space.</summary>
    public int QueuedMessages => _queue.Count;

    /// <summary>When <see cref="OnTimer"/> next has work, or null.</summary>
    public TimeSpan? NextDeadline => Min(Min(_handshakeDeadline, _ackDue), Min(_peerAckDeadline, _idleDeadline));

    /// <summary>The client side; call <see cref="Start"/> to get the handshake request.</summary>
    public static BtpSession Central(BtpSessionOptions? options = null) =>
        new(BtpRole.Central, options ?? new BtpSessionOptions(), Phase.NotStarted);

    /// <summary>
    /// The device side: waits for the handshake request in <see cref="Receive"/>. <paramref name="linkAttMtu"/> is the
    /// ATT MTU the device sees on the link (0 = unknown).
    /// </summary>
    public static BtpSession Peripheral(ushort linkAttMtu, BtpSessionOptions? options = null) =>
        new(BtpRole.Peripheral, options ?? new BtpSessionOptions(), Phase.AwaitingHandshake) { LinkAttMtu = linkAttMtu };

    private ushort LinkAttMtu { get; init; }

    /// <summary>Central: the handshake request to write to C1, sent with <paramref name="attMtu"/> and our window.</summary>
    public IReadOnlyList<BtpOutput> Start(ushort attMtu, TimeSpan now)
    {
        if (Role != BtpRole.Central || _phase != Phase.NotStarted)
        {
            throw new InvalidOperationException("Start is for a central session that has not started");
        }

        _phase = Phase.AwaitingHandshake;
        _handshakeDeadline = now + _options.HandshakeTimeout;
        return [new BtpTransmit(BtpHandshakeRequest.Default(attMtu, _options.WindowSize).Encode(), IsHandshake: true)];
    }

    /// <summary>One packet from the peer (a C1 write for the peripheral, a C2 indication for the central).</summary>
    public IReadOnlyList<BtpOutput> Receive(ReadOnlySpan<byte> packet, TimeSpan now)
    {
        switch (_phase)
        {
            case Phase.AwaitingHandshake:
                return Role == BtpRole.Central ? OnHandshakeResponse(packet, now) : OnHandshakeRequest(packet, now);
            case Phase.Open:
                break;
            default:
                return [];
        }

        var outputs = new List<BtpOutput>();
        if (packet.Length > SegmentSize)
        {
            return Fail(outputs, BtpCloseReason.SegmentTooLarge,
                $"a {packet.Length}-byte packet exceeds the negotiated segment size of {SegmentSize}");
        }

        var parsed = BtpPacket.Parse(packet);
        if (parsed.Value is not { } received)
        {
            return Fail(outputs, BtpCloseReason.MalformedPacket, parsed.Error!.Message);
        }

        var expected = (byte)(_lastReceived + 1);
        if (received.Sequence != expected)
        {
            return Fail(outputs, BtpCloseReason.UnexpectedSequence,
                $"sequence number {received.Sequence} where {expected} was expected");
        }

        if ((byte)(received.Sequence - _lastAckedByUs) > WindowSize)
        {
            return Fail(outputs, BtpCloseReason.WindowOverflow,
                $"the peer sent beyond the window of {WindowSize} unacknowledged packets");
        }

        if (received.AckNumber is { } ack)
        {
            if ((byte)(ack - _lastAckedByPeer) > UnackedSent)
            {
                return Fail(outputs, BtpCloseReason.InvalidAck,
                    $"ack {ack} is outside our unacknowledged packets {(byte)(_lastAckedByPeer + 1)}..{_lastSent}");
            }

            _lastAckedByPeer = ack;
            _peerAckDeadline = UnackedSent > 0 ? now + _options.AckTimeout : null;
        }

        _lastReceived = received.Sequence;
        _ackDue ??= now + _options.SendAckDelay;

        if (received.CarriesData)
        {
            var (message, reason, error) = _reassembler.Add(received);
            if (reason is { } why)
            {
                return Fail(outputs, why, error!);
            }

            if (message is not null)
            {
                outputs.Add(new BtpMessageReceived(message));
            }
        }

        Flush(outputs, now);

        // Only data earns an immediate ack: answering acks at once would ping-pong forever on small windows.
        if (received.CarriesData && _queue.Count == 0
            && WindowSize - (byte)(_lastReceived - _lastAckedByUs) <= ImmediateAckThreshold)
        {
            SendStandaloneAck(outputs, now);
        }

        return outputs;
    }

    /// <summary>Queues one message and sends as many of its segments as the peer's window allows.</summary>
    public IReadOnlyList<BtpOutput> Send(ReadOnlyMemory<byte> message, TimeSpan now)
    {
        if (_phase != Phase.Open)
        {
            return [new BtpSendRejected(_phase == Phase.Closed ? "the BTP session is closed" : "the BTP handshake has not completed")];
        }

        if (message.IsEmpty || message.Length > Math.Min(_options.MaxMessageSize, ushort.MaxValue))
        {
            return [new BtpSendRejected($"a {message.Length}-byte message is outside 1..{_options.MaxMessageSize} bytes")];
        }

        if (_queue.Count >= _options.MaxQueuedMessages)
        {
            return [new BtpSendRejected($"{_queue.Count} messages already wait for the peer's window")];
        }

        _queue.Enqueue(message.ToArray());
        var outputs = new List<BtpOutput>();
        Flush(outputs, now);
        return outputs;
    }

    /// <summary>Runs whatever timer is due at <paramref name="now"/>.</summary>
    public IReadOnlyList<BtpOutput> OnTimer(TimeSpan now)
    {
        var outputs = new List<BtpOutput>();
        if (_handshakeDeadline <= now)
        {
            return Fail(outputs, BtpCloseReason.HandshakeTimeout,
                $"no BTP handshake response within {_options.HandshakeTimeout.TotalSeconds:0.#} s");
        }

        if (_peerAckDeadline <= now)
        {
            return Fail(outputs, BtpCloseReason.AckTimeout,
                $"the peer left {UnackedSent} packet(s) unacknowledged for {_options.AckTimeout.TotalSeconds:0.#} s");
        }

        if (_idleDeadline <= now)
        {
            return Fail(outputs, BtpCloseReason.IdleTimeout,
                $"no data sent for {_options.IdleTimeout!.Value.TotalSeconds:0.#} s");
        }

        if (_ackDue <= now)
        {
            _ackDue = null; // re-armed by the next packet if the window kept the ack back
            SendStandaloneAck(outputs, now);
        }

        return outputs;
    }

    /// <summary>Ends the session from our side; the host then disconnects.</summary>
    public IReadOnlyList<BtpOutput> Close(string reason) =>
        _phase == Phase.Closed ? [] : Fail([], BtpCloseReason.Closed, reason);

    // ---- handshake ----

    private List<BtpOutput> OnHandshakeResponse(ReadOnlySpan<byte> packet, TimeSpan now)
    {
        var outputs = new List<BtpOutput>();
        var parsed = BtpHandshakeResponse.Parse(packet);
        if (parsed.Value is not { } response)
        {
            return Fail(outputs, BtpCloseReason.HandshakeFailed, $"malformed handshake response: {parsed.Error!.Message}");
        }

        if (response.Version != BtpHandshake.SupportedVersion)
        {
            return Fail(outputs, BtpCloseReason.HandshakeFailed, response.Version == BtpHandshake.NoCommonVersion
                ? "the device shares no BTP version with us"
                : $"the device chose BTP version {response.Version}, which we did not offer");
        }

        if (response.SegmentSize < BtpHandshake.MinSegmentSize || response.WindowSize == 0 || response.WindowSize > _options.WindowSize)
        {
            return Fail(outputs, BtpCloseReason.HandshakeFailed,
                $"the device answered segment size {response.SegmentSize} and window {response.WindowSize} " +
                $"(need at least {BtpHandshake.MinSegmentSize} and 1..{_options.WindowSize})");
        }

        // The response counts as the device's packet 0, which we owe an ack; our first packet is 0 too.
        Open(response, lastSent: 255, lastReceived: 0, outputs);
        _ackDue = now + _options.SendAckDelay;
        _idleDeadline = now + _options.IdleTimeout;
        if (WindowSize - 1 <= ImmediateAckThreshold)
        {
            SendStandaloneAck(outputs, now);
        }

        return outputs;
    }

    private List<BtpOutput> OnHandshakeRequest(ReadOnlySpan<byte> packet, TimeSpan now)
    {
        var outputs = new List<BtpOutput>();
        var parsed = BtpHandshakeRequest.Parse(packet);
        if (parsed.Value is not { } request)
        {
            return Fail(outputs, BtpCloseReason.HandshakeFailed, $"malformed handshake request: {parsed.Error!.Message}");
        }

        var response = BtpHandshake.Negotiate(request, LinkAttMtu, _options.WindowSize);
        if (response.Version == BtpHandshake.NoCommonVersion)
        {
            outputs.Add(new BtpTransmit(response.Encode(), IsHandshake: true));
            return Fail(outputs, BtpCloseReason.HandshakeFailed,
                $"the client offers BTP versions {string.Join(", ", request.SupportedVersions)}; we speak only {BtpHandshake.SupportedVersion}");
        }

        if (response.WindowSize == 0)
        {
            return Fail(outputs, BtpCloseReason.HandshakeFailed, "the client asked for a window of 0");
        }

        outputs.Add(new BtpTransmit(response.Encode(), IsHandshake: true));
        // Our response is our packet 0, which the client must acknowledge; its first packet is 0.
        Open(response, lastSent: 0, lastReceived: 255, outputs);
        _peerAckDeadline = now + _options.AckTimeout;
        return outputs;
    }

    private void Open(BtpHandshakeResponse response, byte lastSent, byte lastReceived, List<BtpOutput> outputs)
    {
        _phase = Phase.Open;
        _handshakeDeadline = null;
        SegmentSize = Math.Min(response.SegmentSize, BtpHandshake.MaxSegmentSize);
        WindowSize = response.WindowSize;
        _lastSent = lastSent;
        _lastAckedByPeer = 255;
        _lastReceived = lastReceived;
        _lastAckedByUs = 255;
        outputs.Add(new BtpSessionOpened(response.Version, SegmentSize, WindowSize));
    }

    // ---- sending ----

    /// <summary>Our receive window this close to full makes us ack at once instead of waiting (spec 4.19.4.8).</summary>
    private const int ImmediateAckThreshold = 2;

    private bool AckPending => _lastReceived != _lastAckedByUs;

    private int PeerWindowFree => WindowSize - UnackedSent;

    // The peer's last window slot is kept for a packet carrying an ack, so two full windows cannot deadlock.
    private bool CanSend(bool carriesAck) => PeerWindowFree > 1 || (PeerWindowFree == 1 && carriesAck);

    private void Flush(List<BtpOutput> outputs, TimeSpan now)
    {
        while (_queue.TryPeek(out var message))
        {
            var withAck = AckPending;
            if (!CanSend(withAck))
            {
                return;
            }

            var begin = _queuedOffset == 0;
            var room = SegmentSize - BtpPacket.HeaderSize(begin, withAck);
            var take = Math.Min(room, message.Length - _queuedOffset);
            var end = _queuedOffset + take == message.Length;
            var flags = (begin ? BtpFlags.Begin : BtpFlags.Continue) | (end ? BtpFlags.End : BtpFlags.None)
                | (withAck ? BtpFlags.Ack : BtpFlags.None);
            var packet = new BtpPacket(flags, withAck ? TakeAck() : null, ++_lastSent,
                begin ? (ushort)message.Length : null, message.AsMemory(_queuedOffset, take));
            _queuedOffset += take;
            if (end)
            {
                _queue.Dequeue();
                _queuedOffset = 0;
            }

            Sent(outputs, packet, now, uniqueData: true);
        }
    }

    private void SendStandaloneAck(List<BtpOutput> outputs, TimeSpan now)
    {
        if (!AckPending || !CanSend(carriesAck: true))
        {
            return;
        }

        var ack = TakeAck();
        Sent(outputs, BtpPacket.StandaloneAck(ack, ++_lastSent), now, uniqueData: false);
    }

    private byte TakeAck()
    {
        _lastAckedByUs = _lastReceived;
        _ackDue = null;
        return _lastReceived;
    }

    private void Sent(List<BtpOutput> outputs, BtpPacket packet, TimeSpan now, bool uniqueData)
    {
        _peerAckDeadline ??= now + _options.AckTimeout;
        if (uniqueData && Role == BtpRole.Central && _options.IdleTimeout is { } idle)
        {
            _idleDeadline = now + idle;
        }

        outputs.Add(new BtpTransmit(packet.Encode()));
    }

    private List<BtpOutput> Fail(List<BtpOutput> outputs, BtpCloseReason reason, string message)
    {
        _phase = Phase.Closed;
        _queue.Clear();
        _handshakeDeadline = _ackDue = _peerAckDeadline = _idleDeadline = null;
        outputs.Add(new BtpSessionClosed(reason, message));
        return outputs;
    }

    private static TimeSpan? Min(TimeSpan? a, TimeSpan? b) => a is null ? b : b is null ? a : a < b ? a : b;
}
