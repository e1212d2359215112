using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Event;
using CommissioningActors.Protocol.Matter.Messages;

namespace CommissioningActors.Core.Matter.Transport;

public sealed record UdpTransportOptions
{
    /// <summary>Where to bind; loopback by default so nothing leaves the machine unless configured.</summary>
    public IPEndPoint Bind { get; init; } = new(IPAddress.Loopback, 0);

    /// <summary>Most routes (peer, session id) at once; registrations beyond are refused.</summary>
    public int MaxSessions { get; init; } = 1024;

    /// <summary>Unknown-session drops logged before going quiet (they are still counted).</summary>
    public int LoggedDrops { get; init; } = 10;

    /// <summary>Largest datagram accepted; Matter messages fit an IPv6 minimum MTU.</summary>
    public int MaxDatagram { get; init; } = 1280;
}

/// <summary>The session actor was refused a route (the transport is at its cap).</summary>
public sealed record SessionRegistrationRefused(ushort SessionId, string Reason);

/// <summary>
/// Owns one UDP socket shared by every Matter session. A single receive is outstanding at a time (piped to
/// itself), so memory stays bounded however fast peers send; each datagram's message header picks the
/// session actor by (peer endpoint, session id). Datagrams for no known session are dropped and counted.
/// Session actors are watched: a stopped session loses its routes.
/// </summary>
public sealed class UdpTransportActor : ReceiveActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly UdpTransportOptions _options;
    private readonly Dictionary<(IPEndPoint Peer, ushort SessionId), IActorRef> _routes = [];
    private readonly byte[] _buffer;
    private Socket? _socket;
    private long _routed;
    private long _droppedUnknown;
    private long _droppedMalformed;

    public UdpTransportActor(UdpTransportOptions options)
    {
        _options = options;
        _buffer = new byte[options.MaxDatagram];

        Receive<SocketReceiveFromResult>(OnReceived);
        Receive<Status.Failure>(OnReceiveFailed);
        Receive<SendDatagram>(OnSend);
        Receive<RegisterSession>(OnRegister);
        Receive<UnregisterSession>(m =>
        {
            if (_routes.TryGetValue((m.Peer, m.SessionId), out var current) && current.Equals(m.Session))
            {
                _routes.Remove((m.Peer, m.SessionId));
            }
        });
        Receive<Terminated>(t =>
        {
            foreach (var key in _routes.Where(r => r.Value.Equals(t.ActorRef)).Select(r => r.Key).ToList())
            {
                _routes.Remove(key);
            }
        });
        Receive<GetUdpTransportStatus>(_ => Sender.Tell(new UdpTransportStatus(
            (IPEndPoint)_socket!.LocalEndPoint!, _routes.Count, _routed, _droppedUnknown, _droppedMalformed)));
    }

    public static Props Props(UdpTransportOptions? options = null) =>
        Akka.Actor.Props.Create(() => new UdpTransportActor(options ?? new UdpTransportOptions()));

    protected override void PreStart()
    {
        _socket = new Socket(_options.Bind.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        _socket.Bind(_options.Bind);
        _log.Info("Matter UDP transport bound to {0}", _socket.LocalEndPoint);
        ReceiveNext();
    }

    protected override void PostStop() => _socket?.Dispose();

    private void ReceiveNext()
    {
        var any = new IPEndPoint(_options.Bind.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        _socket!.ReceiveFromAsync(_buffer, SocketFlags.None, any).PipeTo(Self);
    }

    private void OnReceived(SocketReceiveFromResult result)
    {
        var bytes = _buffer.AsSpan(0, result.ReceivedBytes).ToArray();
        ReceiveNext();
        var peer = (IPEndPoint)result.RemoteEndPoint;
        var packet = MessageCodec.DecodePacket(bytes);
        if (!packet.IsOk)
        {
            _droppedMalformed++;
            return;
        }

        if (!_routes.TryGetValue((peer, packet.Value!.Header.SessionId), out var session))
        {
            if (++_droppedUnknown <= _options.LoggedDrops)
            {
                _log.Debug("Dropped a datagram from {0} for unknown session {1}", peer, packet.Value.Header.SessionId);
            }

            return;
        }

        _routed++;
        session.Tell(new InboundDatagram(bytes));
    }

    private void OnReceiveFailed(Status.Failure failure)
    {
        if (failure.Cause is ObjectDisposedException)
        {
            return;
        }

        // A bad datagram or an ICMP error must not stop every session: log and keep receiving.
        _log.Warning("Matter UDP receive failed: {0}", failure.Cause.GetType().Name);
        ReceiveNext();
    }

    private void OnSend(SendDatagram send)
    {
        try
        {
            // UDP sends complete without waiting on the peer: the kernel buffers or drops them.
            _socket!.SendTo(send.Bytes, SocketFlags.None, send.Peer);
        }
        catch (SocketException e)
        {
            _log.Warning("Matter UDP send to {0} failed: {1}", send.Peer, e.SocketErrorCode);
        }
    }

    private void OnRegister(RegisterSession register)
    {
        var key = (register.Peer, register.SessionId);
        if (!_routes.ContainsKey(key) && _routes.Count >= _options.MaxSessions)
        {
            register.Session.Tell(new SessionRegistrationRefused(register.SessionId, $"the UDP transport already routes {_routes.Count} sessions"));
            return;
        }

        _routes[key] = register.Session;
        Context.Watch(register.Session);
    }
}
