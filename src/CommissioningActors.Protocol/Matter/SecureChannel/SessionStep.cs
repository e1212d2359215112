using CommissioningActors.Protocol.Matter.Crypto;
using CommissioningActors.Protocol.Matter.Messages;

namespace CommissioningActors.Protocol.Matter.SecureChannel;

/// <summary>A Secure Channel message to send on the establishment exchange: opcode and TLV (or StatusReport) payload.</summary>
public sealed record SecureChannelSend(SecureChannelOpcode Opcode, byte[] Payload)
{
    public static SecureChannelSend Status(StatusReport report) => new(SecureChannelOpcode.StatusReport, report.Encode());

    public override string ToString() => $"{Opcode} ({Payload.Length} bytes)";
}

/// <summary>
/// What one input to a session-establishment state machine produced: maybe a message to send (first), then
/// maybe the outcome. Neither means "keep waiting".
/// </summary>
public sealed record SessionStep(SecureChannelSend? Send, SessionOutcome? Outcome)
{
    public static SessionStep Sending(SecureChannelSend send) => new(send, null);
}

public abstract record SessionOutcome;

/// <summary>
/// A secure session is established. Encrypt with <see cref="SessionKeys.I2RKey"/> when we initiated, else with
/// R2I. Messages to the peer carry <see cref="PeerSessionId"/>; the peer's carry <see cref="LocalSessionId"/>.
/// <see cref="PeerNodeId"/> is the peer's operational node id on a CASE session (its nonces use it), null for PASE.
/// </summary>
public sealed record SessionEstablished(
    ushort LocalSessionId,
    ushort PeerSessionId,
    bool IsInitiator,
    SessionKeys Keys,
    SecureSessionParameters PeerParameters,
    ulong? PeerNodeId = null) : SessionOutcome
{
    public byte[] EncryptKey => IsInitiator ? Keys.I2RKey : Keys.R2IKey;
    public byte[] DecryptKey => IsInitiator ? Keys.R2IKey : Keys.I2RKey;
}

public enum SessionFailureKind
{
    /// <summary>The key confirmation failed or the device said invalid parameter after our Pake3: wrong passcode.</summary>
    WrongPasscode,

    /// <summary>The peer ended the establishment with a StatusReport (busy, no shared root, ...).</summary>
    PeerRejected,

    /// <summary>The peer sent something malformed, out of range or out of order.</summary>
    InvalidMessage,

    /// <summary>A certificate or signature of the peer did not verify (CASE).</summary>
    AuthenticationFailed,
}

/// <summary>
/// Session establishment failed. <see cref="Reason"/> is for people (job output, logs): it never carries the
/// passcode, keys or peer bytes. <see cref="PeerStatus"/> is the peer's StatusReport when it sent one.
/// </summary>
public sealed record SessionFailed(SessionFailureKind Kind, string Reason, StatusReport? PeerStatus = null) : SessionOutcome
{
    public override string ToString() => $"SessionFailed({Kind}: {Reason})";
}
