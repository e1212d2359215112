using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using CommissioningActors.Protocol.BleProxy;
using CommissioningActors.Protocol.Matter;

namespace CommissioningActors.Simulator;

/// <summary>ConnectAsync failed before the proxy was up: refused version, closed socket or no hello_response.</summary>
public sealed class SimulatorHandshakeException(string message, string? errorCode = null, Exception? inner = null)
    : Exception(message, inner)
{
    /// <summary>The server's error code (e.g. unsupported_version), when it sent one.</summary>
    public string? ErrorCode { get; } = errorCode;
}

/// <summary>
/// A BLE proxy client with virtual Matter devices: dials a server's /ble WebSocket and answers its commands.
/// Commands run concurrently (connect and disconnect take and free slots in arrival order); socket sends are serialized.
/// </summary>
public sealed class SimulatedProxy : IAsyncDisposable
{
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);

    private readonly ClientWebSocket _socket;
    private readonly SimulatorOptions _options;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly CancellationTokenSource _life = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Dictionary<string, SimulatedDevice> _devicesByAddress = new(StringComparer.OrdinalIgnoreCase);

    // Guarded by _gate.
    private readonly object _gate = new();
    private readonly Dictionary<int, SimulatedConnection> _connections = [];
    private readonly HashSet<string> _addressesInUse = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<int, int> _disconnectsByHandle = [];
    private int _slotsInUse;
    private int _peakSlotsInUse;
    private long _slotHoldTicks;
    private int _slotHoldsCompleted;
    private int _nextHandle;
    private CancellationTokenSource? _scan;

    private int _connectsReceived;
    private int _outOfSlotsErrorsSent;
    private int _disconnectsReceived;
    private int _commandsReceived;
    private int _disposed;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _commandsByName = new(StringComparer.Ordinal);

    // Commands run concurrently; draws lock it.
    private readonly Random _random;

    private SimulatedProxy(ClientWebSocket socket, SimulatorOptions options)
    {
        _socket = socket;
        _options = options;
        _random = options.Latencies.Seed is { } seed ? new Random(seed) : new Random();
        foreach (var device in options.Devices)
        {
            foreach (var address in device.Addresses)
            {
                _devicesByAddress[address] = device;
            }
        }
    }

    public string Name => _options.Name;

    /// <summary>Completes when the socket is closed (by either side) or aborted.</summary>
    public Task Completion => _completion.Task;

    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;

    /// <summary>Connections plus connects still in progress.</summary>
    public int SlotsInUse
    {
        get { lock (_gate) { return _slotsInUse; } }
    }

    public int PeakSlotsInUse
    {
        get { lock (_gate) { return _peakSlotsInUse; } }
    }

    /// <summary>
    /// Sum over released slots of how long each was held, from the connect taking it to the disconnect (or
    /// link loss, or failed connect) giving it back: what a perfect scheduler would still have to spend.
    /// </summary>
    public TimeSpan TotalSlotHoldTime
    {
        get { lock (_gate) { return Stopwatch.GetElapsedTime(0, _slotHoldTicks); } }
    }

    /// <summary>Slots taken and given back again (the count behind TotalSlotHoldTime).</summary>
    public int SlotHoldsCompleted
    {
        get { lock (_gate) { return _slotHoldsCompleted; } }
    }

    public int ConnectsReceived => Volatile.Read(ref _connectsReceived);
    public int OutOfSlotsErrorsSent => Volatile.Read(ref _outOfSlotsErrorsSent);
    public int DisconnectsReceived => Volatile.Read(ref _disconnectsReceived);
    public int CommandsReceived => Volatile.Read(ref _commandsReceived);

    /// <summary>How many commands of one wire name arrived (answered or not).</summary>
    public int CommandsReceivedNamed(string name) => _commandsByName.GetValueOrDefault(name);

    public bool IsScanning
    {
        get { lock (_gate) { return _scan is not null; } }
    }

    /// <summary>Handles of live connections.</summary>
    public IReadOnlyList<int> ConnectionHandles
    {
        get { lock (_gate) { return [.. _connections.Keys.Order()]; } }
    }

    /// <summary>How many disconnect commands named this handle (live or not).</summary>
    public int DisconnectCommandsFor(int handle)
    {
        lock (_gate)
        {
            return _disconnectsByHandle.GetValueOrDefault(handle);
        }
    }

    /// <summary>Snapshot of disconnect commands per handle.</summary>
    public IReadOnlyDictionary<int, int> DisconnectCommandsByHandle
    {
        get { lock (_gate) { return new Dictionary<int, int>(_disconnectsByHandle); } }
    }

    public static async Task<SimulatedProxy> ConnectAsync(Uri bleUrl, SimulatorOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(bleUrl);
        ArgumentNullException.ThrowIfNull(options);

        var socket = new ClientWebSocket();
        try
        {
            if (!string.IsNullOrEmpty(options.Token))
            {
                socket.Options.SetRequestHeader("Authorization", $"Bearer {options.Token}");
            }

            await socket.ConnectAsync(bleUrl, ct).ConfigureAwait(false);
            var hello = Encoding.UTF8.GetBytes(BleProxyCodec.Serialize(new Hello(BleProxyCodec.ProtocolVersion)));
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

        var proxy = new SimulatedProxy(socket, options);
        proxy.Log($"connected to {bleUrl} as '{options.Name}' ({options.ConnectionSlots} slots, {options.Devices.Count} devices)");
        _ = Task.Run(proxy.ReceiveLoopAsync, CancellationToken.None);
        return proxy;
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

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var (type, data) = await ReceiveMessageAsync(_socket, buffer, _life.Token).ConfigureAwait(false);
                if (type == WebSocketMessageType.Close)
                {
                    Log($"server closed the socket ({_socket.CloseStatus} {_socket.CloseStatusDescription})");
                    await AnswerCloseAsync().ConfigureAwait(false);
                    break;
                }

                if (type == WebSocketMessageType.Text)
                {
                    OnText(data);
                }
                else
                {
                    await OnBinaryAsync(data).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            if (!_life.IsCancellationRequested)
            {
                Log($"socket ended: {ex.Message}");
            }
        }
        finally
        {
            StopScanning();
            await _life.CancelAsync().ConfigureAwait(false);
            _completion.TrySetResult();
        }
    }

    private Task AnswerCloseAsync() => CloseOutputQuietlyAsync(WebSocketState.CloseReceived, "bye");

    /// <summary>Best-effort close from the given state; the peer may be gone already.</summary>
    private async Task CloseOutputQuietlyAsync(WebSocketState from, string reason)
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

    private void OnText(byte[] data)
    {
        var parsed = BleProxyCodec.ParseServerMessage(data);
        switch (parsed.Value)
        {
            case CommandFrame frame:
                Interlocked.Increment(ref _commandsReceived);
                _commandsByName.AddOrUpdate(frame.Command.Name, 1, (_, n) => n + 1);
                Count(frame.Command);
                if (frame.Command is Connect or Disconnect)
                {
                    // Slots are taken and given back in arrival order, as on a real proxy: run up to the first
                    // wait here, so a connect sent after a disconnect never sees the slot still taken.
                    _ = HandleCommandAsync(frame);
                }
                else
                {
                    _ = Task.Run(() => HandleCommandAsync(frame));
                }

                return;
            case HelloResponse:
                Log("ignoring a second hello_response");
                return;
        }

        // An unknown or malformed command still gets its one answer when it carries an id.
        var (id, name) = PeekIdAndCommand(data);
        Log($"<- unparseable frame ({parsed.Error}); id={id?.ToString() ?? "none"}");
        if (id is int commandId)
        {
            _ = Task.Run(() => SendAsync(CommandResponse.Fail(
                commandId, BleErrorCodes.InternalError, name is null ? $"Bad command: {parsed.Error}" : $"Unknown command: {name}")));
        }
    }

    private static (int? Id, string? Command) PeekIdAndCommand(byte[] data)
    {
        try
        {
            if (JsonNode.Parse(data) is JsonObject obj && obj["id"] is JsonValue idValue && idValue.TryGetValue<int>(out var id))
            {
                return (id, obj["command"] is JsonValue c && c.TryGetValue<string>(out var name) ? name : null);
            }
        }
        catch (System.Text.Json.JsonException)
        {
        }

        return (null, null);
    }

    private async Task HandleCommandAsync(CommandFrame frame)
    {
        var name = frame.Command.Name;
        Log($"<- #{frame.Id} {name} {Describe(frame.Command)}");

        if (_options.Faults.NeverAnswer.Contains(name))
        {
            Log($"   #{frame.Id} {name}: never answering (fault)");
            return;
        }

        Outcome outcome;
        try
        {
            outcome = await ExecuteAsync(frame.Id, frame.Command, _life.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_life.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex)
        {
            outcome = new Outcome(CommandResponse.Fail(frame.Id, BleErrorCodes.InternalError, ex.Message));
        }

        if (outcome.Response is null)
        {
            return;
        }

        Log(outcome.Response.Success
            ? $"-> #{frame.Id} ok {outcome.Response.Result?.ToJsonString()}"
            : $"-> #{frame.Id} {outcome.Response.Error}: {outcome.Response.Message}");
        if (await SendAsync(outcome.Response).ConfigureAwait(false) && outcome.After is not null)
        {
            try
            {
                await outcome.After().ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_life.IsCancellationRequested)
            {
            }
        }
    }

    // Counted in arrival order on the receive loop, so commands that are never answered still show up.
    private void Count(BleCommand command)
    {
        switch (command)
        {
            case Connect:
                Interlocked.Increment(ref _connectsReceived);
                break;
            case Disconnect d:
                Interlocked.Increment(ref _disconnectsReceived);
                lock (_gate)
                {
                    _disconnectsByHandle[d.ConnectionHandle] = _disconnectsByHandle.GetValueOrDefault(d.ConnectionHandle) + 1;
                }

                break;
        }
    }

    /// <summary>Response null = send nothing. After runs once the response is on the wire (events that must follow it).</summary>
    private sealed record Outcome(CommandResponse? Response, Func<Task>? After = null);

    private Task<Outcome> ExecuteAsync(int id, BleCommand command, CancellationToken ct) => command switch
    {
        StartScan c => Task.FromResult(OnStartScan(id, c)),
        StopScan => Task.FromResult(OnStopScan(id)),
        Connect c => OnConnectAsync(id, c, ct),
        Disconnect c => Task.FromResult(OnDisconnect(id, c)),
        DiscoverServices c => GattAsync(id, c.ConnectionHandle, _ => Ok(id, new ServicesResult([MatterBle.ServiceUuid])), ct),
        DiscoverCharacteristics c => GattAsync(id, c.ConnectionHandle, conn => OnDiscoverCharacteristics(id, conn, c), ct),
        ReadCharacteristic c => GattAsync(id, c.ConnectionHandle, conn => Read(id, conn, c), ct),
        WriteCharacteristic c => GattAsync(id, c.ConnectionHandle, conn => Write(id, conn, c.CharacteristicUuid, c.Value), ct),
        SubscribeCharacteristic c => GattAsync(id, c.ConnectionHandle, conn => Subscribe(id, conn, c.CharacteristicUuid), ct),
        WriteAndSubscribe c => _options.Faults.LacksWriteAndSubscribe
            ? Task.FromResult(Fail(id, BleErrorCodes.InternalError, "Unknown command: write_and_subscribe"))
            : GattAsync(id, c.ConnectionHandle, conn => OnWriteAndSubscribe(id, conn, c), ct),
        UnsubscribeCharacteristic c => GattAsync(id, c.ConnectionHandle, conn => Unsubscribe(id, conn, c.CharacteristicUuid), ct),
        RequestMtu c => _options.Faults.LacksRequestMtu
            ? Task.FromResult(Fail(id, BleErrorCodes.InternalError, "Unknown command: request_mtu"))
            : GattAsync(id, c.ConnectionHandle, conn => OnRequestMtu(id, conn, c), ct),
        _ => Task.FromResult(Fail(id, BleErrorCodes.InternalError, $"Unknown command: {command.Name}")),
    };

    private static Outcome Ok(int id, BleCommandResult result, Func<Task>? after = null) =>
        new(CommandResponse.Ok(id, result), after);

    private static Outcome Fail(int id, string code, string message) => new(CommandResponse.Fail(id, code, message));

    // ---- scanning ----

    private Outcome OnStartScan(int id, StartScan command)
    {
        CancellationTokenSource scan;
        lock (_gate)
        {
            if (_scan is not null)
            {
                return Fail(id, BleErrorCodes.AlreadyScanning, "Already scanning");
            }

            scan = CancellationTokenSource.CreateLinkedTokenSource(_life.Token);
            _scan = scan;
        }

        // Every simulated device is a Matter device, so a filter without fff6 sees nothing.
        var wantsMatter = command.ServiceUuids is not { Count: > 0 } filter
            || filter.Any(u => IsUuid(u, MatterBle.ServiceUuid));
        var devices = wantsMatter ? _options.Devices : [];
        return Ok(id, EmptyResult.Instance, () => ScanLoopAsync(devices, command.AllowDuplicates, scan.Token));
    }

    private Outcome OnStopScan(int id)
    {
        return StopScanning()
            ? Ok(id, EmptyResult.Instance)
            : Fail(id, BleErrorCodes.NotScanning, "Not scanning");
    }

    private bool StopScanning()
    {
        CancellationTokenSource? scan;
        lock (_gate)
        {
            scan = _scan;
            _scan = null;
        }

        if (scan is null)
        {
            return false;
        }

        scan.Cancel();
        scan.Dispose();
        return true;
    }

    private async Task ScanLoopAsync(IReadOnlyList<SimulatedDevice> devices, bool allowDuplicates, CancellationToken ct)
    {
        var reported = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        try
        {
            while (!ct.IsCancellationRequested)
            {
                foreach (var device in devices)
                {
                    var advertisement = new MatterAdvertisement(
                        device.Discriminator, AdvertisementVersion: 0, device.VendorId, device.ProductId, device.HasAdditionalData).Encode();
                    foreach (var address in device.Addresses)
                    {
                        if (ct.IsCancellationRequested)
                        {
                            return;
                        }

                        if (!allowDuplicates && !reported.Add(address))
                        {
                            continue;
                        }

                        await SendAsync(new DeviceDiscovered(
                            address,
                            Connectable: true,
                            device.Name,
                            device.Rssi,
                            new Dictionary<string, byte[]> { [MatterBle.ServiceUuid] = advertisement },
                            new Dictionary<int, byte[]>(),
                            [MatterBle.ServiceUuid])).ConfigureAwait(false);
                    }
                }

                await Task.Delay(_options.Latencies.AdvertisementInterval, ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // stop_scan or shutdown.
        }
        catch (ObjectDisposedException)
        {
            // The scan's token source was disposed by stop_scan.
        }
    }

    // ---- connections ----

    private async Task<Outcome> OnConnectAsync(int id, Connect command, CancellationToken ct)
    {
        if (_options.Faults.DropSocketOnConnect)
        {
            Log($"   #{id} connect: dropping the socket (fault)");
            _socket.Abort();
            return new Outcome(null);
        }

        if (!_devicesByAddress.TryGetValue(command.Address, out var device))
        {
            return Fail(id, BleErrorCodes.DeviceNotFound, $"Device {command.Address} not found");
        }

        if (_options.Faults.FailAllConnects)
        {
            await Task.Delay(ConnectLatency(), ct).ConfigureAwait(false);
            return Fail(id, BleErrorCodes.ConnectionFailed, $"Simulated connection failure to {command.Address}");
        }

        long takenAt;
        lock (_gate)
        {
            if (_addressesInUse.Contains(command.Address))
            {
                return Fail(id, BleErrorCodes.AlreadyConnected, $"Already connected to {command.Address}");
            }

            if (_slotsInUse >= _options.ConnectionSlots)
            {
                _outOfSlotsErrorsSent++;
                return _options.Faults.SlotExhaustion == SlotExhaustionStyle.LegacyText
                    ? Fail(id, BleErrorCodes.ConnectionFailed, "connection failed: out of connection slots")
                    : Fail(id, BleErrorCodes.OutOfConnectionSlots,
                        $"All {_options.ConnectionSlots} connection slots of {_options.Name} are in use");
            }

            // The slot is taken for the whole connect, as on a real proxy.
            _slotsInUse++;
            _peakSlotsInUse = Math.Max(_peakSlotsInUse, _slotsInUse);
            _addressesInUse.Add(command.Address);
            takenAt = Stopwatch.GetTimestamp();
        }

        SimulatedConnection connection;
        try
        {
            await Task.Delay(ConnectLatency(), ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            ReleaseSlot(command.Address, takenAt);
            throw;
        }

        lock (_gate)
        {
            connection = new SimulatedConnection(NextHandle(), command.Address, device, _options.Mtu) { SlotTakenAt = takenAt };
            _connections[connection.Handle] = connection;
        }

        Func<Task>? after = _options.Faults.DisconnectAfterConnect is { } delay
            ? () => DropAfterAsync(connection, delay)
            : null;
        return Ok(id, new ConnectResult(connection.Handle, connection.Mtu), after);
    }

    // Handles fit the 2-byte field of binary frames and are unique among live connections.
    private int NextHandle()
    {
        do
        {
            _nextHandle = _nextHandle % ushort.MaxValue + 1;
        }
        while (_connections.ContainsKey(_nextHandle));

        return _nextHandle;
    }

    private void ReleaseSlot(string address, long takenAt)
    {
        lock (_gate)
        {
            _slotsInUse--;
            _addressesInUse.Remove(address);
            CountHold(takenAt);
        }
    }

    // Call under _gate.
    private void CountHold(long takenAt)
    {
        _slotHoldTicks += Stopwatch.GetTimestamp() - takenAt;
        _slotHoldsCompleted++;
    }

    private TimeSpan ConnectLatency() => Draw(_options.Latencies.ConnectDistribution, _options.Latencies.Connect);

    private TimeSpan Draw(LatencyDistribution? distribution, TimeSpan fallback)
    {
        if (distribution is null)
        {
            return fallback;
        }

        lock (_random)
        {
            return distribution.Sample(_random);
        }
    }

    private bool TryRemove(SimulatedConnection connection)
    {
        lock (_gate)
        {
            if (!_connections.TryGetValue(connection.Handle, out var live) || !ReferenceEquals(live, connection))
            {
                return false;
            }

            _connections.Remove(connection.Handle);
            _slotsInUse--;
            _addressesInUse.Remove(connection.Address);
            CountHold(connection.SlotTakenAt);
            return true;
        }
    }

    private Outcome OnDisconnect(int id, Disconnect command)
    {
        SimulatedConnection? connection;
        lock (_gate)
        {
            _connections.TryGetValue(command.ConnectionHandle, out connection);
        }

        return connection is not null && TryRemove(connection)
            ? Ok(id, EmptyResult.Instance)
            : Fail(id, BleErrorCodes.NotConnected, $"Connection {command.ConnectionHandle} not found");
    }

    private async Task DropAfterAsync(SimulatedConnection connection, TimeSpan delay)
    {
        await Task.Delay(delay, _life.Token).ConfigureAwait(false);
        await DropConnectionAsync(connection, "simulated link loss").ConfigureAwait(false);
    }

    /// <summary>Simulates an unexpected link loss: frees the slot and sends a `disconnected` event. False if the handle is not live.</summary>
    public Task<bool> DropConnectionAsync(int handle, string reason = "simulated link loss")
    {
        SimulatedConnection? connection;
        lock (_gate)
        {
            _connections.TryGetValue(handle, out connection);
        }

        return connection is null ? Task.FromResult(false) : DropConnectionAsync(connection, reason);
    }

    private async Task<bool> DropConnectionAsync(SimulatedConnection connection, string reason)
    {
        if (!TryRemove(connection))
        {
            return false;
        }

        Log($"-> disconnected event for handle {connection.Handle} ({reason})");
        await SendAsync(new Disconnected(connection.Handle, reason)).ConfigureAwait(false);
        return true;
    }

    // ---- GATT ----

    private async Task<Outcome> GattAsync(int id, int handle, Func<SimulatedConnection, Outcome> operation, CancellationToken ct)
    {
        await Task.Delay(Draw(_options.Latencies.GattDistribution, _options.Latencies.Gatt), ct).ConfigureAwait(false);
        SimulatedConnection? connection;
        lock (_gate)
        {
            _connections.TryGetValue(handle, out connection);
        }

        if (connection is null)
        {
            return Fail(id, BleErrorCodes.NotConnected, $"Connection {handle} not found");
        }

        lock (connection.Sync)
        {
            return operation(connection);
        }
    }

    private static Outcome OnDiscoverCharacteristics(int id, SimulatedConnection connection, DiscoverCharacteristics command)
    {
        if (!IsUuid(command.ServiceUuid, MatterBle.ServiceUuid))
        {
            return Fail(id, BleErrorCodes.ServiceNotFound, $"Service {command.ServiceUuid} not found");
        }

        List<CharacteristicInfo> characteristics =
        [
            new(MatterBle.C1WriteUuid, ["write"]),
            new(MatterBle.C2IndicateUuid, ["indicate"]),
        ];
        if (connection.Device.HasAdditionalData)
        {
            characteristics.Add(new(MatterBle.C3AdditionalDataUuid, ["read"]));
        }

        return Ok(id, new CharacteristicsResult(characteristics));
    }

    private static Outcome Read(int id, SimulatedConnection connection, ReadCharacteristic command)
    {
        var uuid = command.CharacteristicUuid;
        if (IsUuid(uuid, MatterBle.C3AdditionalDataUuid) && connection.Device.HasAdditionalData)
        {
            return Ok(id, new ReadResult(AdditionalData(connection.Device)));
        }

        return IsUuid(uuid, MatterBle.C1WriteUuid) || IsUuid(uuid, MatterBle.C2IndicateUuid)
            ? Fail(id, BleErrorCodes.ReadFailed, $"Characteristic {uuid} is not readable")
            : Fail(id, BleErrorCodes.CharacteristicNotFound, $"Characteristic {uuid} not found");
    }

    // A TLV anonymous structure with a rotating-device-id-like byte string; content only needs to be stable.
    private static byte[] AdditionalData(SimulatedDevice device)
    {
        var payload = new List<byte> { 0x15, 0x30, 0x00, 0x10 };
        for (var i = 0; i < 16; i++)
        {
            payload.Add((byte)((device.Discriminator >> (i % 2 * 8)) ^ (i * 17)));
        }

        payload.Add(0x18);
        return [.. payload];
    }

    private Outcome Write(int id, SimulatedConnection connection, string uuid, byte[] value)
    {
        if (CheckWritable(id, uuid) is { } failure)
        {
            return failure;
        }

        return Ok(id, EmptyResult.Instance, AcceptWrite(connection, value));
    }

    private Outcome Subscribe(int id, SimulatedConnection connection, string uuid)
    {
        if (CheckSubscribable(id, uuid) is { } failure)
        {
            return failure;
        }

        connection.SubscribedUuid = MatterBle.C2IndicateUuid;
        return Ok(id, EmptyResult.Instance, HandshakeIfReady(connection));
    }

    private Outcome OnWriteAndSubscribe(int id, SimulatedConnection connection, WriteAndSubscribe command)
    {
        if ((CheckWritable(id, command.WriteUuid) ?? CheckSubscribable(id, command.SubscribeUuid)) is { } failure)
        {
            return failure;
        }

        AcceptWrite(connection, command.WriteValue);
        connection.SubscribedUuid = MatterBle.C2IndicateUuid;
        return Ok(id, EmptyResult.Instance, HandshakeIfReady(connection));
    }

    private static Outcome Unsubscribe(int id, SimulatedConnection connection, string uuid)
    {
        if (!IsKnownCharacteristic(uuid))
        {
            return Fail(id, BleErrorCodes.CharacteristicNotFound, $"Characteristic {uuid} not found");
        }

        if (connection.SubscribedUuid is null || !IsUuid(uuid, connection.SubscribedUuid))
        {
            return Fail(id, BleErrorCodes.NotSubscribed, $"Not subscribed to {uuid}");
        }

        connection.SubscribedUuid = null;
        return Ok(id, EmptyResult.Instance);
    }

    private Outcome OnRequestMtu(int id, SimulatedConnection connection, RequestMtu command)
    {
        // ATT minimum is 23; the link never exceeds what this proxy supports.
        connection.Mtu = Math.Clamp(command.Mtu, 23, _options.Mtu);
        return Ok(id, new MtuResult(connection.Mtu));
    }

    private static Outcome? CheckWritable(int id, string uuid) =>
        IsUuid(uuid, MatterBle.C1WriteUuid) ? null
        : IsKnownCharacteristic(uuid) ? Fail(id, BleErrorCodes.WriteFailed, $"Characteristic {uuid} is not writable")
        : Fail(id, BleErrorCodes.CharacteristicNotFound, $"Characteristic {uuid} not found");

    private static Outcome? CheckSubscribable(int id, string uuid) =>
        IsUuid(uuid, MatterBle.C2IndicateUuid) ? null
        : IsKnownCharacteristic(uuid) ? Fail(id, BleErrorCodes.NotifyNotSupported, $"Characteristic {uuid} does not indicate")
        : Fail(id, BleErrorCodes.CharacteristicNotFound, $"Characteristic {uuid} not found");

    private static bool IsKnownCharacteristic(string uuid) =>
        IsUuid(uuid, MatterBle.C1WriteUuid) || IsUuid(uuid, MatterBle.C2IndicateUuid) || IsUuid(uuid, MatterBle.C3AdditionalDataUuid);

    private static bool IsUuid(string? candidate, string normalized) =>
        BleUuid.TryNormalize(candidate, out var n) && n == normalized;

    // ---- BTP (device side) ----

    /// <summary>Call under connection.Sync. Returns the handshake sender when this write completes the preconditions.</summary>
    private Func<Task>? AcceptWrite(SimulatedConnection connection, byte[] value)
    {
        if (!connection.HandshakeSent && BtpHandshakeRequest.Parse(value) is { IsOk: true, Value: { } request })
        {
            connection.PendingHandshake = request;
            return HandshakeIfReady(connection);
        }

        return null;
    }

    /// <summary>Call under connection.Sync. The response goes out once, when both the request and the C2 subscription exist.</summary>
    private Func<Task>? HandshakeIfReady(SimulatedConnection connection)
    {
        if (connection.HandshakeSent || connection.PendingHandshake is not { } request || connection.SubscribedUuid is null)
        {
            return null;
        }

        connection.HandshakeSent = true;
        // Segments fill an indication: the link's ATT MTU minus the ATT header.
        var deviceMaxSegment = (ushort)(Math.Max(connection.Mtu, BtpHandshake.MinimumAttMtu) - BtpHandshake.AttHeaderSize);
        var response = BtpHandshake.Negotiate(request, deviceMaxSegment, BtpDevice.MaxWindowSize).Encode();
        return async () =>
        {
            await Task.Delay(Draw(_options.Latencies.BtpHandshakeDistribution, _options.Latencies.BtpHandshake), _life.Token).ConfigureAwait(false);
            if (IsLive(connection))
            {
                Log($"-> BTP handshake response on handle {connection.Handle}");
                await SendAsync(new BinaryFrame(BinaryOpcode.Notification, (ushort)connection.Handle, response)).ConfigureAwait(false);
            }
        };
    }

    private bool IsLive(SimulatedConnection connection)
    {
        lock (_gate)
        {
            return _connections.TryGetValue(connection.Handle, out var live) && ReferenceEquals(live, connection);
        }
    }

    private async Task OnBinaryAsync(byte[] data)
    {
        var parsed = BleProxyCodec.ParseBinary(data);
        if (parsed.Value is not { Opcode: BinaryOpcode.WriteData } frame)
        {
            Log($"<- ignoring binary frame: {parsed.Error?.ToString() ?? parsed.Value?.Opcode.ToString()}");
            return;
        }

        SimulatedConnection? connection;
        lock (_gate)
        {
            _connections.TryGetValue(frame.ConnectionHandle, out connection);
        }

        if (connection is null)
        {
            Log($"<- WRITE_DATA for unknown handle {frame.ConnectionHandle}, dropped");
            return;
        }

        Func<Task>? send;
        lock (connection.Sync)
        {
            if (!connection.HandshakeSent)
            {
                // A handshake request may also arrive as a binary write to C1.
                send = AcceptWrite(connection, frame.Payload);
            }
            else if (BtpDevice.TryReadSequence(frame.Payload) is byte sequence)
            {
                var ack = BtpDevice.EncodeStandaloneAck(sequence, connection.NextSequence++);
                send = () => SendAsync(new BinaryFrame(BinaryOpcode.Notification, frame.ConnectionHandle, ack));
            }
            else
            {
                send = null;
            }
        }

        if (send is not null)
        {
            await send().ConfigureAwait(false);
        }
    }

    // ---- sending ----

    private Task<bool> SendAsync(ClientMessage message) =>
        SendRawAsync(Encoding.UTF8.GetBytes(BleProxyCodec.Serialize(message)), WebSocketMessageType.Text);

    private async Task SendAsync(BinaryFrame frame) =>
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

    private void Log(string line) => _options.Log?.Invoke($"[{_options.Name}] {line}");

    private static string Describe(BleCommand command) => command switch
    {
        Connect c => c.Address,
        Disconnect c => $"handle={c.ConnectionHandle}",
        WriteCharacteristic c => $"handle={c.ConnectionHandle} {c.CharacteristicUuid} ({c.Value.Length} bytes)",
        WriteAndSubscribe c => $"handle={c.ConnectionHandle} ({c.WriteValue.Length} bytes)",
        DiscoverServices c => $"handle={c.ConnectionHandle}",
        DiscoverCharacteristics c => $"handle={c.ConnectionHandle}",
        ReadCharacteristic c => $"handle={c.ConnectionHandle} {c.CharacteristicUuid}",
        SubscribeCharacteristic c => $"handle={c.ConnectionHandle} {c.CharacteristicUuid}",
        UnsubscribeCharacteristic c => $"handle={c.ConnectionHandle} {c.CharacteristicUuid}",
        RequestMtu c => $"handle={c.ConnectionHandle} mtu={c.Mtu}",
        _ => string.Empty,
    };

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            await _completion.Task.ConfigureAwait(false);
            return;
        }

        StopScanning();
        await CloseOutputQuietlyAsync(WebSocketState.Open, "simulator stopping").ConfigureAwait(false);

        // Give the server a moment to answer the close, then stop reading regardless.
        await Task.WhenAny(_completion.Task, Task.Delay(CloseTimeout)).ConfigureAwait(false);
        await _life.CancelAsync().ConfigureAwait(false);
        await _completion.Task.ConfigureAwait(false);
        // _life and _sendLock stay undisposed: late command tasks may still touch them harmlessly.
        _socket.Dispose();
    }
}
