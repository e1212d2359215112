using System.Net;
using System.Net.Sockets;

namespace CommissioningActors.Simulator.Matter;

/// <summary>
/// Serves a <see cref="SimulatedMatterDevice"/> on UDP, bound to loopback only: each peer address is one link
/// (MRP on). A timer ticks the device for retransmissions and the fail-safe. Dispose stops both loops.
/// </summary>
public sealed class UdpMatterDeviceHost : IAsyncDisposable
{
    public const int MaxDatagram = 1280;
    public const int MaxPeers = 64;
    public static readonly TimeSpan TickInterval = TimeSpan.FromMilliseconds(20);

    private readonly Socket _socket;
    private readonly SimulatedMatterDevice _device;
    private readonly Dictionary<IPEndPoint, UdpPeerLink> _peers = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _receive;
    private readonly Task _ticks;

    private UdpMatterDeviceHost(Socket socket, SimulatedMatterDevice device)
    {
        _socket = socket;
        _device = device;
        EndPoint = (IPEndPoint)socket.LocalEndPoint!;
        _receive = Task.Run(ReceiveLoop);
        _ticks = Task.Run(TickLoop);
    }

    public IPEndPoint EndPoint { get; }

    public SimulatedMatterDevice Device => _device;

    /// <summary>Binds 127.0.0.1:<paramref name="port"/> (0 = any free port) and starts serving.</summary>
    public static UdpMatterDeviceHost Start(SimulatedMatterDevice device, int port = 0)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new UdpMatterDeviceHost(socket, device);
    }

    private async Task ReceiveLoop()
    {
        var buffer = new byte[MaxDatagram];
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, any, _stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }

            var from = (IPEndPoint)received.RemoteEndPoint;
            try
            {
                _device.Receive(LinkFor(from), buffer.AsMemory(0, received.ReceivedBytes).ToArray());
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // One bad datagram must not stop the device serving everyone else.
                _device.Options.Log?.Invoke($"dropped a datagram from {from}: {e.GetType().Name}");
            }
        }
    }

    private UdpPeerLink LinkFor(IPEndPoint from)
    {
        if (_peers.TryGetValue(from, out var link))
        {
            return link;
        }

        if (_peers.Count >= MaxPeers)
        {
            var oldest = _peers.Keys.First();
            _device.Forget(_peers[oldest]);
            _peers.Remove(oldest);
        }

        link = new UdpPeerLink(_socket, from);
        _peers[from] = link;
        return link;
    }

    private async Task TickLoop()
    {
        using var timer = new PeriodicTimer(TickInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                try
                {
                    _device.Tick();
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    _device.Options.Log?.Invoke($"device tick failed: {e.GetType().Name}");
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _socket.Dispose();
        await Task.WhenAll(_receive, _ticks).ConfigureAwait(false);
        _stop.Dispose();
    }

    private sealed class UdpPeerLink(Socket socket, IPEndPoint peer) : IMatterDeviceTransport
    {
        public bool IsReliable => false;

        public void Send(ReadOnlyMemory<byte> message)
        {
            try
            {
                socket.SendTo(message.Span, SocketFlags.None, peer);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // The peer is gone or we are stopping: MRP retransmits or gives up.
            }
        }

        public override string ToString() => $"udp {peer}";
    }
}
