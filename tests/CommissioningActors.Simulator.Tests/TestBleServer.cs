using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using CommissioningActors.Protocol.BleProxy;

namespace CommissioningActors.Simulator.Tests;

/// <summary>
/// A minimal server side of the BLE proxy protocol on 127.0.0.1 (raw TCP + WebSocket upgrade), enough to drive the simulator.
/// </summary>
internal sealed class TestBleServer : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Task<TestSession> _session;
    private readonly HelloResponse _helloResponse;

    public TestBleServer(HelloResponse? helloResponse = null)
    {
        _helloResponse = helloResponse ?? new HelloResponse(BleProxyCodec.ProtocolVersion);
        _listener.Start();
        Url = new Uri($"ws://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/ble");
        _session = AcceptOneAsync();
    }

    public Uri Url { get; }

    public string? AuthorizationHeader { get; private set; }

    public Task<TestSession> Session => _session.WaitAsync(Timeout);

    /// <summary>Starts a simulator against this server and waits until the server side has completed the handshake.</summary>
    public async Task<(SimulatedProxy Proxy, TestSession Session)> StartSimulatorAsync(SimulatorOptions options)
    {
        var proxy = await SimulatedProxy.ConnectAsync(Url, options).WaitAsync(Timeout);
        return (proxy, await Session);
    }

    private async Task<TestSession> AcceptOneAsync()
    {
        var client = await _listener.AcceptTcpClientAsync();
        var stream = client.GetStream();
        var headers = await ReadHeadersAsync(stream);
        var key = headers.GetValueOrDefault("sec-websocket-key") ?? throw new InvalidOperationException("not a WebSocket upgrade");
        AuthorizationHeader = headers.GetValueOrDefault("authorization");
        var accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
        var upgrade = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            $"Sec-WebSocket-Accept: {accept}\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(upgrade));

        var socket = WebSocket.CreateFromStream(stream, isServer: true, subProtocol: null, keepAliveInterval: TimeSpan.Zero);
        var first = await TestSession.ReceiveAsync(socket, CancellationToken.None);
        var hello = BleProxyCodec.ParseClientMessage(first.Data);
        if (hello.Value is not Hello)
        {
            throw new InvalidOperationException($"expected hello first, got {hello.Error?.ToString() ?? hello.Value?.ToString()}");
        }

        await socket.SendAsync(Encoding.UTF8.GetBytes(BleProxyCodec.Serialize(_helloResponse)), WebSocketMessageType.Text, true, default);
        if (_helloResponse.Error is not null)
        {
            await socket.CloseOutputAsync(WebSocketCloseStatus.PolicyViolation, "unsupported version", default);
        }

        return new TestSession(socket, client);
    }

    private static async Task<Dictionary<string, string>> ReadHeadersAsync(NetworkStream stream)
    {
        // Byte by byte so nothing past the blank line is consumed before the WebSocket takes over.
        var text = new StringBuilder();
        var one = new byte[1];
        while (!text.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await stream.ReadAsync(one) == 0)
            {
                throw new IOException("connection closed during upgrade");
            }

            text.Append((char)one[0]);
        }

        return text.ToString()
            .Split("\r\n", StringSplitOptions.RemoveEmptyEntries)
            .Skip(1)
            .Select(line => line.Split(':', 2))
            .Where(parts => parts.Length == 2)
            .ToDictionary(parts => parts[0].Trim().ToLowerInvariant(), parts => parts[1].Trim());
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        if (_session.IsCompletedSuccessfully)
        {
            await (await _session).DisposeAsync();
        }
    }
}

/// <summary>The server's view of one connected proxy: send commands, await responses, events and binary frames.</summary>
internal sealed class TestSession : IAsyncDisposable
{
    private readonly WebSocket _socket;
    private readonly TcpClient _client;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly Channel<object> _inbound = Channel.CreateUnbounded<object>();
    private readonly Dictionary<int, TaskCompletionSource<CommandResponse>> _pending = [];
    private readonly Dictionary<int, int> _responseCounts = [];
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _nextId;

    public TestSession(WebSocket socket, TcpClient client)
    {
        _socket = socket;
        _client = client;
        _ = Task.Run(ReceiveLoopAsync);
    }

    /// <summary>Completes when the proxy closes or drops the socket.</summary>
    public Task Closed => _closed.Task;

    public int ResponseCount(int id)
    {
        lock (_pending)
        {
            return _responseCounts.GetValueOrDefault(id);
        }
    }

    public async Task<int> SendAsync(BleCommand command)
    {
        var id = Interlocked.Increment(ref _nextId);
        lock (_pending)
        {
            _pending[id] = new TaskCompletionSource<CommandResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        await SendTextAsync(BleProxyCodec.Serialize(new CommandFrame(id, command)));
        return id;
    }

    /// <summary>Sends hand-written JSON (ID is replaced by id) for commands the codec cannot express.</summary>
    public async Task SendRawCommandAsync(int id, string jsonTemplate)
    {
        lock (_pending)
        {
            _pending[id] = new TaskCompletionSource<CommandResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        await SendTextAsync(jsonTemplate.Replace("ID", id.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
    }

    public async Task<CommandResponse> CommandAsync(BleCommand command) => await ResponseAsync(await SendAsync(command));

    public Task<CommandResponse> ResponseAsync(int id)
    {
        lock (_pending)
        {
            return _pending[id].Task.WaitAsync(TestBleServer.Timeout);
        }
    }

    public bool HasResponse(int id)
    {
        lock (_pending)
        {
            return _pending[id].Task.IsCompleted;
        }
    }

    public async Task SendTextAsync(string json)
    {
        await _sendLock.WaitAsync();
        try
        {
            await _socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, default);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    public async Task SendBinaryAsync(BinaryFrame frame)
    {
        await _sendLock.WaitAsync();
        try
        {
            await _socket.SendAsync(BleProxyCodec.Serialize(frame), WebSocketMessageType.Binary, true, default);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Next event or binary frame of type T matching the predicate; others are skipped.</summary>
    public async Task<T> NextAsync<T>(Func<T, bool>? match = null, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TestBleServer.Timeout);
        while (true)
        {
            var item = await _inbound.Reader.ReadAsync(cts.Token);
            if (item is T typed && (match is null || match(typed)))
            {
                return typed;
            }
        }
    }

    internal static async Task<(WebSocketMessageType Type, byte[] Data)> ReceiveAsync(WebSocket socket, CancellationToken ct)
    {
        var buffer = new byte[8192];
        using var message = new MemoryStream();
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, ct);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return (WebSocketMessageType.Close, []);
            }

            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return (result.MessageType, message.ToArray());
            }
        }
    }

    private async Task ReceiveLoopAsync()
    {
        try
        {
            while (true)
            {
                var (type, data) = await ReceiveAsync(_socket, CancellationToken.None);
                if (type == WebSocketMessageType.Close)
                {
                    if (_socket.State == WebSocketState.CloseReceived)
                    {
                        await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", default);
                    }

                    return;
                }

                if (type == WebSocketMessageType.Binary)
                {
                    var frame = BleProxyCodec.ParseBinary(data);
                    await _inbound.Writer.WriteAsync(frame.Value ?? (object)frame.Error!);
                    continue;
                }

                var parsed = BleProxyCodec.ParseClientMessage(data);
                if (parsed.Value is CommandResponse response)
                {
                    lock (_pending)
                    {
                        _responseCounts[response.Id] = _responseCounts.GetValueOrDefault(response.Id) + 1;
                        _pending[response.Id].TrySetResult(response);
                    }
                }
                else
                {
                    await _inbound.Writer.WriteAsync(parsed.Value ?? (object)parsed.Error!);
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException)
        {
        }
        finally
        {
            _closed.TrySetResult();
            _inbound.Writer.TryComplete();
        }
    }

    /// <summary>Server-initiated close handshake.</summary>
    public async Task CloseAsync()
    {
        await _sendLock.WaitAsync();
        try
        {
            await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "server stopping", default);
        }
        finally
        {
            _sendLock.Release();
        }

        await Closed.WaitAsync(TestBleServer.Timeout);
    }

    public async ValueTask DisposeAsync()
    {
        _socket.Abort();
        await _closed.Task.WaitAsync(TestBleServer.Timeout);
        _socket.Dispose();
        _client.Dispose();
    }
}
