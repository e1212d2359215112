using System.Net;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace CommissioningActors.Host.Tests.Interop;

/// <summary>How to start a matter.js device (tests/fixtures/matterjs/device.mjs).</summary>
public sealed record MatterJsDeviceOptions
{
    public uint Passcode { get; init; } = 20202021;
    public ushort Discriminator { get; init; } = 3840;
    public string VendorName { get; init; } = "matter.js fixture";
    public ushort ProductId { get; init; } = 0x8000;

    /// <summary>Devices in the one process (device i: passcode+i, discriminator+i, its own free port).</summary>
    public int Count { get; init; } = 1;

    public TimeSpan ReadyTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The fail-safe expiry the device advertises in BasicCommissioningInfo (matter.js's default is 60 s).</summary>
    public int FailSafeSeconds { get; init; } = 60;

    /// <summary>Run inside this private network namespace (mDNS works there); null = the host's loopback.</summary>
    public NetworkNamespace? Network { get; init; }
}

/// <summary>One matter.js fabric entry as the device reports it.</summary>
public sealed record MatterJsFabric(int FabricIndex, string FabricId, string NodeId, string RootNodeId, int VendorId, string Label, string RootPublicKeyHex);

/// <summary>
/// A real, independent Matter device: `node device.mjs` as a child process on free UDP ports of 127.0.0.1, with a
/// temporary storage directory. Disposing stops it (kills its tree if it will not stop) and deletes the storage.
/// </summary>
public sealed class MatterJsDevice : IAsyncDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(15);

    private readonly JsonLineProcess _process;
    private readonly string _storage;
    private readonly SemaphoreSlim _commands = new(1, 1);

    private MatterJsDevice(JsonLineProcess process, string storage, MatterJsDeviceOptions options, JsonElement ready)
    {
        _process = process;
        _storage = storage;
        Options = options;
        Ready = ready;
        Ports = [.. ready.GetProperty("devices").EnumerateArray().Select(d => d.GetProperty("port").GetInt32())];
    }

    public MatterJsDeviceOptions Options { get; }

    /// <summary>The device's "ready" line (ports, pairing codes, pid, start time).</summary>
    public JsonElement Ready { get; }

    /// <summary>UDP port of device 0 on 127.0.0.1 (and ::1).</summary>
    public int Port => Ports[0];

    public IReadOnlyList<int> Ports { get; }

    public IPEndPoint EndPoint => new(IPAddress.Loopback, Port);

    public string StorageDirectory => _storage;

    public JsonLineProcess Process => _process;

    /// <summary>Starts the device and waits for its ready line; failures carry the device's stderr.</summary>
    public static async Task<MatterJsDevice> StartAsync(MatterJsDeviceOptions? options = null, MatterJsFixture? fixture = null)
    {
        options ??= new MatterJsDeviceOptions();
        fixture ??= MatterJsFixture.Instance;
        var storage = Path.Combine(Path.GetTempPath(), "matterjs-device-" + Guid.NewGuid().ToString("N"));
        string[] args =
        [
            "--storage", storage,
            "--port", "0",
            "--count", options.Count.ToString(),
            "--passcode", options.Passcode.ToString(),
            "--discriminator", options.Discriminator.ToString(),
            "--vendor-name", options.VendorName,
            "--product-id", options.ProductId.ToString(),
            "--failsafe-seconds", options.FailSafeSeconds.ToString(),
        ];
        var process = new JsonLineProcess(fixture.StartScript("device.mjs", args, options.Network), "matter.js device");
        try
        {
            var ready = await process.WaitForEventAsync("ready", options.ReadyTimeout);
            return new MatterJsDevice(process, storage, options, ready);
        }
        catch
        {
            await process.DisposeAsync();
            DeleteStorage(storage);
            throw;
        }
    }

    /// <summary>Asks the device for its fabrics now (device index <paramref name="device"/>).</summary>
    public async Task<IReadOnlyList<MatterJsFabric>> GetFabricsAsync(int device = 0)
    {
        var report = await RequestAsync($"fabrics {device}", "fabrics", e => e.GetProperty("reason").GetString() == "request");
        return ParseFabrics(report);
    }

    /// <summary>The device's current OnOff value, read from the device itself.</summary>
    public async Task<bool> GetOnOffAsync(int device = 0)
    {
        var report = await RequestAsync($"onoff {device}", "onoff", e => e.TryGetProperty("reason", out _));
        return report.GetProperty("value").GetBoolean();
    }

    /// <summary>Switches the light locally (as a user at the device would); the change arrives as an "onoff" event.</summary>
    public Task SetOnOffAsync(bool on, int device = 0) => _process.SendAsync($"{(on ? "on" : "off")} {device}");

    /// <summary>
    /// Arms the device to freeze itself (SIGSTOP, inside the command that set it) the next time its breadcrumb
    /// becomes <paramref name="value"/>: 1 = right as a commissioner's ArmFailSafe lands. A "frozen" event marks it;
    /// <see cref="Resume"/> thaws it.
    /// </summary>
    public async Task FreezeAtBreadcrumbAsync(int value = 1, int device = 0) =>
        await RequestAsync($"freeze-at-breadcrumb {value} {device}", "freeze-armed", _ => true);

    /// <summary>Lets a frozen device run again (SIGCONT); its overdue timers, the fail-safe among them, fire at once.</summary>
    public void Resume() => Signal(SigCont);

    /// <summary>Freezes the device now (SIGSTOP): it answers nothing, as if unplugged, until <see cref="Resume"/>.</summary>
    public void Freeze() => Signal(SigStop);

    /// <summary>Cursor for <see cref="WaitForEventAsync"/>: take it before the action whose event you await.</summary>
    public int EventCursor => _process.EventCount;

    public Task<JsonElement> WaitForEventAsync(string name, int after, TimeSpan? timeout = null, Func<JsonElement, bool>? also = null) =>
        _process.WaitForEventAsync(name, timeout ?? CommandTimeout, after, also);

    public static IReadOnlyList<MatterJsFabric> ParseFabrics(JsonElement report) =>
    [
        .. report.GetProperty("fabrics").EnumerateArray().Select(f => new MatterJsFabric(
            f.GetProperty("fabricIndex").GetInt32(),
            f.GetProperty("fabricId").GetString()!,
            f.GetProperty("nodeId").GetString()!,
            f.GetProperty("rootNodeId").GetString()!,
            f.GetProperty("vendorId").GetInt32(),
            f.GetProperty("label").GetString()!,
            f.GetProperty("rootPublicKey").GetString()!)),
    ];

    private async Task<JsonElement> RequestAsync(string command, string eventName, Func<JsonElement, bool> isAnswer)
    {
        // One request at a time: answers carry no request id, so the next matching line after the cursor is ours.
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
        if (!_process.HasExited)
        {
            _ = Kill(_process.ProcessId, SigCont); // a frozen device could not hear its stdin close
        }

        await _process.DisposeAsync();
        DeleteStorage(_storage);
        _commands.Dispose();
    }

    private const int SigCont = 18;
    private const int SigStop = 19;

    private void Signal(int signal)
    {
        if (Kill(_process.ProcessId, signal) != 0)
        {
            throw new InvalidOperationException($"kill({_process.ProcessId}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

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
