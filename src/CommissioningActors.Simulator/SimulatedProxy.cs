using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using CommissioningActors.Protocol.BleProxy;

namespace CommissioningActors.Simulator;

/// <summary>
/// A BLE proxy client with virtual Matter devices: dials a server's /ble WebSocket and answers its commands.
/// Commands run concurrently (connect and disconnect take and free slots in arrival order); socket sends are serialized.
/// This class dispatches commands and owns connect / disconnect; the socket, slot table, advertiser and GATT
/// server do the rest.
/// </summary>
public sealed class SimulatedProxy : IAsyncDisposable
{
    private readonly SimulatorOptions _options;
    private readonly SimulatorSocket _socket;
    private readonly SlotTable _slots;
    private readonly SimulatedAdvertiser _advertiser;
    private readonly GattServer _gatt;
    private readonly LatencySampler _latencies;
    private readonly Dictionary<string, SimulatedDevice> _devicesByAddress = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, int> _commandsByName = new(StringComparer.Ordinal);

    private int _connectsReceived;
    private int _disconnectsReceived;
    private int _commandsReceived;
    private int _disposed;

    private SimulatedProxy(SimulatorSocket socket, SimulatorOptions options)
    {
        _socket = socket;
        _options = options;
        _latencies = new LatencySampler(options.Latencies);
        _slots = new SlotTable(options.ConnectionSlots);
        _advertiser = new SimulatedAdvertiser(options, socket, _latencies);
        _gatt = new GattServer(options, _slots, socket, _latencies, Log, DropConnectionAsync);
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
    public Task Completion => _socket.Completion;

    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;

    /// <summary>Connections plus connects still in progress.</summary>
    public int SlotsInUse => _slots.SlotsInUse;

    public int PeakSlotsInUse => _slots.PeakSlotsInUse;

    /// <summary>
    /// Sum over released slots of how long each was held, from the connect taking it to the disconnect (or
    /// link loss, or failed connect) giving it back: what a perfect scheduler would still have to spend.
    /// </summary>
    public TimeSpan TotalSlotHoldTime => _slots.TotalSlotHoldTime;

    /// <summary>Slots taken and given back again (the count behind TotalSlotHoldTime).</summary>
    public int SlotHoldsCompleted => _slots.SlotHoldsCompleted;

    /// <summary>Hold time of slots whose connect succeeded: the useful part of TotalSlotHoldTime.</summary>
    public TimeSpan LinkHoldTime => _slots.LinkHoldTime;

    public int LinkHoldsCompleted => _slots.LinkHoldsCompleted;

    /// <summary>The last 16,384 completed links: device name and how long each held its slot (connect to link end).</summary>
    public IReadOnlyList<(string Device, TimeSpan Hold)> LinkHolds => _slots.LinkHolds;

    public int ConnectsReceived => Volatile.Read(ref _connectsReceived);
    public int OutOfSlotsErrorsSent => _slots.OutOfSlotsRefusals;
    public int DisconnectsReceived => Volatile.Read(ref _disconnectsReceived);
    public int CommandsReceived => Volatile.Read(ref _commandsReceived);

    /// <summary>How many commands of one wire name arrived (answered or not).</summary>
    public int CommandsReceivedNamed(string name) => _commandsByName.GetValueOrDefault(name);

    public bool IsScanning => _advertiser.IsScanning;

    /// <summary>Handles of live connections.</summary>
    public IReadOnlyList<int> ConnectionHandles => _slots.Handles;

    /// <summary>How many disconnect commands named this handle (live or not).</summary>
    public int DisconnectCommandsFor(int handle) => _slots.DisconnectCommandsFor(handle);

    /// <summary>Snapshot of disconnect commands per handle.</summary>
    public IReadOnlyDictionary<int, int> DisconnectCommandsByHandle => _slots.DisconnectCommandsByHandle;

    public static async Task<SimulatedProxy> ConnectAsync(Uri bleUrl, SimulatorOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(bleUrl);
        ArgumentNullException.ThrowIfNull(options);

        var log = (string line) => options.Log?.Invoke($"[{options.Name}] {line}");
        var socket = await SimulatorSocket.ConnectAsync(bleUrl, options, log, ct).ConfigureAwait(false);
        var proxy = new SimulatedProxy(socket, options);
        proxy.Log($"connected to {bleUrl} as '{options.Name}' ({options.ConnectionSlots} slots, {options.Devices.Count} devices)");
        _ = Task.Run(() => socket.ReceiveLoopAsync(proxy.OnText, proxy._gatt.OnBinaryAsync, () => proxy._advertiser.Stop()),
            CancellationToken.None);
        return proxy;
    }

    private void OnText(byte[] data)
    {
        var parsed = BleProxyCodec.ParseServerMessage(data);
        switch (parsed.Value)
        {
            case CommandFrame frame:
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
            _ = Task.Run(() => _socket.SendAsync(CommandResponse.Fail(
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

    // Counted in arrival order on the receive loop, so commands that are never answered still show up.
    private void Count(BleCommand command)
    {
        Interlocked.Increment(ref _commandsReceived);
        _commandsByName.AddOrUpdate(command.Name, 1, (_, n) => n + 1);
        switch (command)
        {
            case Connect:
                Interlocked.Increment(ref _connectsReceived);
                break;
            case Disconnect d:
                Interlocked.Increment(ref _disconnectsReceived);
                _slots.CountDisconnectCommand(d.ConnectionHandle);
                break;
        }
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

        CommandOutcome outcome;
        try
        {
            outcome = await ExecuteAsync(frame.Id, frame.Command, _socket.Life).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_socket.IsEnding)
        {
            return;
        }
        catch (Exception ex)
        {
            outcome = new CommandOutcome(CommandResponse.Fail(frame.Id, BleErrorCodes.InternalError, ex.Message));
        }

        if (outcome.Response is null)
        {
            return;
        }

        Log(outcome.Response.Success
            ? $"-> #{frame.Id} ok {outcome.Response.Result?.ToJsonString()}"
            : $"-> #{frame.Id} {outcome.Response.Error}: {outcome.Response.Message}");
        if (await _socket.SendAsync(outcome.Response).ConfigureAwait(false) && outcome.After is not null)
        {
            try
            {
                await outcome.After().ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_socket.IsEnding)
            {
            }
        }
    }

    private Task<CommandOutcome> ExecuteAsync(int id, BleCommand command, CancellationToken ct) => command switch
    {
        StartScan c => Task.FromResult(_advertiser.OnStartScan(id, c)),
        StopScan => Task.FromResult(_advertiser.OnStopScan(id)),
        Connect c => OnConnectAsync(id, c, ct),
        Disconnect c => Task.FromResult(OnDisconnect(id, c)),
        _ => _gatt.TryExecute(id, command, ct)
            ?? Task.FromResult(CommandOutcome.Fail(id, BleErrorCodes.InternalError, $"Unknown command: {command.Name}")),
    };

    private async Task<CommandOutcome> OnConnectAsync(int id, Connect command, CancellationToken ct)
    {
        if (_options.Faults.DropSocketOnConnect)
        {
            Log($"   #{id} connect: dropping the socket (fault)");
            _socket.Abort();
            return CommandOutcome.Silent;
        }

        if (!_devicesByAddress.TryGetValue(command.Address, out var device))
        {
            return CommandOutcome.Fail(id, BleErrorCodes.DeviceNotFound, $"Device {command.Address} not found");
        }

        if (_options.Faults.FailAllConnects)
        {
            await Task.Delay(_latencies.Connect(), ct).ConfigureAwait(false);
            return CommandOutcome.Fail(id, BleErrorCodes.ConnectionFailed, $"Simulated connection failure to {command.Address}");
        }

        // The slot is taken for the whole connect, as on a real proxy.
        switch (_slots.TryTake(command.Address, out var takenAt))
        {
            case SlotRefusal.AlreadyConnected:
                return CommandOutcome.Fail(id, BleErrorCodes.AlreadyConnected, $"Already connected to {command.Address}");
            case SlotRefusal.Full:
                return _options.Faults.SlotExhaustion == SlotExhaustionStyle.LegacyText
                    ? CommandOutcome.Fail(id, BleErrorCodes.ConnectionFailed, "connection failed: out of connection slots")
                    : CommandOutcome.Fail(id, BleErrorCodes.OutOfConnectionSlots,
                        $"All {_options.ConnectionSlots} connection slots of {_options.Name} are in use");
        }

        var stale = !device.IsCurrent(command.Address);
        try
        {
            // An address the device rotated away from never answers: the controller gives up at the connect's
            // timeout, or (some stacks, a fraction of the time) fails fast; the slot is held either way.
            await Task.Delay(stale && !_latencies.Chance(_options.Radio.StaleConnectFastFailure)
                ? TimeSpan.FromMilliseconds(Math.Max(command.TimeoutMs, 0))
                : _latencies.Connect(), ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _slots.Release(command.Address, takenAt);
            throw;
        }

        if (stale)
        {
            _slots.Release(command.Address, takenAt);
            return CommandOutcome.Fail(id, BleErrorCodes.DeviceNotFound, $"Device {command.Address} not found");
        }

        var connection = _slots.Open(command.Address, device, _options.Mtu, takenAt);
        Func<Task>? after = _options.Faults.DisconnectAfterConnect is { } delay
            ? () => DropAfterAsync(connection, delay)
            : null;
        return CommandOutcome.Ok(id, new ConnectResult(connection.Handle, connection.Mtu), after);
    }

    private CommandOutcome OnDisconnect(int id, Disconnect command) =>
        _slots.Find(command.ConnectionHandle) is { } connection && _slots.TryRemove(connection)
            ? CommandOutcome.Ok(id, EmptyResult.Instance)
            : CommandOutcome.Fail(id, BleErrorCodes.NotConnected, $"Connection {command.ConnectionHandle} not found");

    private async Task DropAfterAsync(SimulatedConnection connection, TimeSpan delay)
    {
        await Task.Delay(delay, _socket.Life).ConfigureAwait(false);
        await DropConnectionAsync(connection, "simulated link loss").ConfigureAwait(false);
    }

    /// <summary>Simulates an unexpected link loss: frees the slot and sends a `disconnected` event. False if the handle is not live.</summary>
    public Task<bool> DropConnectionAsync(int handle, string reason = "simulated link loss") =>
        _slots.Find(handle) is { } connection ? DropConnectionAsync(connection, reason) : Task.FromResult(false);

    private async Task<bool> DropConnectionAsync(SimulatedConnection connection, string reason)
    {
        if (!_slots.TryRemove(connection))
        {
            return false;
        }

        Log($"-> disconnected event for handle {connection.Handle} ({reason})");
        await _socket.SendAsync(new Disconnected(connection.Handle, reason)).ConfigureAwait(false);
        return true;
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
            await _socket.Completion.ConfigureAwait(false);
            return;
        }

        _advertiser.Stop();
        await _socket.StopAsync().ConfigureAwait(false);
    }
}
