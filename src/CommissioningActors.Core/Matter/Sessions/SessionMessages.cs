using CommissioningActors.Protocol.Matter.Messages;
using CommissioningActors.Protocol.Matter.SecureChannel;

namespace CommissioningActors.Core.Matter.Sessions;

/// <summary>Sent to the session's owner when PASE succeeded: requests may be sent now.</summary>
public sealed record SessionReady(ushort LocalSessionId, ushort PeerSessionId, SecureSessionParameters PeerParameters, byte[] AttestationChallenge)
{
    public override string ToString() => $"SessionReady(local {LocalSessionId}, peer {PeerSessionId})";
}

/// <summary>Sent to the owner when the session could not be established; the session actor stops after it.</summary>
public sealed record SessionEstablishmentFailed(SessionFailureKind? Kind, string Reason, StatusReport? PeerStatus = null);

/// <summary>
/// One request/response exchange on the secured session. The reply goes to the sender:
/// <see cref="RequestSucceeded"/> or <see cref="RequestFailed"/>, each carrying <paramref name="RequestId"/>.
/// </summary>
public sealed record SendRequest(long RequestId, MatterProtocolId Protocol, byte Opcode, byte[] Payload, TimeSpan? Timeout = null);

/// <summary>The peer's answer on the request's exchange (not a failing StatusReport).</summary>
public sealed record RequestSucceeded(long RequestId, MatterProtocolId Protocol, byte Opcode, ReadOnlyMemory<byte> Payload);

public enum RequestFailureKind
{
    /// <summary>MRP gave up: no ack after every retransmission.</summary>
    NotAcknowledged,

    /// <summary>The message was acknowledged (or the link is reliable) but no answer came in time.</summary>
    Timeout,

    /// <summary>The peer answered with a failing StatusReport.</summary>
    StatusReport,

    /// <summary>The session is not usable (not yet established, ending, counters spent).</summary>
    SessionUnavailable,

    /// <summary>A conversation went past its <see cref="ConversationLimits"/>.</summary>
    LimitExceeded,
}

public sealed record RequestFailed(long RequestId, RequestFailureKind Kind, string Reason, StatusReport? PeerStatus = null);

/// <summary>Ends the session: tells the peer (CloseSession) and stops.</summary>
public sealed record CloseSecureSession
{
    public static readonly CloseSecureSession Instance = new();
}
