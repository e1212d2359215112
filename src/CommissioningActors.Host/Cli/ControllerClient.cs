using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using CommissioningActors.Protocol.Controller;

namespace CommissioningActors.Host.Cli;

/// <summary>The server answered a command with {"error_code","details"}.</summary>
public sealed class ControllerErrorException(string errorCode, string details)
    : Exception($"{errorCode}: {details}")
{
    public string ErrorCode { get; } = errorCode;
    public string Details { get; } = details;
}

/// <summary>The server could not be reached, refused us, or went away mid-conversation.</summary>
public sealed class ControllerUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// A small /ws client: one background reader puts every frame on a channel, so callers can wait for a reply or a
/// stream's next frame with a timeout without cancelling the socket's own receive (which would abort it).
/// </summary>
public sealed class ControllerClient : IAsyncDisposable
{
    private readonly ClientWebSocket _socket;
    private readonly Channel<JsonObject> _frames = Channel.CreateUnbounded<JsonObject>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private Task _reader = Task.CompletedTask;
    private long _nextId;

    private ControllerClient(ClientWebSocket socket) => _socket = socket;

    /// <summary>The server_info event the server sends first on connect.</summary>
    public JsonObject ServerInfo { get; private set; } = [];

    public static async Task<ControllerClient> ConnectAsync(Uri url, string? token, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        if (!string.IsNullOrEmpty(token))
        {
            socket.Options.SetRequestHeader("Authorization", $"Bearer {token}");
        }

        using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        connectTimeout.CancelAfter(timeout);
        try
        {
            await socket.ConnectAsync(url, connectTimeout.Token);
        }
        catch (Exception e) when (e is WebSocketException or HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            var status = socket.HttpStatusCode;
            socket.Dispose();
            throw status switch
            {
                HttpStatusCode.Unauthorized => new ControllerUnavailableException(
                    $"{url} refused the connection (401): pass the server's token with --token or COMMISSIONING_TOKEN", e),
                HttpStatusCode.NotFound => new ControllerUnavailableException($"{url} has no controller endpoint (404): check the /ws path", e),
                0 when e is OperationCanceledException => new ControllerUnavailableException($"cannot reach {url}: no answer within {timeout.TotalSeconds:0} s", e),
                0 => new ControllerUnavailableException($"cannot reach {url}: {Innermost(e).Message} (is the service running?)", e),
                _ => new ControllerUnavailableException($"{url} refused the connection ({(int)status} {status})", e),
            };
        }

        var client = new ControllerClient(socket);
        client._reader = client.ReadLoopAsync();
        try
        {
            if (await client.NextFrameAsync(timeout, cancellationToken) is { } first && (string?)first["event"] == "server_info")
            {
                client.ServerInfo = first["data"] as JsonObject ?? [];
                return client;
            }
        }
        catch (Exception e) when (e is TimeoutException or ControllerUnavailableException)
        {
            // Falls through to the message below: whatever answered is not a controller endpoint we can use.
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }

        await client.DisposeAsync();
        throw new ControllerUnavailableException($"{url} did not start with server_info; is it the controller endpoint?");
    }

    /// <summary>Sends a command and returns its message_id (streams' frames carry it).</summary>
    public async Task<string> SendAsync(string command, JsonObject? args, CancellationToken cancellationToken)
    {
        var messageId = $"cli-{Interlocked.Increment(ref _nextId).ToString(CultureInfo.InvariantCulture)}";
        var frame = ControllerCodec.Command(messageId, command, args);
        try
        {
            await _socket.SendAsync(Encoding.UTF8.GetBytes(frame), WebSocketMessageType.Text, true, cancellationToken);
        }
        catch (WebSocketException e)
        {
            throw new ControllerUnavailableException($"connection lost: {e.Message}", e);
        }

        return messageId;
    }

    /// <summary>Sends a command and waits for its result; a server error becomes a <see cref="ControllerErrorException"/>.</summary>
    public async Task<JsonNode?> RequestAsync(string command, JsonObject? args, CancellationToken cancellationToken)
    {
        var messageId = await SendAsync(command, args, cancellationToken);
        while (true)
        {
            var frame = await NextFrameAsync(Timeout.InfiniteTimeSpan, cancellationToken)
                ?? throw new ControllerUnavailableException("the server closed the connection before answering");
            if ((string?)frame["message_id"] != messageId || frame.ContainsKey("event"))
            {
                continue;
            }

            ThrowIfError(frame);
            return frame["result"];
        }
    }

    /// <summary>
    /// The next frame of any kind, null when the socket closed; throws <see cref="TimeoutException"/> when none
    /// arrives within <paramref name="within"/>, leaving the connection usable.
    /// </summary>
    public async Task<JsonObject?> NextFrameAsync(TimeSpan within, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (within != Timeout.InfiniteTimeSpan)
        {
            timeout.CancelAfter(within);
        }

        try
        {
            return await _frames.Reader.WaitToReadAsync(timeout.Token) && _frames.Reader.TryRead(out var frame) ? frame : null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException();
        }
        catch (ChannelClosedException e) when (e.InnerException is not null)
        {
            throw new ControllerUnavailableException($"connection lost: {e.InnerException.Message}", e.InnerException);
        }
        catch (WebSocketException e)
        {
            throw new ControllerUnavailableException($"connection lost: {e.Message}", e);
        }
    }

    public static void ThrowIfError(JsonObject frame)
    {
        if (frame["error_code"] is { } code)
        {
            throw new ControllerErrorException((string?)code ?? "unknown_error", (string?)frame["details"] ?? "");
        }
    }

    private async Task ReadLoopAsync()
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        try
        {
            while (true)
            {
                var result = await _socket.ReceiveAsync(buffer, _stop.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    _frames.Writer.TryComplete();
                    return;
                }

                message.Write(buffer, 0, result.Count);
                if (!result.EndOfMessage)
                {
                    continue;
                }

                var text = Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length);
                message.SetLength(0);
                try
                {
                    if (JsonNode.Parse(text) is JsonObject frame)
                    {
                        _frames.Writer.TryWrite(frame);
                    }
                }
                catch (JsonException)
                {
                    // Not ours to judge: skip a frame we cannot read rather than drop the session.
                }
            }
        }
        catch (OperationCanceledException)
        {
            _frames.Writer.TryComplete();
        }
        catch (WebSocketException e)
        {
            _frames.Writer.TryComplete(e);
        }
    }

    private static Exception Innermost(Exception e) => e.InnerException is null ? e : Innermost(e.InnerException);

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "cli done", timeout.Token);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException)
            {
            }
        }

        await _stop.CancelAsync();
        await _reader;
        _socket.Dispose();
        _stop.Dispose();
    }
}
