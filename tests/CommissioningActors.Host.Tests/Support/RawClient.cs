using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;

namespace CommissioningActors.Host.Tests.Support;

/// <summary>A bare WebSocket client for tests that need to misbehave or read frames one by one.</summary>
public sealed class RawClient : IAsyncDisposable
{
    private RawClient(ClientWebSocket socket) => Socket = socket;

    public ClientWebSocket Socket { get; }

    /// <param name="invoker">How to open the connection (e.g. a socket inside a network namespace); null: the default.</param>
    public static async Task<RawClient> ConnectAsync(Uri url, string? bearer = null, HttpMessageInvoker? invoker = null)
    {
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        if (bearer is not null)
        {
            socket.Options.SetRequestHeader("Authorization", $"Bearer {bearer}");
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await socket.ConnectAsync(url, invoker, timeout.Token);
        return new RawClient(socket);
    }

    public Task SendTextAsync(string text) =>
        Socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

    /// <summary>The next text frame, or null when the server closed the socket.</summary>
    public async Task<string?> ReceiveTextAsync(TimeSpan? within = null)
    {
        using var timeout = new CancellationTokenSource(within ?? TimeSpan.FromSeconds(10));
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            var result = await Socket.ReceiveAsync(buffer, timeout.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return Encoding.UTF8.GetString(message.ToArray());
            }
        }
    }

    public async Task<JsonObject> ReceiveJsonAsync(TimeSpan? within = null)
    {
        var text = await ReceiveTextAsync(within) ?? throw new InvalidOperationException("socket closed");
        return JsonNode.Parse(text)!.AsObject();
    }

    /// <summary>Reads until the close frame arrives; returns its status.</summary>
    public async Task<WebSocketCloseStatus?> ReceiveCloseAsync(TimeSpan? within = null)
    {
        while (await ReceiveTextAsync(within) is not null)
        {
        }

        return Socket.CloseStatus;
    }

    public async ValueTask DisposeAsync()
    {
        if (Socket.State == WebSocketState.Open)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "test done", timeout.Token);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException)
            {
            }
        }

        Socket.Dispose();
    }
}
