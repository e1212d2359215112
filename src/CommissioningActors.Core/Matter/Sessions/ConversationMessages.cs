using CommissioningActors.Protocol.Matter.Messages;

namespace CommissioningActors.Core.Matter.Sessions;

/// <summary>Bounds one conversation puts on the peer: more messages or bytes fail it with <see cref="RequestFailureKind.LimitExceeded"/>.</summary>
public sealed record ConversationLimits(int MaxMessages = 64, int MaxBytes = 1 << 20)
{
    public static readonly ConversationLimits Default = new();
}

/// <summary>
/// Opens an exchange for an interaction of several messages (a chunked read, a timed invoke): the session
/// sends the first message and hands every message the device sends on that exchange to the sender as a
/// <see cref="ConversationMessage"/>; the sender answers each with <see cref="ContinueConversation"/> or
/// <see cref="EndConversation"/>. Failures arrive as <see cref="RequestFailed"/> with <paramref name="RequestId"/>.
/// <paramref name="Timeout"/> bounds each wait for the device (and for the sender's next step).
/// </summary>
public sealed record StartConversation(long RequestId, MatterProtocolId Protocol, byte Opcode, byte[] Payload, TimeSpan? Timeout = null, ConversationLimits? Limits = null);

/// <summary>One message the device sent on the conversation's exchange.</summary>
public sealed record ConversationMessage(long RequestId, MatterProtocolId Protocol, byte Opcode, ReadOnlyMemory<byte> Payload);

/// <summary>Sends the next message on the conversation's exchange and waits for the device's next one.</summary>
public sealed record ContinueConversation(long RequestId, byte Opcode, byte[] Payload);

/// <summary>Ends the conversation, sending <paramref name="Opcode"/>/<paramref name="Payload"/> first when given (the last chunk's StatusResponse). No reply.</summary>
public sealed record EndConversation(long RequestId, byte? Opcode = null, byte[]? Payload = null);
