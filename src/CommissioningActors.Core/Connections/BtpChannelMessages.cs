using Akka.Actor;
using CommissioningActors.Core.Matter.Transport;

namespace CommissioningActors.Core.Connections;

// Received by BleConnectionActor once its BTP session is open: it is then the Matter channel to the device.

/// <summary>Send one whole Matter message over the BTP session (segmented, windowed, acknowledged by BTP).</summary>
public sealed record SendOverBtp(byte[] Message) : Akka.Event.IDeadLetterSuppression;

/// <summary>Deliver the device's messages carrying <paramref name="LocalSessionId"/> (0 = unsecured) to <paramref name="Session"/> (watched).</summary>
public sealed record BindBtpSession(ushort LocalSessionId, IActorRef Session) : Akka.Event.IDeadLetterSuppression;

public sealed record UnbindBtpSession(ushort LocalSessionId, IActorRef Session) : Akka.Event.IDeadLetterSuppression;

/// <summary>
/// A session's <see cref="IMatterChannel"/> onto one open BLE connection (its <see cref="BleConnectionActor"/>).
/// BTP is reliable and ordered, so MRP stays off.
/// </summary>
public sealed class BtpMatterChannel(IActorRef connection, string peerDescription) : IMatterChannel
{
    public bool IsReliable => true;

    public string PeerDescription => peerDescription;

    public IActorRef Connection => connection;

    public void Send(byte[] message) => connection.Tell(new SendOverBtp(message));

    public void Bind(ushort localSessionId, IActorRef session) => connection.Tell(new BindBtpSession(localSessionId, session));

    public void Unbind(ushort localSessionId, IActorRef session) => connection.Tell(new UnbindBtpSession(localSessionId, session));
}

/// <summary>Asks the connection for its channel counters (tests, diagnostics); answered with <see cref="BtpChannelStatus"/>.</summary>
public sealed record GetBtpChannelStatus
{
    public static readonly GetBtpChannelStatus Instance = new();
}

/// <summary>Messages sent and delivered over the channel, and the device's messages dropped (no bound session, malformed).</summary>
public sealed record BtpChannelStatus(bool Open, int BoundSessions, long Sent, long Delivered, long DroppedUnbound, long DroppedMalformed,
    int QueuedMessages);
