using System.Net;
using System.Text.Json;

namespace CommissioningActors.Host.Tests.Interop;

/// <summary>The outcome of one controller.mjs run: every JSON line it printed, and its exit code.</summary>
public sealed record MatterJsControllerRun(int ExitCode, IReadOnlyList<JsonElement> Events, string StderrTail)
{
    public JsonElement Controller => Events.First(e => JsonLineProcess.Is(e, "controller"));

    public JsonElement Done => Events.First(e => JsonLineProcess.Is(e, "done"));

    public IEnumerable<JsonElement> Named(string name) => Events.Where(e => JsonLineProcess.Is(e, name));

    public override string ToString() => $"controller.mjs exited {ExitCode}:\n{string.Join('\n', Events)}\n--- stderr (tail) ---\n{StderrTail}";
}

/// <summary>matter.js's own CommissioningController (controller.mjs): the reference commissioner, run to the end.</summary>
public static class MatterJsController
{
    /// <summary>Commissions every target by its known address, then reads 0/40/1 and toggles 1/6 unless told not to.</summary>
    public static Task<MatterJsControllerRun> RunAsync(
        IEnumerable<(IPEndPoint EndPoint, uint Passcode)> targets,
        bool interact = true,
        TimeSpan? timeout = null,
        NetworkNamespace? network = null) =>
        RunAsync(targets.SelectMany(t => new[] { "--target", $"{t.EndPoint.Address}:{t.EndPoint.Port}:{t.Passcode}" }), interact, timeout, network);

    /// <summary>
    /// Finds every target by commissionable mDNS (its long discriminator) and reaches it for CASE by operational
    /// mDNS, with no known address: only inside a <see cref="NetworkNamespace"/>, where multicast stays on lo.
    /// </summary>
    public static Task<MatterJsControllerRun> DiscoverAndRunAsync(
        IEnumerable<(ushort Discriminator, uint Passcode)> targets,
        NetworkNamespace network,
        bool interact = true,
        TimeSpan? timeout = null) =>
        RunAsync(targets.SelectMany(t => new[] { "--discover", $"{t.Discriminator}:{t.Passcode}" }), interact, timeout, network);

    private static async Task<MatterJsControllerRun> RunAsync(IEnumerable<string> targetArgs, bool interact, TimeSpan? timeout, NetworkNamespace? network)
    {
        var fixture = MatterJsFixture.Instance;
        var limit = timeout ?? TimeSpan.FromSeconds(90);
        var storage = Path.Combine(Path.GetTempPath(), "matterjs-controller-" + Guid.NewGuid().ToString("N"));
        var args = new List<string> { "--storage", storage, "--timeout", ((int)limit.TotalSeconds).ToString() };
        args.AddRange(targetArgs);
        if (!interact)
        {
            args.Add("--no-interact");
        }

        var process = new JsonLineProcess(fixture.StartScript("controller.mjs", args, network), "matter.js controller");
        try
        {
            // The script enforces the per-device deadline itself; the margin covers its start and close.
            var exit = await process.WaitForExitAsync(limit + TimeSpan.FromSeconds(30));
            return new MatterJsControllerRun(exit, process.Events, process.StderrTail);
        }
        finally
        {
            await process.DisposeAsync();
            try
            {
                Directory.Delete(storage, recursive: true);
            }
            catch (DirectoryNotFoundException)
            {
            }
        }
    }
}
