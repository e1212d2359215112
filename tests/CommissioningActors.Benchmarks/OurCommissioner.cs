using System.Diagnostics;
using System.Text.Json.Nodes;
using CommissioningActors.Benchmarks.Support;

namespace CommissioningActors.Benchmarks;

/// <summary>
/// Our side of <see cref="CommissionBenchmark"/>: N+1 fresh lights, a fresh host process (its own store, so a new
/// fabric; started like the storm's), one /ws client that follows every job. After 1 s it commissions light 0 alone
/// (the warm-up: a fresh host's first commission), then sends N commission_on_network with ip_addr back to back.
/// A device's time runs from its command being sent to its job_completed arriving (the node is saved by then).
/// </summary>
public static class OurCommissioner
{
    // The Matter socket on loopback; no mDNS resolver (the host's lo has no multicast: CASE goes to the address we
    // commissioned through, as matter.js's controller is told too); room for N jobs on one connection.
    private const string Hocon = """
        commissioning.matter.udp.bind-address = "127.0.0.1"
        commissioning.matter.resolver.enabled = off
        commissioning.jobs.max-active = 512
        commissioning.jobs.max-active-per-client = 512
        commissioning.jobs.retain-finished = 512
        akka.loglevel = WARNING
        """;

    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(5);

    // Before the warm-up commission the host idles as long as controller.mjs --warmup does after its start.
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(1);

    public static async Task<RunResult> RunAsync(string hostDll, int count, bool trace, string extraHocon = "")
    {
        await using var lights = await MatterJsLights.StartAsync(count + 1);
        var storage = Path.Combine(Path.GetTempPath(), "ca-bench-store-" + Guid.NewGuid().ToString("N"));
        var http = new Uri($"http://127.0.0.1:{StormBenchmark.FreePort()}");
        using var host = StormBenchmark.StartHost(hostDll, http, $"{Hocon}\n{extraHocon}", storage);
        try
        {
            await StormBenchmark.WaitHealthyAsync(http, host);
            await using var client = await WsClient.ConnectAsync(new UriBuilder(http) { Scheme = "ws", Path = "/ws" }.Uri);
            await client.ReceiveJsonAsync(); // server_info
            await client.SendAsync("f", "follow_jobs");
            while ((string?)(await client.ReceiveJsonAsync())?["event"] != "jobs_snapshot")
            {
            }

            await Task.Delay(Settle);
            var warmup = await CommissionAllAsync(client, lights, [0], "w", trace);
            if (warmup.Ok != 1)
            {
                return warmup with { Error = "warm-up: " + warmup.Error };
            }

            var cpuBefore = ProcStats.CpuSeconds(host.Process.Id);
            var result = await CommissionAllAsync(client, lights, [.. Enumerable.Range(1, count)], "c", trace);
            var cpuMs = (ProcStats.CpuSeconds(host.Process.Id) - cpuBefore) * 1000;
            var fabrics = lights.DevicesWithFabricAdded();
            result = result with { WarmupMs = warmup.TotalMs, CpuMs = cpuMs };
            return fabrics >= result.Ok + 1 ? result : result with { Error = $"{result.Ok + 1} jobs completed but only {fabrics} devices added a fabric" };
        }
        finally
        {
            if (!host.Process.HasExited)
            {
                host.Process.Kill(entireProcessTree: true);
                await host.Process.WaitForExitAsync();
            }

            if (Directory.Exists(storage))
            {
                Directory.Delete(storage, recursive: true);
            }
        }
    }

    /// <summary>Commissions the lights <paramref name="which"/> all at once (commands "PREFIX0", "PREFIX1", ...).</summary>
    private static async Task<RunResult> CommissionAllAsync(WsClient client, MatterJsLights lights, int[] which, string prefix, bool trace)
    {
        var count = which.Length;
        var sent = new long[count];
        var done = new long?[count];
        var jobOf = new Dictionary<string, int>();
        var traces = new Dictionary<string, List<(long Ticks, string Line)>>();
        var failures = new List<string>();
        for (var i = 0; i < count; i++)
        {
            sent[i] = Stopwatch.GetTimestamp();
            var (port, passcode) = lights.Devices[which[i]];
            await client.SendAsync($"{prefix}{i}", "commission_on_network", new JsonObject
            {
                ["setup_pin_code"] = passcode,
                ["ip_addr"] = $"127.0.0.1:{port}",
            });
        }

        using var deadline = new CancellationTokenSource(Deadline);
        var terminal = 0;
        while (terminal < count)
        {
            var frame = await client.ReceiveJsonAsync(deadline.Token) ?? throw new InvalidOperationException("the host closed /ws");
            var now = Stopwatch.GetTimestamp();
            var id = (string?)frame["message_id"];
            if (id is { Length: > 1 } && id.StartsWith(prefix, StringComparison.Ordinal) && int.TryParse(id.AsSpan(prefix.Length), out var device))
            {
                if (frame["result"]?["job_id"] is { } jobId)
                {
                    jobOf[(string)jobId!] = device;
                }
                else
                {
                    failures.Add($"device {which[device]}: {frame["error"]?.ToJsonString() ?? frame.ToJsonString()}");
                    terminal++;
                }

                continue;
            }

            var name = (string?)frame["event"];
            var job = (string?)frame["data"]?["job_id"];
            if (id != "f" || job is null)
            {
                continue;
            }

            if (trace && name == "job_output")
            {
                (traces.TryGetValue(job, out var list) ? list : traces[job] = []).Add((now, (string)frame["data"]!["line"]!));
            }

            if (name is "job_completed" or "job_failed" or "job_cancelled")
            {
                terminal++;
                if (!jobOf.TryGetValue(job, out var index))
                {
                    failures.Add($"job {job} ended before its command was answered");
                }
                else if (name == "job_completed")
                {
                    done[index] = now;
                }
                else
                {
                    failures.Add($"device {which[index]}: {name} {frame["data"]?["error_code"]}: {frame["data"]?["error"]}");
                }
            }
        }

        if (trace)
        {
            PrintTrace(traces, jobOf, sent);
        }

        var per = Enumerable.Range(0, count).Where(i => done[i] is not null).Select(i => (done[i]!.Value - sent[i]) / CommissionBenchmark.TicksPerMs).ToArray();
        var last = done.Where(d => d is not null).Select(d => d!.Value).DefaultIfEmpty(sent[0]).Max();
        return new RunResult("ours", per, (last - sent[0]) / CommissionBenchmark.TicksPerMs, per.Length,
            failures.Count == 0 ? null : string.Join("; ", failures.Take(3)), CommissionBenchmark.LoadAverage());
    }

    /// <summary>--commission-trace: when each output line of the first device's job arrived, from its command.</summary>
    private static void PrintTrace(Dictionary<string, List<(long Ticks, string Line)>> traces, Dictionary<string, int> jobOf, long[] sent)
    {
        foreach (var (job, lines) in traces.Where(t => jobOf.TryGetValue(t.Key, out var d) && d == 0))
        {
            Console.WriteLine($"    trace of job {job} (device 0), ms from its command:");
            foreach (var (ticks, line) in lines)
            {
                Console.WriteLine($"    {(ticks - sent[0]) / CommissionBenchmark.TicksPerMs,8:0.0}  {line}");
            }
        }
    }
}
