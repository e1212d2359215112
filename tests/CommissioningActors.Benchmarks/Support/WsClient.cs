using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using CommissioningActors.Protocol.Controller;

namespace CommissioningActors.Benchmarks.Support;

/// <summary>A minimal /ws client: one sender at a time, whole text frames in.</summary>
public sealed class WsClient : IAsyncDisposable
{
    private readonly SemaphoreSlim _send = new(1, 1);
    private readonly byte[] _buffer = new byte[64 * 1024];

    private WsClient(ClientWebSocket socket) => Socket = socket;

    public ClientWebSocket Socket { get; }

    public static async Task<WsClient> ConnectAsync(Uri url, CancellationToken ct = default)
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(url, ct);
        return new WsClient(socket);
    }

    public async Task SendAsync(string messageId, string command, JsonObject? args = null)
    {
        var bytes = Encoding.UTF8.GetBytes(ControllerCodec.Command(messageId, command, args));
        await _send.WaitAsync();
        try
        {
            await Socket.SendAsync(bytes, WebSocketMessageType.Text, true, CancellationToken.None);
        }
        finally
        {
            _send.Release();
        }
    }

    /// <summary>The next whole text frame as UTF-8 bytes (a reused buffer: valid until the next call), or null on close.</summary>
    public async Task<ArraySegment<byte>?> ReceiveRawAsync(CancellationToken ct = default)
    {
        var filled = 0;
        var buffer = _buffer;
        while (true)
        {
            if (filled == buffer.Length)
            {
                Array.Resize(ref buffer, buffer.Length * 2);
            }

            var result = await Socket.ReceiveAsync(buffer.AsMemory(filled), ct);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            filled += result.Count;
            if (result.EndOfMessage)
            {
                return new ArraySegment<byte>(buffer, 0, filled);
            }
        }
    }

    public async Task<JsonObject?> ReceiveJsonAsync(CancellationToken ct = default) =>
        await ReceiveRawAsync(ct) is { } raw ? JsonNode.Parse(raw.AsSpan())!.AsObject() : null;

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (Socket.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "benchmark done", timeout.Token);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
        }

        Socket.Dispose();
        _send.Dispose();
    }
}
