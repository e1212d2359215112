using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using CommissioningActors.Benchmarks.Support;

namespace CommissioningActors.Benchmarks;

/// <summary>
/// Issue 9's yardstick: matter.js's own commissioner (tests/fixtures/matterjs/bench.mjs) commissioning matter.js
/// OnOff lights on loopback, one device and then many at once, measured in the same run as ours so both see the
/// same machine load. Needs Node and `npm ci` in the fixture folder.
/// </summary>
public static class MatterJsReferenceBenchmark
{
    public static async Task<JsonObject> RunAsync(BenchOptions options)
    {
        var fixture = FindFixture();
        var many = options.Full ? 20 : 5;
        var singles = new List<JsonElement>();
        for (var i = 0; i < (options.Full ? 3 : 1); i++)
        {
            singles.Add(await BenchAsync(fixture, 1));
        }

        var atOnce = await BenchAsync(fixture, many);
        var singleMs = singles.Select(s => s.GetProperty("commissionMs").GetProperty("max").GetDouble()).Order().ToArray();
        var manyMs = atOnce.GetProperty("commissionMs");

        new Table("matterjs: matter.js 0.17.9 commissioning matter.js OnOff lights by known address on loopback", "figure", "value")
            .Row($"1 device, commission ms (median of {singleMs.Length})", singleMs[singleMs.Length / 2])
            .Row($"{many} devices at once, total ms", atOnce.GetProperty("totalMs").GetDouble())
            .Row($"{many} devices at once, per device ms min / median / max",
                $"{manyMs.GetProperty("min")} / {manyMs.GetProperty("median")} / {manyMs.GetProperty("max")}")
            .Row("load average (1 min) at the end", File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a")
            .Print();

        return new JsonObject
        {
            ["single_commission_ms"] = new JsonArray([.. singleMs.Select(ms => (JsonNode)ms)]),
            ["many"] = JsonNode.Parse(atOnce.GetRawText()),
        };
    }

    private static async Task<JsonElement> BenchAsync(string fixture, int devices)
    {
        var info = new ProcessStartInfo("node")
        {
            WorkingDirectory = fixture,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[] { Path.Combine(fixture, "bench.mjs"), "--devices", devices.ToString(), "--no-interact" })
        {
            info.ArgumentList.Add(arg);
        }

        using var node = Process.Start(info) ?? throw new InvalidOperationException("could not start node");
        var stderr = node.StandardError.ReadToEndAsync();
        var stdout = await node.StandardOutput.ReadToEndAsync().WaitAsync(TimeSpan.FromMinutes(5));
        await node.WaitForExitAsync();
        var summary = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault(l => l.Contains("\"event\":\"bench\""));
        if (node.ExitCode != 0 || summary is null)
        {
            throw new InvalidOperationException($"bench.mjs --devices {devices} failed (exit {node.ExitCode}):\n{stdout}\n{await stderr}");
        }

        using var document = JsonDocument.Parse(summary);
        return document.RootElement.Clone();
    }

    private static string FindFixture()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "fixtures", "matterjs");
            if (File.Exists(Path.Combine(candidate, "bench.mjs")))
            {
                return File.Exists(Path.Combine(candidate, "node_modules", "@matter", "main", "package.json"))
                    ? candidate
                    : throw new InvalidOperationException($"matter.js is not installed: run `npm ci` in {candidate}");
            }
        }

        throw new InvalidOperationException("tests/fixtures/matterjs not found above " + AppContext.BaseDirectory);
    }
}
