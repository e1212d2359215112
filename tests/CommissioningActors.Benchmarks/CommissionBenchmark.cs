using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using CommissioningActors.Benchmarks.Support;

namespace CommissioningActors.Benchmarks;

/// <summary>
/// Issue 9's comparison: N factory-fresh matter.js OnOff lights on UDP loopback commissioned all at once, by our
/// service (<see cref="OurCommissioner"/>: commission_on_network with ip_addr over /ws, in-process host with a
/// fresh fabric) and by matter.js's own controller (bench.mjs: controller.mjs on its own device.mjs), run by run
/// interleaved so both see the same machine load; the order alternates per repetition.
/// </summary>
public static class CommissionBenchmark
{
    public static async Task<JsonObject> RunAsync(BenchOptions options)
    {
        var hostDll = options.HostDll ?? StormBenchmark.FindHostDll();
        var plan = options.CommissionRuns ?? (options.Full ? [(1, 5), (20, 3)] : [(1, 2), (5, 1)]);
        Console.WriteLine("commission: " + string.Join(", ", plan.Select(p => $"{p.Devices} device(s) x {p.Repetitions} run(s)")) +
            ", ours and matter.js's interleaved");
        var sizes = new JsonArray();
        var met = true;
        foreach (var (devices, repetitions) in plan)
        {
            var ours = new List<RunResult>();
            var theirs = new List<RunResult>();
            for (var rep = 0; rep < repetitions; rep++)
            {
                var oursFirst = rep % 2 == 0;
                for (var turn = 0; turn < 2; turn++)
                {
                    var result = (turn == 0) == oursFirst
                        ? await OurCommissioner.RunAsync(hostDll, devices, options.CommissionTrace && rep == 0, options.CommissionHocon)
                        : await RunMatterJsAsync(devices);
                    (result.Who == "ours" ? ours : theirs).Add(result);
                    Console.WriteLine($"  {devices} device(s), run {rep + 1}: {result.Who,-9} total {result.TotalMs,8:0} ms, " +
                        $"per device p50 {Stats.Percentile(result.PerDeviceMs, 50),6:0} max {result.PerDeviceMs.DefaultIfEmpty(double.NaN).Max(),6:0} ms, " +
                        $"cpu {result.CpuMs,6:0} ms, warm-up {result.WarmupMs,5:0} ms, {result.Ok}/{devices} ok, load {result.LoadAverage}{(result.Error is null ? "" : ", " + result.Error)}");
                }
            }

            var summary = Summarize(devices, ours, theirs);
            met &= summary["met"]!.GetValue<bool>();
            sizes.Add(summary);
        }

        return new JsonObject { ["sizes"] = sizes, ["passed"] = met };
    }

    private static JsonObject Summarize(int devices, List<RunResult> ours, List<RunResult> theirs)
    {
        double[] Per(List<RunResult> runs) => [.. runs.SelectMany(r => r.PerDeviceMs)];
        double[] Totals(List<RunResult> runs) => [.. runs.Where(r => r.Ok == devices).Select(r => r.TotalMs)];
        var (oursPer, theirsPer, oursTotal, theirsTotal) = (Per(ours), Per(theirs), Totals(ours), Totals(theirs));
        double Ratio(double a, double b) => b > 0 ? a / b : double.NaN;
        double[] Cpu(List<RunResult> runs) => [.. runs.Where(r => !double.IsNaN(r.CpuMs)).Select(r => r.CpuMs)];
        double[] Warmups(List<RunResult> runs) => [.. runs.Where(r => !double.IsNaN(r.WarmupMs)).Select(r => r.WarmupMs)];

        var oursP50 = Stats.Percentile(oursPer, 50);
        var theirsP50 = Stats.Percentile(theirsPer, 50);
        var oursTotalMedian = Stats.Percentile(oursTotal, 50);
        var theirsTotalMedian = Stats.Percentile(theirsTotal, 50);
        var allOk = ours.All(r => r.Ok == devices) && theirs.All(r => r.Ok == devices);
        // The issue's target: our time does not exceed matter.js's (the median run's wall time and the median device).
        var met = allOk && oursTotalMedian <= theirsTotalMedian && oursP50 <= theirsP50;

        new Table($"commission: {devices} matter.js light(s) on loopback, all at once, {ours.Count} run(s) each", "figure", "ours", "matter.js", "ours / matter.js")
            .Row("runs with every device commissioned", $"{ours.Count(r => r.Ok == devices)} / {ours.Count}", $"{theirs.Count(r => r.Ok == devices)} / {theirs.Count}", "-")
            .Row("per device p50 (ms)", oursP50, theirsP50, Ratio(oursP50, theirsP50))
            .Row("per device p95 (ms)", Stats.Percentile(oursPer, 95), Stats.Percentile(theirsPer, 95), Ratio(Stats.Percentile(oursPer, 95), Stats.Percentile(theirsPer, 95)))
            .Row("per device max (ms)", oursPer.DefaultIfEmpty(double.NaN).Max(), theirsPer.DefaultIfEmpty(double.NaN).Max(), "-")
            .Row("total wall time, median run (ms)", oursTotalMedian, theirsTotalMedian, Ratio(oursTotalMedian, theirsTotalMedian))
            .Row("controller CPU for the N, median run (ms)", Stats.Percentile(Cpu(ours), 50), Stats.Percentile(Cpu(theirs), 50),
                Ratio(Stats.Percentile(Cpu(ours), 50), Stats.Percentile(Cpu(theirs), 50)))
            .Row("warm-up: a fresh controller's first commission, median (ms)", Stats.Percentile(Warmups(ours), 50), Stats.Percentile(Warmups(theirs), 50),
                Ratio(Stats.Percentile(Warmups(ours), 50), Stats.Percentile(Warmups(theirs), 50)))
            .Row("total wall time per run (ms)", string.Join(" / ", ours.Select(r => Table.Format(r.TotalMs))), string.Join(" / ", theirs.Select(r => Table.Format(r.TotalMs))), "-")
            .Row("load average (1 min) per run", string.Join(" / ", ours.Select(r => r.LoadAverage)), string.Join(" / ", theirs.Select(r => r.LoadAverage)), "-")
            .Print();
        Console.WriteLine($"target: ours <= matter.js (median total and per-device p50) -> {(met ? "met" : allOk ? "MISSED" : "MISSED (failed runs)")}");

        JsonObject Side(List<RunResult> runs, double[] per) => new()
        {
            ["per_device_ms_p50"] = Round(Stats.Percentile(per, 50)),
            ["per_device_ms_p95"] = Round(Stats.Percentile(per, 95)),
            ["per_device_ms_max"] = Round(per.DefaultIfEmpty(double.NaN).Max()),
            ["runs"] = new JsonArray([.. runs.Select(r => (JsonNode)new JsonObject
            {
                ["total_ms"] = Round(r.TotalMs),
                ["cpu_ms"] = Round(r.CpuMs),
                ["warmup_ms"] = Round(r.WarmupMs),
                ["ok"] = r.Ok,
                ["per_device_ms"] = new JsonArray([.. r.PerDeviceMs.Select(ms => (JsonNode)Round(ms))]),
                ["load_average"] = r.LoadAverage,
                ["error"] = r.Error,
            })]),
        };

        return new JsonObject { ["devices"] = devices, ["ours"] = Side(ours, oursPer), ["matterjs"] = Side(theirs, theirsPer), ["met"] = met };
    }

    private static double Round(double value) => double.IsNaN(value) ? -1 : Math.Round(value, 1);

    /// <summary>bench.mjs: its own device.mjs (N+1 lights, as ours) and controller.mjs: one warm-up, then N at once.</summary>
    private static async Task<RunResult> RunMatterJsAsync(int devices)
    {
        await using var bench = NodeScript.Start("bench.mjs", ["--devices", devices.ToString(), "--no-interact", "--warmup"]);
        var code = await bench.WaitForExitAsync(TimeSpan.FromMinutes(5));
        var events = bench.Events.Select(e => e.Event).ToList();
        var per = events.Where(e => NodeScript.Is(e, "commissioned")).Select(e => e.GetProperty("ms").GetDouble()).ToArray();
        var done = events.LastOrDefault(e => NodeScript.Is(e, "done"));
        double Number(JsonElement? e, string name) =>
            e is { ValueKind: JsonValueKind.Object } o && o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number
                ? v.GetDouble() : double.NaN;
        var total = Number(done, "totalMs");
        var warmup = events.Where(e => NodeScript.Is(e, "warmup")).Select(e => (JsonElement?)e).LastOrDefault();
        var error = code == 0 ? null : $"bench.mjs exit {code}: " + string.Join("; ", events.Where(e => NodeScript.Is(e, "failed") || NodeScript.Is(e, "error"))
            .Take(3).Select(e => e.GetRawText()));
        return new RunResult("matter.js", per, total, per.Length, error, LoadAverage()) { WarmupMs = Number(warmup, "ms"), CpuMs = Number(done, "cpuMs") };
    }

    public static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";

    public static readonly double TicksPerMs = Stopwatch.Frequency / 1000.0;
}

/// <summary>One commissioning run: per-device times of the devices that made it, the wall time of all of them.</summary>
/// <summary>
/// One commissioning run: per-device times of the devices that made it, the wall time of all of them, the
/// warm-up (the fresh controller's first commission, alone) and the controller process's CPU time for the N.
/// </summary>
public sealed record RunResult(string Who, double[] PerDeviceMs, double TotalMs, int Ok, string? Error, string LoadAverage)
{
    public double WarmupMs { get; init; } = double.NaN;
    public double CpuMs { get; init; } = double.NaN;
}
