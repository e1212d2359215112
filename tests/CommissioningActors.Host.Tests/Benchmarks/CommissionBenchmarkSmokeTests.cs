using System.Text.Json.Nodes;
using CommissioningActors.Benchmarks;

namespace CommissioningActors.Host.Tests.Benchmarks;

/// <summary>
/// The issue-9 commission benchmark runs end to end at its smallest size: one matter.js light each way (plus each
/// side's warm-up light). Only that it works is checked here; its times are read in docs/benchmarks.md, never asserted.
/// </summary>
public sealed class CommissionBenchmarkSmokeTests
{
    [Fact]
    public async Task One_run_of_one_light_is_commissioned_by_us_and_by_matter_js_and_reported()
    {
        var result = await CommissionBenchmark.RunAsync(new BenchOptions { CommissionRuns = [(1, 1)] });

        var size = Assert.Single(result["sizes"]!.AsArray())!;
        Assert.Equal(1, (int)size["devices"]!);
        foreach (var side in new[] { "ours", "matterjs" })
        {
            var run = Assert.Single(size[side]!["runs"]!.AsArray())!.AsObject();
            Assert.True((int)run["ok"]! == 1 && run["error"] is null, $"{side}: {run.ToJsonString()}");
            Assert.True((double)run["total_ms"]! > 0, run.ToJsonString());
            Assert.True((double)run["warmup_ms"]! > 0, run.ToJsonString());
            Assert.Single(run["per_device_ms"]!.AsArray());
        }
    }
}
