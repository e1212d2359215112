using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;

namespace CommissioningActors.Benchmarks.Support;

/// <summary>
/// A raw /ble client that does the handshake and then floods <c>device_discovered</c>: random valid MACs, 60 KB
/// addresses and addresses with newlines (a forged log line). It answers scan commands and refuses the rest.
/// Reconnects when the host closes it, so the flood lasts the whole run.
/// </summary>
public sealed class HostileProxy
{
    private const int OversizedChars = 60 * 1024;
    private readonly Uri _url;
    private readonly int _framesPerSecond;
    private readonly Random _random = new(1234);
    private long _valid;
    private long _oversized;
    private long _forged;
    private long _bytes;
    private int _sessions;
    private int _closedByHost;

    public HostileProxy(Uri bleUrl, int framesPerSecond)
    {
        _url = bleUrl;
        _framesPerSecond = framesPerSecond;
    }

    public long ValidFrames => Interlocked.Read(ref _valid);
    public long OversizedFrames => Interlocked.Read(ref _oversized);
    public long ForgedFrames => Interlocked.Read(ref _forged);
    public long Frames => ValidFrames + OversizedFrames + ForgedFrames;
    public long Bytes => Interlocked.Read(ref _bytes);
    public int Sessions => Volatile.Read(ref _sessions);
    public int ClosedByHost => Volatile.Read(ref _closedByHost);

    public async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await SessionAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (WebSocketException)
            {
                Interlocked.Increment(ref _closedByHost);
                await Task.Delay(100, CancellationToken.None);
            }
        }
    }

    private async Task SessionAsync(CancellationToken ct)
    {
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(_url, ct);
        Interlocked.Increment(ref _sessions);
        var send = new SemaphoreSlim(1, 1);
        await SendAsync(socket, send, """{"type":"hello","version":1}""", ct);
        using var session = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var reader = Task.Run(() => ReadAsync(socket, send, session.Token), CancellationToken.None);
        try
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            long sent = 0;
            while (!session.IsCancellationRequested && socket.State == WebSocketState.Open)
            {
                // Pace to the configured rate (0 = as fast as the socket takes them), in batches of 50.
                for (var i = 0; i < 50; i++, sent++)
                {
                    await SendAsync(socket, send, NextFrame(), session.Token);
                }

                if (_framesPerSecond > 0)
                {
                    var ahead = TimeSpan.FromSeconds((double)sent / _framesPerSecond) - watch.Elapsed;
                    if (ahead > TimeSpan.Zero)
                    {
                        await Task.Delay(ahead, session.Token);
                    }
                }
            }

            if (socket.State != WebSocketState.Open && !ct.IsCancellationRequested)
            {
                Interlocked.Increment(ref _closedByHost);
            }
        }
        finally
        {
            await session.CancelAsync();
            await reader.ContinueWith(_ => { }, TaskScheduler.Default);
            send.Dispose();
        }
    }

    private string NextFrame()
    {
        var roll = _random.Next(100);
        string address;
        if (roll < 80)
        {
            Interlocked.Increment(ref _valid);
            Span<byte> mac = stackalloc byte[6];
            _random.NextBytes(mac);
            address = Convert.ToHexString(mac).Chunk(2).Select(c => new string(c)).Aggregate((a, b) => a + ":" + b);
        }
        else if (roll < 90)
        {
            Interlocked.Increment(ref _oversized);
            address = new string((char)('A' + _random.Next(26)), OversizedChars);
        }
        else
        {
            Interlocked.Increment(ref _forged);
            address = $"AA:BB:CC:DD:EE:FF\n[21:00:00 ERR] forged line {_random.Next()}\r\n";
        }

        var frame = new JsonObject
        {
            ["event"] = "device_discovered",
            ["data"] = new JsonObject
            {
                ["address"] = address,
                ["connectable"] = true,
                ["name"] = "hostile",
                ["rssi"] = -40 - _random.Next(50),
            },
        };
        return frame.ToJsonString();
    }

    private async Task SendAsync(ClientWebSocket socket, SemaphoreSlim send, string text, CancellationToken ct)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        await send.WaitAsync(ct);
        try
        {
            await socket.SendAsync(bytes, WebSocketMessageType.Text, true, ct);
            Interlocked.Add(ref _bytes, bytes.Length);
        }
        finally
        {
            send.Release();
        }
    }

    /// <summary>Answers scan commands so the host treats the session as a working proxy; refuses the rest.</summary>
    private async Task ReadAsync(ClientWebSocket socket, SemaphoreSlim send, CancellationToken ct)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var filled = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (filled == buffer.Length)
                    {
                        Array.Resize(ref buffer, buffer.Length * 2);
                    }

                    result = await socket.ReceiveAsync(buffer.AsMemory(filled), ct);
                    filled += result.Count;
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                if (result.MessageType != WebSocketMessageType.Text
                    || JsonNode.Parse(buffer.AsSpan(0, filled)) is not JsonObject { } frame
                    || frame["id"] is not { } id)
                {
                    continue;
                }

                var answer = (string?)frame["command"] is "start_scan" or "stop_scan"
                    ? new JsonObject { ["id"] = id.GetValue<int>(), ["success"] = true, ["result"] = new JsonObject() }
                    : new JsonObject { ["id"] = id.GetValue<int>(), ["success"] = false, ["error"] = "internal_error", ["message"] = "hostile proxy" };
                await SendAsync(socket, send, answer.ToJsonString(), ct);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or System.Text.Json.JsonException)
        {
        }
    }
}
