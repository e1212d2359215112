using System.Net;
using System.Net.Sockets;

namespace CommissioningActors.Host.Tests.Interop;

/// <summary>
/// A TCP port on this process's 127.0.0.1 that leads to 127.0.0.1:<c>targetPort</c> inside a
/// <see cref="NetworkNamespace"/>: how a test outside the namespace talks to a service that runs in it. Each accepted
/// connection gets a socket opened inside the namespace (<see cref="NamespaceThread"/>) and bytes are copied both ways
/// until either side closes.
/// </summary>
public sealed class NamespacePortForward : IAsyncDisposable
{
    private readonly NetworkNamespace _network;
    private readonly int _targetPort;
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _pipes = [];
    private readonly Task _accepting;

    public NamespacePortForward(NetworkNamespace network, int targetPort)
    {
        _network = network;
        _targetPort = targetPort;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    /// <summary>The local port (on 127.0.0.1 outside the namespace).</summary>
    public int Port { get; }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket outside;
            try
            {
                outside = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            lock (_pipes)
            {
                _pipes.RemoveAll(t => t.IsCompleted);
                _pipes.Add(PipeAsync(outside));
            }
        }
    }

    private async Task PipeAsync(Socket outside)
    {
        using var outsideSocket = outside;
        using var inside = await NamespaceThread.CreateInsideAsync(_network,
            () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
        try
        {
            await inside.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _targetPort), _stop.Token);
            await using var a = new NetworkStream(outsideSocket, ownsSocket: false);
            await using var b = new NetworkStream(inside, ownsSocket: false);
            // Either direction ending ends the pair: the other side sees the close.
            await Task.WhenAny(CopyAsync(a, b, inside), CopyAsync(b, a, outsideSocket));
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or IOException)
        {
            // The service or the client went away: the pair closes with the sockets.
        }
    }

    private async Task CopyAsync(Stream from, Stream to, Socket toSocket)
    {
        try
        {
            await from.CopyToAsync(to, _stop.Token);
            toSocket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
        {
            // Closed under us.
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _accepting;
        Task[] pipes;
        lock (_pipes)
        {
            pipes = [.. _pipes];
        }

        await Task.WhenAll(pipes).WaitAsync(TimeSpan.FromSeconds(10));
        _stop.Dispose();
    }
}
