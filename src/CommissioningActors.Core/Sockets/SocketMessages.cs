namespace CommissioningActors.Core.Sockets;

// What a WebSocket pump tells the actor that owns the connection.
public sealed record SocketTextReceived(byte[] Utf8);

public sealed record SocketBinaryReceived(byte[] Data);

/// <summary>
/// Inbound flow control: the pump sends one every few frames and reads on only once the owner has handled it
/// (and so everything before it), so a peer cannot flood an actor's mailbox faster than it is processed.
/// </summary>
public sealed record SocketFlowCheck(TaskCompletionSource Processed);

/// <summary>The peer went away (close frame, abort, or the server closed it).</summary>
public sealed record SocketClosed(string Reason);

// What an actor tells the pump's outbound side. Sends are serialized there.
public abstract record SocketOutbound;

public sealed record SendText(string Text) : SocketOutbound;

public sealed record SendBinary(byte[] Data) : SocketOutbound;

/// <summary>Close with a WebSocket status code (1000 normal, 1002 protocol error, 1008 policy, 1009 too big).</summary>
/// <remarks>A socket the peer already closed has no stream left to hear it; that is normal, not a dead-letter log line.</remarks>
public sealed record CloseSocket(int Status, string Reason) : SocketOutbound, Akka.Event.IDeadLetterSuppression;
