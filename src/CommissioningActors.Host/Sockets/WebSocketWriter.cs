using System.Net.WebSockets;
using System.Text;
using CommissioningActors.Core.Sockets;

namespace CommissioningActors.Host.Sockets;

/// <summary>
/// The only code that writes to a WebSocket: one send at a time (as WebSocket requires), so every stream
/// into the socket is backpressured by real sends. A close after a last frame never waits on a stalled peer
/// for longer than the grace period: then the socket is aborted.
/// </summary>
public sealed class WebSocketWriter(WebSocket socket, TimeSpan closeGrace) : ISocketWriter
{
    private readonly SemaphoreSlim _sending = new(1, 1);

    public async Task SendTextAsync(string text)
    {
        await _sending.WaitAsync();
        try
        {
            if (socket.State == WebSocketState.Open)
            {
                await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);
            }
        }
        finally
        {
            _sending.Release();
        }
    }

    public async Task SendTextsAsync(IReadOnlyList<string> texts)
    {
        await _sending.WaitAsync();
        try
        {
            foreach (var text in texts)
            {
                if (socket.State != WebSocketState.Open)
                {
                    return;
                }

                await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);
            }
        }
        finally
        {
            _sending.Release();
        }
    }

    public async Task SendBinaryAsync(byte[] data)
    {
        await _sending.WaitAsync();
        try
        {
            if (socket.State == WebSocketState.Open)
            {
                await socket.SendAsync(data, WebSocketMessageType.Binary, true, CancellationToken.None);
            }
        }
        finally
        {
            _sending.Release();
        }
    }

    public async Task CloseAsync(int status, string reason)
    {
        if (!await _sending.WaitAsync(closeGrace))
        {
            // A send is stuck on a peer that does not read: it will not take a close frame either.
            socket.Abort();
            return;
        }

        try
        {
            await CloseOutputAsync(status, reason, closeGrace);
        }
        finally
        {
            _sending.Release();
        }
    }

    public async Task SendThenCloseAsync(string lastFrame, int status, string reason)
    {
        // Half the close grace for the last frame: a stalled peer is dropped well within the grace period.
        using var grace = new CancellationTokenSource(closeGrace / 2);
        try
        {
            await _sending.WaitAsync(grace.Token);
        }
        catch (OperationCanceledException)
        {
            // A send is stuck on a peer that does not read: the frame cannot get through, drop the peer.
            socket.Abort();
            return;
        }

        try
        {
            if (socket.State == WebSocketState.Open)
            {
                await socket.SendAsync(Encoding.UTF8.GetBytes(lastFrame), WebSocketMessageType.Text, true, grace.Token);
            }

            // A client this far behind is not going to answer the close promptly either.
            await CloseOutputAsync(status, reason, closeGrace / 2);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            socket.Abort();
        }
        finally
        {
            _sending.Release();
        }
    }

    private async Task CloseOutputAsync(int status, string reason, TimeSpan abortAfter)
    {
        if (socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
        {
            return;
        }

        // Armed before the close is sent: neither a close frame that cannot be written nor a peer that never
        // answers it may keep the socket (and its receive loop) alive.
        _ = Task.Delay(abortAfter).ContinueWith(_ =>
        {
            if (socket.State != WebSocketState.Closed)
            {
                socket.Abort();
            }
        }, TaskScheduler.Default);
        await socket.CloseOutputAsync((WebSocketCloseStatus)status, reason, CancellationToken.None);
    }
}
