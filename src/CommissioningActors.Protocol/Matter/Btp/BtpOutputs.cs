namespace CommissioningActors.Protocol.Matter.Btp;

/// <summary>Limits and timers of one BTP session (spec 4.19.4; the defaults are the spec's constants except the idle close).</summary>
public sealed record BtpSessionOptions
{
    /// <summary>Central: the window it asks for. Peripheral: the largest window it grants.</summary>
    public byte WindowSize { get; init; } = 6;

    /// <summary>Largest reassembled message accepted or sent: one Matter message (IPv6 minimum MTU).</summary>
    public int MaxMessageSize { get; init; } = 1280;

    /// <summary>Messages waiting for window space before <see cref="BtpSession.Send"/> refuses more.</summary>
    public int MaxQueuedMessages { get; init; } = 16;

    /// <summary>Central: how long the handshake response may take (BTP_CONN_RSP_TIMEOUT).</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long the peer may leave a packet of ours unacknowledged before the session fails (BTP_ACK_TIMEOUT).</summary>
    public TimeSpan AckTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long we hold an ack back hoping to piggy-back it on data (a third of the ack timeout).</summary>
    public TimeSpan SendAckDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Central only: no new data sent for this long closes the session (BTP_CONN_IDLE_TIMEOUT is 30 s); null = never.</summary>
    public TimeSpan? IdleTimeout { get; init; } = TimeSpan.FromSeconds(60);
}

public enum BtpRole
{
    Central,
    Peripheral,
}

/// <summary>Why a session ended.</summary>
public enum BtpCloseReason
{
    /// <summary>Our side closed it (<see cref="BtpSession.Close"/>).</summary>
    Closed,
    HandshakeFailed,
    HandshakeTimeout,
    MalformedPacket,
    SegmentTooLarge,
    UnexpectedSequence,
    WindowOverflow,
    InvalidAck,
    MessageTooLarge,
    Reassembly,
    AckTimeout,
    IdleTimeout,
}

/// <summary>What the session asks its host to do, or tells it happened.</summary>
public abstract record BtpOutput;

/// <summary>Write these bytes to the peer (C1 for the central, an indication on C2 for the peripheral).</summary>
public sealed record BtpTransmit(byte[] Packet, bool IsHandshake = false) : BtpOutput;

/// <summary>The handshake completed with these parameters.</summary>
public sealed record BtpSessionOpened(byte Version, ushort SegmentSize, byte WindowSize) : BtpOutput;

/// <summary>A whole, reassembled message from the peer.</summary>
public sealed record BtpMessageReceived(byte[] Message) : BtpOutput;

/// <summary>A message we asked to send was refused (closed session, empty, too large, queue full); the session goes on.</summary>
public sealed record BtpSendRejected(string Reason) : BtpOutput;

/// <summary>The session is over; the host disconnects the link. Nothing more is sent or delivered.</summary>
public sealed record BtpSessionClosed(BtpCloseReason Reason, string Message) : BtpOutput;
