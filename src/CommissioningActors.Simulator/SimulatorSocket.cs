using System.Net.WebSockets;
using System.Text;
using CommissioningActors.Protocol.BleProxy;

namespace CommissioningActors.Simulator;

/// <summary>ConnectAsync failed before the proxy was up: refused version, closed socket or no hello_response.</summary>
public sealed class SimulatorHandshakeException(string message, string? errorCode = null, Exception? inner = null)
    : Exception(message, inner)
{
    /// <summary>The server's error code (e.g. unsupported_version), when it sent one.</summary>
    public string? ErrorCode { get; } = errorCode;
}

/// <summary>
/// The simulated proxy's socket: the hello handshake, the receive loop, and serialized sends. Life is cancelled
/// when the loop ends, which ends every scan and command still running.
/// </summary>
internal sealed class SimulatorSocket
{
    public static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);

    private readonly ClientWebSocket _socket;
    private readonly Action<string> _log;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly CancellationTokenSource _life = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private SimulatorSocket(ClientWebSocket socket, Action<string> log)
    {
        _socket = socket;
        _log = log;
    }

    /// <summary>Cancelled when the socket ends (or the proxy is disposed).</summary>
    public CancellationToken Life => _life.Token;

    public bool IsEnding => _life.IsCancellationRequested;

    /// <summary>Completes when the receive loop has ended.</summary>
    public Task Completion => _completion.Task;

    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;

    /// <summary>Dials, sends hello and waits for a successful hello_response.</summary>
    public static async Task<SimulatorSocket> ConnectAsync(Uri bleUrl, SimulatorOptions options, Action<string> log, CancellationToken ct)
    {
        var socket = new ClientWebSocket();
        try
        {
            if (!string.IsNullOrEmpty(options.Token))
            {
                socket.Options.SetRequestHeader("Authorization", $"Bearer {options.Token}");
            }

            await socket.ConnectAsync(bleUrl, ct).ConfigureAwait(false);
            var hello = Encoding.UTF8.GetBytes(BleProxyCodec.Serialize(new Hello(BleProxyCodec.ProtocolVersion, options.AnnouncedConnectionSlots)));
            await socket.SendAsync(hello, WebSocketMessageType.Text, true, ct).ConfigureAwait(false);

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(options.HandshakeTimeout);
            await AwaitHelloResponseAsync(socket, bleUrl, timeout.Token, ct).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new SimulatorSocket(socket, log);
    }

    private static async Task AwaitHelloResponseAsync(ClientWebSocket socket, Uri bleUrl, CancellationToken timeout, CancellationToken caller)
    {
        (WebSocketMessageType Type, byte[] Data) frame;
        try
        {
            frame = await ReceiveMessageAsync(socket, new byte[4096], timeout).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!caller.IsCancellationRequested)
        {
            throw new SimulatorHandshakeException($"No hello_response from {bleUrl} in time.");
        }
        catch (WebSocketException ex)
        {
            throw new SimulatorHandshakeException($"Socket to {bleUrl} failed during the handshake: {ex.Message}", inner: ex);
        }

        if (frame.Type == WebSocketMessageType.Close)
        {
            throw new SimulatorHandshakeException(
                $"{bleUrl} closed the socket during the handshake ({socket.CloseStatus} {socket.CloseStatusDescription}).");
        }

        if (frame.Type != WebSocketMessageType.Text)
        {
            throw new SimulatorHandshakeException($"{bleUrl} sent a binary frame instead of hello_response.");
        }

        var parsed = BleProxyCodec.ParseServerMessage(frame.Data);
        if (parsed.Value is not HelloResponse response)
        {
            throw new SimulatorHandshakeException(
                $"{bleUrl} answered hello with something other than hello_response: {parsed.Error?.ToString() ?? parsed.Value?.GetType().Name}");
        }

        if (response.Error is not null)
        {
            await TryCloseAsync(socket).ConfigureAwait(false);
            throw new SimulatorHandshakeException(
                $"{bleUrl} refused the handshake: {response.Error}: {response.Message}", response.Error);
        }
    }

    /// <summary>Reads one whole message; Close frames come back with empty data.</summary>
    private static async Task<(WebSocketMessageType Type, byte[] Data)> ReceiveMessageAsync(
        WebSocket socket, byte[] buffer, CancellationToken ct)
    {
        using var message = new MemoryStream();
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer.AsMemory(), ct).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return (WebSocketMessageType.Close, []);
            }

            message.Write(buffer, 0, result.Count);
            if (message.Length > BleProxyCodec.DefaultMaxFrameBytes)
            {
                throw new WebSocketException(WebSocketError.Faulted, "Frame larger than the protocol allows.");
            }

            if (result.EndOfMessage)
            {
                return (result.MessageType, message.ToArray());
            }
        }
    }

    private static async Task TryCloseAsync(WebSocket socket)
    {
        try
        {
            using var cts = new CancellationTokenSource(CloseTimeout);
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "handshake refused", cts.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Best effort: the socket is being thrown away.
        }
    }

    /// <summary>Runs until the socket closes; text frames are handed over on the loop, binary ones awaited.</summary>
    public async Task ReceiveLoopAsync(Action<byte[]> onText, Func<byte[], Task> onBinary, Action onEnded)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var (type, data) = await ReceiveMessageAsync(_socket, buffer, _life.Token).ConfigureAwait(false);
                if (type == WebSocketMessageType.Close)
                {
                    _log($"server closed the socket ({_socket.CloseStatus} {_socket.CloseStatusDescription})");
                    await CloseOutputQuietlyAsync(WebSocketState.CloseReceived, "bye").ConfigureAwait(false);
                    break;
                }

                if (type == WebSocketMessageType.Text)
                {
                    onText(data);
                }
                else
                {
                    await onBinary(data).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            if (!_life.IsCancellationRequested)
            {
                _log($"socket ended: {ex.Message}");
            }
        }
        finally
        {
            onEnded();
            await _life.CancelAsync().ConfigureAwait(false);
            _completion.TrySetResult();
        }
    }

    /// <summary>Best-effort close from the given state; the peer may be gone already.</summary>
    public async Task CloseOutputQuietlyAsync(WebSocketState from, string reason)
    {
        await _sendLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_socket.State == from)
            {
                using var cts = new CancellationTokenSource(CloseTimeout);
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, reason, cts.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Drops the connection without a close handshake (a proxy losing power).</summary>
    public void Abort() => _socket.Abort();

    public Task<bool> SendAsync(ClientMessage message) =>
        SendRawAsync(Encoding.UTF8.GetBytes(BleProxyCodec.Serialize(message)), WebSocketMessageType.Text);

    public async Task SendAsync(BinaryFrame frame) =>
        await SendRawAsync(BleProxyCodec.Serialize(frame), WebSocketMessageType.Binary).ConfigureAwait(false);

    /// <summary>False when the socket is gone; callers treat that as "nobody to tell".</summary>
    private async Task<bool> SendRawAsync(byte[] bytes, WebSocketMessageType type)
    {
        try
        {
            await _sendLock.WaitAsync(_life.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }

        try
        {
            if (_socket.State != WebSocketState.Open)
            {
                return false;
            }

            await _socket.SendAsync(bytes, type, true, _life.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            return false;
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Closes (waiting a moment for the server's answer), then stops reading regardless.</summary>
    public async Task StopAsync()
    {
        await CloseOutputQuietlyAsync(WebSocketState.Open, "simulator stopping").ConfigureAwait(false);
        await Task.WhenAny(_completion.Task, Task.Delay(CloseTimeout)).ConfigureAwait(false);
        await _life.CancelAsync().ConfigureAwait(false);
        await _completion.Task.ConfigureAwait(false);
        // _life and _sendLock stay undisposed: late command tasks may still touch them harmlessly.
        _socket.Dispose();
    }
}
