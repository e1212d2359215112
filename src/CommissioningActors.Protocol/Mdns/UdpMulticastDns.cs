using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace CommissioningActors.Protocol.Mdns;

/// <summary>
/// mDNS sockets: one per address family, bound to port 5353 (shared with other responders on the host), joined
/// to 224.0.0.251 / ff02::fb on each selected interface. Queries go out from port 5353 on each interface in
/// turn, so responders answer by multicast (RFC 6762 §6.7) and never by unicast to an ephemeral port.
/// </summary>
public sealed class UdpMulticastDns : IMulticastDns
{
    public const int Port = 5353;
    private static readonly IPAddress Group4 = IPAddress.Parse("224.0.0.251");
    private static readonly IPAddress Group6 = IPAddress.Parse("ff02::fb");

    private readonly List<Channel> _channels = [];
    private readonly CancellationTokenSource _stop = new();
    private int _failed;

    private sealed record Channel(Socket Socket, IReadOnlyList<int> Interfaces, AddressFamily Family);

    public UdpMulticastDns(MulticastDnsSettings settings)
    {
        var nics = NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.SupportsMulticast && n.OperationalStatus == OperationalStatus.Up)
            .Where(n => settings.Interfaces.Count == 0 || settings.Interfaces.Contains(n.Name, StringComparer.Ordinal))
            .ToList();
        var names = new List<string>();
        try
        {
            if (settings.Ipv4 && Indexes(nics, AddressFamily.InterNetwork) is { Count: > 0 } v4)
            {
                _channels.Add(Open(AddressFamily.InterNetwork, v4));
                names.Add("IPv4");
            }

            if (settings.Ipv6 && Socket.OSSupportsIPv6 && Indexes(nics, AddressFamily.InterNetworkV6) is { Count: > 0 } v6)
            {
                _channels.Add(Open(AddressFamily.InterNetworkV6, v6));
                names.Add("IPv6");
            }
        }
        catch (SocketException e)
        {
            Dispose();
            throw new MulticastDnsUnavailableException($"cannot open the mDNS sockets: {e.SocketErrorCode}", e);
        }

        if (_channels.Count == 0)
        {
            var wanted = settings.Interfaces.Count == 0 ? "any interface" : string.Join(", ", settings.Interfaces);
            throw new MulticastDnsUnavailableException($"no up, multicast-capable interface with an address among {wanted}");
        }

        Description = $"{string.Join(", ", nics.Select(n => n.Name))} ({string.Join(", ", names)})";
    }

    public string Description { get; }

    public void Start(Action<MulticastDatagram> received, Action<Exception> failed)
    {
        foreach (var channel in _channels)
        {
            _ = Task.Run(() => ReceiveAsync(channel.Socket, received, failed));
        }
    }

    public IReadOnlyList<string> Send(byte[] packet)
    {
        var errors = new List<string>();
        foreach (var channel in _channels)
        {
            foreach (var index in channel.Interfaces)
            {
                try
                {
                    EndPoint to;
                    if (channel.Family == AddressFamily.InterNetwork)
                    {
                        channel.Socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface, IPAddress.HostToNetworkOrder(index));
                        to = new IPEndPoint(Group4, Port);
                    }
                    else
                    {
                        channel.Socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.MulticastInterface, index);
                        to = new IPEndPoint(new IPAddress(Group6.GetAddressBytes(), index), Port);
                    }

                    channel.Socket.SendTo(packet, to);
                }
                catch (SocketException e)
                {
                    errors.Add($"{channel.Family} interface {index}: {e.SocketErrorCode}");
                }
                catch (ObjectDisposedException)
                {
                    return errors;
                }
            }
        }

        return errors;
    }

    public void Dispose()
    {
        _stop.Cancel();
        foreach (var channel in _channels)
        {
            channel.Socket.Dispose();
        }
    }

    private static List<int> Indexes(IEnumerable<NetworkInterface> nics, AddressFamily family) =>
    [
        .. nics
            .Where(n => n.GetIPProperties().UnicastAddresses.Any(a => a.Address.AddressFamily == family))
            .Select(n => family == AddressFamily.InterNetwork
                ? n.GetIPProperties().GetIPv4Properties().Index
                : n.GetIPProperties().GetIPv6Properties().Index),
    ];

    private static Channel Open(AddressFamily family, IReadOnlyList<int> interfaces)
    {
        var socket = new Socket(family, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            if (family == AddressFamily.InterNetwork)
            {
                socket.Bind(new IPEndPoint(IPAddress.Any, Port));
                foreach (var index in interfaces)
                {
                    socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.AddMembership, new MulticastOption(Group4, index));
                }

                socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastTimeToLive, 255);
                socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastLoopback, true);
            }
            else
            {
                socket.DualMode = false;
                socket.Bind(new IPEndPoint(IPAddress.IPv6Any, Port));
                foreach (var index in interfaces)
                {
                    socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.AddMembership, new IPv6MulticastOption(Group6, index));
                }

                socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.MulticastTimeToLive, 255);
                socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.MulticastLoopback, true);
            }

            return new Channel(socket, interfaces, family);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private async Task ReceiveAsync(Socket socket, Action<MulticastDatagram> received, Action<Exception> failed)
    {
        // Larger than any legal mDNS message, so an oversized one arrives whole and is rejected by the codec.
        var buffer = new byte[65_536];
        EndPoint any = socket.AddressFamily == AddressFamily.InterNetwork ? new IPEndPoint(IPAddress.Any, 0) : new IPEndPoint(IPAddress.IPv6Any, 0);
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var result = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, _stop.Token);
                received(new MulticastDatagram(buffer.AsSpan(0, result.ReceivedBytes).ToArray(), (IPEndPoint)result.RemoteEndPoint));
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException || _stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                if (Interlocked.Exchange(ref _failed, 1) == 0)
                {
                    failed(e);
                }

                return;
            }
        }
    }
}
