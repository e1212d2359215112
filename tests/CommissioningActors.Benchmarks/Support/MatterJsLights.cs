namespace CommissioningActors.Benchmarks.Support;

/// <summary>
/// N factory-fresh matter.js OnOff lights in one Node process (device.mjs --count N, as bench.mjs starts them for
/// matter.js's controller): device i has passcode 20202021+i, discriminator 100+i, its own free UDP port on
/// 127.0.0.1 and its own storage under one temporary directory, deleted on dispose.
/// </summary>
public sealed class MatterJsLights : IAsyncDisposable
{
    private readonly NodeScript _script;
    private readonly string _storage;

    private MatterJsLights(NodeScript script, string storage, IReadOnlyList<(int Port, long Passcode)> devices)
    {
        _script = script;
        _storage = storage;
        Devices = devices;
    }

    public IReadOnlyList<(int Port, long Passcode)> Devices { get; }

    public static async Task<MatterJsLights> StartAsync(int count)
    {
        var storage = Path.Combine(Path.GetTempPath(), "ca-bench-lights-" + Guid.NewGuid().ToString("N"));
        var script = NodeScript.Start("device.mjs", ["--storage", storage, "--count", count.ToString(), "--discriminator", "100", "--port", "0"]);
        try
        {
            var ready = await script.WaitForAsync("ready", TimeSpan.FromMinutes(3));
            var devices = ready.GetProperty("devices").EnumerateArray()
                .Select(d => (d.GetProperty("port").GetInt32(), d.GetProperty("passcode").GetInt64())).ToArray();
            return devices.Length == count
                ? new MatterJsLights(script, storage, devices)
                : throw script.Failure($"reported {devices.Length} devices, {count} asked for");
        }
        catch
        {
            await script.DisposeAsync();
            Delete(storage);
            throw;
        }
    }

    /// <summary>How many devices reported a fabric added (an independent check that our jobs really commissioned).</summary>
    public int DevicesWithFabricAdded() => _script.Events
        .Where(e => NodeScript.Is(e.Event, "fabrics") && e.Event.GetProperty("reason").GetString() == "added")
        .Select(e => e.Event.GetProperty("device").GetInt32()).Distinct().Count();

    public async ValueTask DisposeAsync()
    {
        await _script.DisposeAsync();
        Delete(_storage);
    }

    private static void Delete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
