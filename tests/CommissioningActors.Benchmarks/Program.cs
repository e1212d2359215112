using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using CommissioningActors.Benchmarks;
using CommissioningActors.Benchmarks.Support;

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine($"{e.Message}\n{BenchOptions.Usage}");
    return 2;
}

var results = new JsonObject
{
    ["mode"] = options.Mode,
    ["started_at"] = DateTimeOffset.UtcNow.ToString("O"),
    ["commit"] = Git("rev-parse", "--short", "HEAD"),
    ["dirty"] = Git("status", "--porcelain", "--untracked-files=no") is { Length: > 0 },
    ["machine"] = new JsonObject
    {
        ["processors"] = Environment.ProcessorCount,
        ["memory_gb"] = Math.Round(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 1e9, 1),
        ["os"] = RuntimeInformation.OSDescription,
        ["runtime"] = RuntimeInformation.FrameworkDescription,
    },
    ["benchmarks"] = new JsonObject(),
};
if (!PrivateNetwork.Inside)
{
    Console.WriteLine($"CommissioningActors benchmarks, {options.Mode} mode, commit {results["commit"]}, " +
        $"{Environment.ProcessorCount} cpu(s), {RuntimeInformation.FrameworkDescription}");
}

var total = Stopwatch.StartNew();
var benchmarks = results["benchmarks"]!.AsObject();
var failed = false;
foreach (var (name, run) in new (string, Func<BenchOptions, Task<JsonObject>>)[]
         {
             ("storm", StormBenchmark.RunAsync),
             ("gate", GateBenchmark.RunAsync),
             ("followers", FollowersBenchmark.RunAsync),
             ("output", OutputCapBenchmark.RunAsync),
             ("commission", CommissionBenchmark.RunAsync),
             ("matterjs", MatterJsReferenceBenchmark.RunAsync),
             ("soak", SoakBenchmark.RunAsync),
         })
{
    if (!options.Runs(name))
    {
        continue;
    }

    var watch = Stopwatch.StartNew();
    try
    {
        // The storm needs mDNS: it runs in a private network namespace (a child of this harness) unless already in one.
        var result = name == "storm" && !PrivateNetwork.Inside ? await PrivateNetwork.RunAsync(name, args) : await run(options);

        result["seconds"] = Math.Round(watch.Elapsed.TotalSeconds, 1);
        benchmarks[name] = result;
        // A benchmark with a pass/fail verdict (the soak) fails the run without losing its figures.
        failed |= result["passed"] is JsonValue passed && !passed.GetValue<bool>();
    }
    catch (Exception e)
    {
        failed = true;
        Console.Error.WriteLine($"benchmark {name} failed: {e}");
        benchmarks[name] = new JsonObject { ["error"] = e.Message };
    }

    if (!PrivateNetwork.Inside)
    {
        Console.WriteLine($"({name}: {watch.Elapsed.TotalSeconds:0.0} s)");
    }
}

results["seconds"] = Math.Round(total.Elapsed.TotalSeconds, 1);
var directory = Path.GetDirectoryName(Path.GetFullPath(options.JsonPath));
Directory.CreateDirectory(directory!);
await File.WriteAllTextAsync(options.JsonPath, results.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
if (!PrivateNetwork.Inside)
{
    Console.WriteLine($"\nall done in {total.Elapsed.TotalSeconds:0.0} s; results in {Path.GetFullPath(options.JsonPath)}");
}

return failed ? 1 : 0;

static string? Git(params string[] args)
{
    try
    {
        var info = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var git = Process.Start(info)!;
        var output = git.StandardOutput.ReadToEnd().Trim();
        git.WaitForExit();
        return git.ExitCode == 0 ? output : null;
    }
    catch (System.ComponentModel.Win32Exception)
    {
        return null;
    }
}
