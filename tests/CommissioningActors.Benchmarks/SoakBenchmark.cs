using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using CommissioningActors.Benchmarks.Support;
using CommissioningActors.Protocol.Matter;
using CommissioningActors.Simulator;

namespace CommissioningActors.Benchmarks;

/// <summary>
/// Issue 12, "Done when": the host (its own process, default limits) under a hostile proxy flooding
/// device_discovered and a /ws client bursting 20,000 commissions, while a well-behaved client commissions the
/// simulated Test Light every few seconds. RSS must stay under the bound and every good commission complete.
/// </summary>
public static class SoakBenchmark
{
    public const double RssBoundMb = 400;
    private const int BurstCommands = 20_000;
    private const string TestLightCode = "34970112332";

    public static async Task<JsonObject> RunAsync(BenchOptions options)
    {
        var duration = TimeSpan.FromSeconds(options.SoakSeconds ?? (options.Full ? 300 : 60));
        var interval = TimeSpan.FromSeconds(options.Full ? 5 : 3);
        var hostDll = options.HostDll ?? StormBenchmark.FindHostDll();
        Console.WriteLine($"soak: {duration.TotalSeconds:0} s; hostile proxy at {Rate(options.FloodRate)}, " +
            $"{BurstCommands:N0} commission_with_code in one burst, a good commission every {interval.TotalSeconds:0} s");

        var http = new Uri($"http://127.0.0.1:{StormBenchmark.FreePort()}");
        // Default limits (the point of the soak); only the log level is lowered so the console stays readable.
        using var host = StormBenchmark.StartHost(hostDll, http, "akka.loglevel = WARNING\ncommissioning.attempt.commission-over-ble = off");
        try
        {
            return await SoakAsync(options, host, http, duration, interval);
        }
        finally
        {
            if (!host.Process.HasExited)
            {
                host.Process.Kill(entireProcessTree: true);
                await host.Process.WaitForExitAsync();
            }
        }
    }

    private static string Rate(int perSecond) => perSecond > 0 ? $"{perSecond:N0} frames/s" : "full speed";

    private static async Task<JsonObject> SoakAsync(BenchOptions options, StormBenchmark.HostProcess host, Uri http, TimeSpan duration, TimeSpan interval)
    {
        var pid = host.Process.Id;
        await using var sampler = new RssSampler(pid, TimeSpan.FromSeconds(1));
        await StormBenchmark.WaitHealthyAsync(http, host);
        var rssAtStart = ProcStats.RssBytes(pid);
        var ble = new Uri($"ws://127.0.0.1:{http.Port}/ble");
        var ws = new Uri($"ws://127.0.0.1:{http.Port}/ws");

        await using var good = await SimulatedProxy.ConnectAsync(new Uri(ble, "?name=soak-good"), new SimulatorOptions { Name = "soak-good" });
        var hostile = new HostileProxy(new Uri(ble, "?name=soak-hostile"), options.FloodRate);
        var burst = new BurstClient();
        var health = new HealthProbe();
        var commissions = new GoodClient();

        using var stop = new CancellationTokenSource();
        var cpuBefore = ProcStats.CpuSeconds(pid);
        var clock = Stopwatch.StartNew();
        var timeline = new ConcurrentQueue<double>();
        var tasks = new List<Task>
        {
            SampleTimelineAsync(sampler, timeline, stop.Token),
            hostile.RunAsync(stop.Token),
            health.RunAsync(http, stop.Token),
            burst.RunAsync(ws, stop.Token),
        };
        // The good client stops starting commissions at the end of the run, but follows its last one to its verdict.
        var goodRun = commissions.RunAsync(ws, interval, duration);
        await Task.Delay(duration);
        await stop.CancelAsync();
        await Task.WhenAll(tasks);
        await goodRun;
        var seconds = clock.Elapsed.TotalSeconds;
        var cpu = ProcStats.CpuSeconds(pid) - cpuBefore;
        var finalRss = sampler.Sample();
        var peakSampled = ProcStats.Mb(sampler.PeakBytes);
        var peakHwm = ProcStats.Mb(ProcStats.PeakRssBytes(pid));
        var peak = Math.Max(peakSampled, double.IsNaN(peakHwm) ? 0 : peakHwm);
        var hostAlive = !host.Process.HasExited;

        var rssOk = peak <= RssBoundMb;
        var goodOk = commissions.Attempted > 0 && commissions.Completed == commissions.Attempted;
        var healthOk = health.Failed == 0 && health.Ok > 0;
        var passed = rssOk && goodOk && healthOk && hostAlive;

        var table = new Table($"soak: {seconds:0} s against one host process (default limits)", "figure", "value", "bound");
        table.Row("host RSS at start (MB)", ProcStats.Mb(rssAtStart), "-")
            .Row("host peak RSS (MB, sampled 1 s / VmHWM)", $"{peakSampled:0.0} / {peakHwm:0.0}", $"<= {RssBoundMb:0}")
            .Row("host final RSS (MB)", ProcStats.Mb(finalRss), $"<= {RssBoundMb:0}")
            .Row("host RSS every 10 s (MB)", string.Join(" ", EveryTenth(timeline).Select(m => $"{m:0}")), "-")
            .Row("host CPU (s) during the soak", cpu, "-")
            .Row("good commissions completed / attempted", $"{commissions.Completed} / {commissions.Attempted}", "all")
            .Row("good commission verdicts", commissions.VerdictsText, "completed")
            .Row("good commission p50 / max (s)", $"{Stats.Percentile(commissions.Seconds, 50):0.00} / {commissions.Seconds.DefaultIfEmpty(double.NaN).Max():0.00}", "-")
            .Row("burst commands sent", burst.Sent, $"{BurstCommands}")
            .Row("burst answers (by code)", burst.AnswersText, "mostly busy")
            .Row("burst answered / last answer after (s)", $"{burst.Answered:N0} / {burst.LastAnswerSeconds:0.0}", "-")
            .Row("hostile frames sent (valid / 60 KB / newline)", $"{hostile.Frames:N0} ({hostile.ValidFrames:N0} / {hostile.OversizedFrames:N0} / {hostile.ForgedFrames:N0})", "-")
            .Row("hostile bytes sent (MB)", hostile.Bytes / 1e6, "-")
            .Row("hostile sessions / closed by host", $"{hostile.Sessions} / {hostile.ClosedByHost}", "-")
            .Row("/healthz ok / failed (1 s probes)", $"{health.Ok} / {health.Failed}", "0 failed")
            .Row("/healthz slowest (ms)", health.SlowestMs, "< 2000")
            .Row("host still running", hostAlive, "yes")
            .Print();
        Console.WriteLine($"verdict: {(passed ? "PASS" : "FAIL")} (RSS <= {RssBoundMb:0} MB -> {(rssOk ? "met" : "MISSED")}; " +
            $"every good commission completed -> {(goodOk ? "met" : "MISSED")}; /healthz throughout -> {(healthOk ? "met" : "MISSED")})");

        return new JsonObject
        {
            ["passed"] = passed,
            ["duration_s"] = Math.Round(seconds, 1),
            ["rss_bound_mb"] = RssBoundMb,
            ["rss_mb_start"] = Math.Round(ProcStats.Mb(rssAtStart), 1),
            ["rss_mb_peak_sampled"] = Math.Round(peakSampled, 1),
            ["rss_mb_peak_vmhwm"] = Math.Round(peakHwm, 1),
            ["rss_mb_final"] = Math.Round(ProcStats.Mb(finalRss), 1),
            ["rss_mb_every_10s"] = new JsonArray([.. EveryTenth(timeline).Select(m => (JsonNode)Math.Round(m, 1))]),
            ["host_cpu_s"] = Math.Round(cpu, 2),
            ["good_interval_s"] = interval.TotalSeconds,
            ["good_attempted"] = commissions.Attempted,
            ["good_completed"] = commissions.Completed,
            ["good_verdicts"] = commissions.Verdicts(),
            ["good_started_at_s"] = commissions.StartedAt,
            ["good_seconds_p50"] = Math.Round(Stats.Percentile(commissions.Seconds, 50), 3),
            ["good_seconds_max"] = Math.Round(commissions.Seconds.DefaultIfEmpty(double.NaN).Max(), 3),
            ["burst_sent"] = burst.Sent,
            ["burst_answers"] = burst.Answers(),
            ["burst_answered"] = burst.Answered,
            ["burst_last_answer_s"] = Math.Round(burst.LastAnswerSeconds, 1),
            ["hostile_rate_per_s"] = options.FloodRate,
            ["hostile_frames"] = hostile.Frames,
            ["hostile_frames_valid"] = hostile.ValidFrames,
            ["hostile_frames_oversized_60kb"] = hostile.OversizedFrames,
            ["hostile_frames_newline"] = hostile.ForgedFrames,
            ["hostile_bytes"] = hostile.Bytes,
            ["hostile_sessions"] = hostile.Sessions,
            ["hostile_closed_by_host"] = hostile.ClosedByHost,
            ["healthz_ok"] = health.Ok,
            ["healthz_failed"] = health.Failed,
            ["healthz_slowest_ms"] = Math.Round(health.SlowestMs, 1),
            ["host_running_at_end"] = hostAlive,
        };
    }

    /// <summary>The host's RSS once a second, for the figure of RSS over time.</summary>
    private static async Task SampleTimelineAsync(RssSampler sampler, ConcurrentQueue<double> mb, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                mb.Enqueue(ProcStats.Mb(sampler.Sample()));
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static IEnumerable<double> EveryTenth(IEnumerable<double> samples) => samples.Where((_, i) => i % 10 == 9);

    /// <summary>A code that decodes but names no simulated device (short discriminator 1), so its jobs scan until their timeout.</summary>
    private static string AbsentDeviceCode()
    {
        var passcode = 12_345_670u;
        while (!SetupCode.IsValidPasscode(passcode))
        {
            passcode++;
        }

        return SetupCode.ToManualCode(new SetupPayload(passcode, 0x100, false));
    }

    /// <summary>One /ws client sending 20,000 commission_with_code back to back, counting the answers by error code.</summary>
    private sealed class BurstClient
    {
        private readonly ConcurrentDictionary<string, int> _answers = new(StringComparer.Ordinal);
        private readonly Stopwatch _clock = new();
        private int _sent;
        private int _answered;
        private double _lastAnswerSeconds;

        public int Sent => Volatile.Read(ref _sent);

        public int Answered => Volatile.Read(ref _answered);

        /// <summary>From the first command sent to the last answer read.</summary>
        public double LastAnswerSeconds => Volatile.Read(ref _lastAnswerSeconds);

        public JsonObject Answers() => new(_answers.OrderByDescending(a => a.Value).Select(a => KeyValuePair.Create(a.Key, (JsonNode?)a.Value)));

        public string AnswersText => string.Join(", ", _answers.OrderByDescending(a => a.Value).Select(a => $"{a.Key} {a.Value:N0}"));

        public async Task RunAsync(Uri ws, CancellationToken ct)
        {
            await using var client = await WsClient.ConnectAsync(ws, ct);
            var reader = Task.Run(() => ReadAsync(client, ct), CancellationToken.None);
            var code = AbsentDeviceCode();
            _clock.Start();
            for (var i = 0; i < BurstCommands && !ct.IsCancellationRequested; i++)
            {
                await client.SendAsync($"b{i}", "commission_with_code", new JsonObject { ["code"] = code, ["timeout_s"] = 30, ["label"] = "soak burst" });
                Interlocked.Increment(ref _sent);
            }

            await reader;
        }

        private async Task ReadAsync(WsClient client, CancellationToken ct)
        {
            try
            {
                while (await client.ReceiveJsonAsync(ct) is { } frame)
                {
                    if (((string?)frame["message_id"])?.StartsWith('b') == true)
                    {
                        var key = frame["error_code"] is { } error ? (string)error! : "job created";
                        _answers.AddOrUpdate(key, 1, (_, n) => n + 1);
                        Interlocked.Increment(ref _answered);
                        Volatile.Write(ref _lastAnswerSeconds, _clock.Elapsed.TotalSeconds);
                    }
                }
            }
            catch (Exception e) when (e is OperationCanceledException or System.Net.WebSockets.WebSocketException)
            {
            }
        }
    }

    /// <summary>Commissions the Test Light every interval and follows each job to its verdict, one at a time.</summary>
    private sealed class GoodClient
    {
        private static readonly TimeSpan VerdictWithin = TimeSpan.FromSeconds(120);
        private readonly ConcurrentDictionary<string, int> _verdicts = new(StringComparer.Ordinal);
        private readonly ConcurrentBag<double> _seconds = [];
        private readonly ConcurrentQueue<double> _startedAt = new();
        private int _attempted;

        public int Attempted => Volatile.Read(ref _attempted);

        public int Completed => _verdicts.GetValueOrDefault("completed");

        public List<double> Seconds => [.. _seconds];

        /// <summary>When each attempt started, seconds into the run: shows the commissions spread over all of it.</summary>
        public JsonArray StartedAt => [.. _startedAt.Select(t => (JsonNode)Math.Round(t, 1))];

        public JsonObject Verdicts() => new(_verdicts.Select(v => KeyValuePair.Create(v.Key, (JsonNode?)v.Value)));

        public string VerdictsText => string.Join(", ", _verdicts.Select(v => $"{v.Key} {v.Value}"));

        public async Task RunAsync(Uri ws, TimeSpan interval, TimeSpan duration)
        {
            await using var client = await WsClient.ConnectAsync(ws);
            var clock = Stopwatch.StartNew();
            for (var n = 0; clock.Elapsed < duration; n++)
            {
                var started = clock.Elapsed;
                _startedAt.Enqueue(started.TotalSeconds);
                Interlocked.Increment(ref _attempted);
                var watch = Stopwatch.StartNew();
                var verdict = await CommissionAsync(client, n);
                _verdicts.AddOrUpdate(verdict, 1, (_, k) => k + 1);
                if (verdict == "completed")
                {
                    _seconds.Add(watch.Elapsed.TotalSeconds);
                }

                if (started + interval >= duration)
                {
                    break;
                }

                var wait = started + interval - clock.Elapsed;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait);
                }
            }
        }

        /// <summary>The job's terminal status (failed jobs as failed:error_code), or what went wrong before it.</summary>
        private static async Task<string> CommissionAsync(WsClient client, int n)
        {
            using var timeout = new CancellationTokenSource(VerdictWithin);
            try
            {
                await client.SendAsync($"g{n}", "commission_with_code", new JsonObject { ["code"] = TestLightCode, ["label"] = "soak good" });
                var answer = await NextAsync(client, $"g{n}", timeout.Token);
                if (answer?["result"]?["job_id"] is not { } jobId)
                {
                    return $"refused:{(string?)answer?["error_code"] ?? "closed"}";
                }

                await client.SendAsync($"f{n}", "follow_job", new JsonObject { ["job_id"] = (string)jobId! });
                while (await NextAsync(client, $"f{n}", timeout.Token) is { } frame)
                {
                    switch ((string?)frame["event"])
                    {
                        case "job_completed":
                            return "completed";
                        case "job_failed":
                            return $"failed:{(string?)frame["data"]?["error_code"]}";
                        case "job_cancelled":
                            return "cancelled";
                    }

                    if (frame["error_code"] is { } error)
                    {
                        return $"follow:{(string?)error}";
                    }
                }

                return "socket closed";
            }
            catch (OperationCanceledException)
            {
                return "no verdict in 120 s";
            }
        }

        private static async Task<JsonObject?> NextAsync(WsClient client, string messageId, CancellationToken ct)
        {
            while (await client.ReceiveJsonAsync(ct) is { } frame)
            {
                if ((string?)frame["message_id"] == messageId)
                {
                    return frame;
                }
            }

            return null;
        }
    }

    /// <summary>GET /healthz every second with a 2 s timeout; counts answers and the slowest.</summary>
    private sealed class HealthProbe
    {
        private int _ok;
        private int _failed;
        private double _slowest;

        public int Ok => Volatile.Read(ref _ok);
        public int Failed => Volatile.Read(ref _failed);
        public double SlowestMs => Volatile.Read(ref _slowest);

        public async Task RunAsync(Uri http, CancellationToken ct)
        {
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
            try
            {
                while (await timer.WaitForNextTickAsync(ct))
                {
                    var watch = Stopwatch.StartNew();
                    try
                    {
                        using var response = await client.GetAsync(new Uri(http, "/healthz"), CancellationToken.None);
                        Interlocked.Increment(ref response.IsSuccessStatusCode ? ref _ok : ref _failed);
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                    {
                        Interlocked.Increment(ref _failed);
                    }

                    _slowest = Math.Max(_slowest, watch.Elapsed.TotalMilliseconds);
                }
            }
            catch (OperationCanceledException)
            {
            }
        }
    }
}
