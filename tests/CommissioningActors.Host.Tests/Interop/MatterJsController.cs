using System.Net;
using System.Text.Json;

namespace CommissioningActors.Host.Tests.Interop;

/// <summary>The outcome of one controller.mjs run: every JSON line it printed, and its exit code.</summary>
public sealed record MatterJsControllerRun(int ExitCode, IReadOnlyList<JsonElement> Events, string StderrTail)
{
    public JsonElement Controller => Events.First(e => JsonLineProcess.Is(e, "controller"));

    public JsonElement Done => Events.First(e => JsonLineProcess.Is(e, "done"));

    public IEnumerable<JsonElement> Named(string name) => Events.Where(e => JsonLineProcess.Is(e, name));
}

/// <summary>matter.js's own CommissioningController (controller.mjs): the reference commissioner, run to the end.</summary>
public static class MatterJsController
{
    /// <summary>Commissions every target (known address, passcode), reads 0/40/1 and toggles 1/6 unless told not to.</summary>
    public static async Task<MatterJsControllerRun> RunAsync(
        IEnumerable<(IPEndPoint EndPoint, uint Passcode)> targets,
        bool interact = true,
        TimeSpan? timeout = null,
        MatterJsFixture? fixture = null)
    {
        fixture ??= MatterJsFixture.Instance;
        var limit = timeout ?? TimeSpan.FromSeconds(90);
        var storage = Path.Combine(Path.GetTempPath(), "matterjs-controller-" + Guid.NewGuid().ToString("N"));
        var args = new List<string> { "--storage", storage, "--timeout", ((int)limit.TotalSeconds).ToString() };
        foreach (var (endPoint, passcode) in targets)
        {
            args.Add("--target");
            args.Add($"{endPoint.Address}:{endPoint.Port}:{passcode}");
        }

        if (!interact)
        {
            args.Add("--no-interact");
        }

        var process = new JsonLineProcess(fixture.StartScript("controller.mjs", args), "matter.js controller");
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
