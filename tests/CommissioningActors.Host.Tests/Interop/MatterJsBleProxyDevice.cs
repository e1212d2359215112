using System.Text.Json;

namespace CommissioningActors.Host.Tests.Interop;

/// <summary>How to start tests/fixtures/matterjs/ble-proxy-device.mjs.</summary>
public sealed record MatterJsBleProxyDeviceOptions
{
    public uint Passcode { get; init; } = 20202021;
    public ushort Discriminator { get; init; } = 3840;
    public string VendorName { get; init; } = "matter.js BLE fixture";

    /// <summary>Bytes the device serves on C3 (and flags in its advertisement); null: no additional data.</summary>
    public byte[]? AdditionalData { get; init; }

    /// <summary>
    /// False: a device that cannot hold BLE and Wi-Fi at once (SupportsConcurrentConnection false) and drops the BLE
    /// link itself right after answering ConnectNetwork.
    /// </summary>
    public bool ConcurrentConnection { get; init; } = true;

    /// <summary>connection_slots the proxy states in hello.</summary>
    public int Slots { get; init; } = 1;

    /// <summary>Sent as a bearer token on the /ble upgrade when the service has one.</summary>
    public string? Token { get; init; }

    /// <summary>The proxy's name in the service (?name=).</summary>
    public string ProxyName { get; init; } = "matterjs-ble";

    public TimeSpan ReadyTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Run inside this private network namespace (operational mDNS works there); null = the host's loopback.</summary>
    public NetworkNamespace? Network { get; init; }
}

/// <summary>
/// A real matter.js device reachable over BLE only, through our /ble protocol: `node ble-proxy-device.mjs` is the
/// device (a matter.js ServerNode whose own BtpSessionHandler runs the BLE side) and the BLE proxy client in front of
/// it. It dials the service's /ble itself; <see cref="StartAsync"/> returns once its hello was answered. After
/// commissioning it is on UDP 127.0.0.1 (<see cref="Port"/>). Disposing stops it (kills its tree if it will not stop)
/// and deletes its storage.
/// </summary>
public sealed class MatterJsBleProxyDevice : IAsyncDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(15);

    private readonly JsonLineProcess _process;
    private readonly string _storage;
    private readonly SemaphoreSlim _commands = new(1, 1);

    private MatterJsBleProxyDevice(JsonLineProcess process, string storage, MatterJsBleProxyDeviceOptions options, JsonElement ready)
    {
        _process = process;
        _storage = storage;
        Options = options;
        Ready = ready;
    }

    public MatterJsBleProxyDeviceOptions Options { get; }

    /// <summary>The "ready" line (port, pairing codes, BLE address, pid).</summary>
    public JsonElement Ready { get; }

    /// <summary>UDP port the device answers on after commissioning (127.0.0.1 and ::1).</summary>
    public int Port => Ready.GetProperty("port").GetInt32();

    /// <summary>The BLE address it advertises under.</summary>
    public string Address => Ready.GetProperty("address").GetString()!;

    public string ManualPairingCode => Ready.GetProperty("manualPairingCode").GetString()!;

    public string QrPairingCode => Ready.GetProperty("qrPairingCode").GetString()!;

    public JsonLineProcess Process => _process;

    /// <summary>Cursor for <see cref="WaitForEventAsync"/>: take it before the action whose event you await.</summary>
    public int EventCursor => _process.EventCount;

    public IReadOnlyList<JsonElement> Events => _process.Events;

    /// <summary>Starts the device against the service's /ble endpoint and waits until it is ready there.</summary>
    public static async Task<MatterJsBleProxyDevice> StartAsync(Uri ble, MatterJsBleProxyDeviceOptions? options = null,
        MatterJsFixture? fixture = null)
    {
        options ??= new MatterJsBleProxyDeviceOptions();
        fixture ??= MatterJsFixture.Instance;
        var storage = Path.Combine(Path.GetTempPath(), "matterjs-ble-device-" + Guid.NewGuid().ToString("N"));
        var url = new UriBuilder(ble) { Query = "name=" + Uri.EscapeDataString(options.ProxyName) }.Uri;
        var args = new List<string>
        {
            "--ws", url.ToString(),
            "--storage", storage,
            "--port", "0",
            "--passcode", options.Passcode.ToString(),
            "--discriminator", options.Discriminator.ToString(),
            "--vendor-name", options.VendorName,
            "--slots", options.Slots.ToString(),
        };
        if (options.AdditionalData is { } additional)
        {
            args.AddRange(["--additional-data", Convert.ToHexString(additional)]);
        }

        if (!options.ConcurrentConnection)
        {
            args.Add("--no-concurrent-connection");
        }

        if (options.Token is { } token)
        {
            args.AddRange(["--token", token]);
        }

        var process = new JsonLineProcess(fixture.StartScript("ble-proxy-device.mjs", args, options.Network), "matter.js BLE proxy device");
        try
        {
            var ready = await process.WaitForEventAsync("ready", options.ReadyTimeout);
            return new MatterJsBleProxyDevice(process, storage, options, ready);
        }
        catch
        {
            await process.DisposeAsync();
            DeleteStorage(storage);
            throw;
        }
    }

    public Task<JsonElement> WaitForEventAsync(string name, int after = 0, TimeSpan? timeout = null, Func<JsonElement, bool>? also = null) =>
        _process.WaitForEventAsync(name, timeout ?? CommandTimeout, after, also);

    /// <summary>The device's fabrics now, as matter.js holds them.</summary>
    public async Task<IReadOnlyList<MatterJsFabric>> GetFabricsAsync()
    {
        var report = await RequestAsync("fabrics", "fabrics", e => e.GetProperty("reason").GetString() == "request");
        return MatterJsDevice.ParseFabrics(report);
    }

    /// <summary>The light's OnOff value, read from the device itself.</summary>
    public async Task<bool> GetOnOffAsync()
    {
        var report = await RequestAsync("onoff", "onoff", e => e.TryGetProperty("reason", out _));
        return report.GetProperty("value").GetBoolean();
    }

    private async Task<JsonElement> RequestAsync(string command, string eventName, Func<JsonElement, bool> isAnswer)
    {
        // Answers carry no request id: one request at a time, the next matching line after the cursor is ours.
        await _commands.WaitAsync();
        try
        {
            var cursor = _process.EventCount;
            await _process.SendAsync(command);
            return await _process.WaitForEventAsync(eventName, CommandTimeout, cursor, isAnswer);
        }
        finally
        {
            _commands.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        DeleteStorage(_storage);
        _commands.Dispose();
    }

    private static void DeleteStorage(string storage)
    {
        try
        {
            if (Directory.Exists(storage))
            {
                Directory.Delete(storage, recursive: true);
            }
        }
        catch (IOException)
        {
            // A file still held by a dying process; the temp directory is reclaimed by the OS eventually.
        }
    }
}
