using System.Net;
using Akka.Actor;

namespace CommissioningActors.Core.Matter.Transport;

/// <summary>Route datagrams from <paramref name="Peer"/> carrying <paramref name="SessionId"/> to <paramref name="Session"/> (watched).</summary>
public sealed record RegisterSession(IPEndPoint Peer, ushort SessionId, IActorRef Session);

public sealed record UnregisterSession(IPEndPoint Peer, ushort SessionId, IActorRef Session);

/// <summary>Send one datagram to <paramref name="Peer"/> from the transport's socket.</summary>
public sealed record SendDatagram(IPEndPoint Peer, byte[] Bytes);

/// <summary>Asks for the transport's local endpoint and counters; answered with <see cref="UdpTransportStatus"/>.</summary>
public sealed record GetUdpTransportStatus
{
    public static readonly GetUdpTransportStatus Instance = new();
}

public sealed record UdpTransportStatus(IPEndPoint LocalEndPoint, int Sessions, long Routed, long DroppedUnknown, long DroppedMalformed);

/// <summary>
/// A session's <see cref="IMatterChannel"/> onto the shared UDP transport: one peer endpoint.
/// </summary>
public sealed class UdpMatterChannel(IActorRef transport, IPEndPoint peer) : IMatterChannel
{
    public bool IsReliable => false;

    public string PeerDescription => $"udp {peer}";

    public IPEndPoint Peer => peer;

    /// <summary>A channel to another endpoint on the same transport (the node's operational address).</summary>
    public UdpMatterChannel WithPeer(IPEndPoint other) => new(transport, other);

    public void Send(byte[] message) => transport.Tell(new SendDatagram(peer, message));

    public void Bind(ushort localSessionId, IActorRef session) => transport.Tell(new RegisterSession(peer, localSessionId, session));

    public void Unbind(ushort localSessionId, IActorRef session) => transport.Tell(new UnregisterSession(peer, localSessionId, session));
}
