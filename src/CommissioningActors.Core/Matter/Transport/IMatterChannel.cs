using Akka.Actor;

namespace CommissioningActors.Core.Matter.Transport;

/// <summary>
/// What a session actor needs from the link under it (UDP now, BTP later): send one Matter message,
/// and have the messages addressed to one of its session ids delivered to it as <see cref="InboundDatagram"/>.
/// </summary>
public interface IMatterChannel
{
    /// <summary>True for BTP/TCP: the link is reliable, so MRP stays off.</summary>
    bool IsReliable { get; }

    /// <summary>Where the peer is, for job output and errors (no secrets).</summary>
    string PeerDescription { get; }

    void Send(byte[] message);

    /// <summary>Routes the peer's messages carrying <paramref name="localSessionId"/> (0 = unsecured) to <paramref name="session"/>.</summary>
    void Bind(ushort localSessionId, IActorRef session);

    void Unbind(ushort localSessionId, IActorRef session);
}

/// <summary>One Matter message from the peer, delivered to the session actor bound to its session id.</summary>
public sealed record InboundDatagram(ReadOnlyMemory<byte> Bytes);

/// <summary>
/// Told by a channel whose link is gone (BTP closed, the BLE connection dropped or was released) to every
/// session still bound to it: nothing more arrives and nothing more can be sent.
/// </summary>
public sealed record MatterChannelClosed(string Reason) : Akka.Event.IDeadLetterSuppression;
