using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Akka.Actor;
using CommissioningActors.Benchmarks.Support;
using CommissioningActors.Core.Commissioning;
using CommissioningActors.Core.Controller;
using CommissioningActors.Core.Jobs;
using CommissioningActors.Host.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace CommissioningActors.Benchmarks;

/// <summary>
/// Issue 6, benchmark 3: one job's output fanned out to 1, 10 and 100 follow_job clients over loopback
/// WebSockets (host in-process), then one stalled follower: overflow-to-close time and RSS while the job
/// writes on. Lines are told to the JobActor directly, as the attempt would.
/// </summary>
public static class FollowersBenchmark
{
    // No proxy is connected, so each job keeps scanning (stays running) until cancelled.
    private const string Hocon = """
        commissioning.attempt.scan-timeout = 1h
        commissioning.attempt.timeout = 1h
        akka.loglevel = WARNING
        """;

    // Producer lead over the slowest follower; below follower-buffer (4,000) so a fast follower never overflows.
    private const int Window = 2000;
    private const int Batch = 250;

    public static async Task<JsonObject> RunAsync(BenchOptions options)
    {
        var events = options.Full ? 1_000_000 : 100_000;
        var stallLines = options.Lines ?? (options.Full ? 10_000_000 : 500_000);

        var app = CommissioningHost.Build(
            ["--urls", "http://127.0.0.1:0", "--Simulator:Enabled=false", "--Serilog:MinimumLevel:Default=Warning",
                "--Serilog:MinimumLevel:Override:Microsoft.Hosting.Lifetime=Warning",
                $"--Storage:Directory={Path.Combine(Path.GetTempPath(), "ca-bench-" + Guid.NewGuid().ToString("N"))}"], Hocon);
        await app.StartAsync();
        try
        {
            var http = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
            var ws = new UriBuilder(http) { Scheme = "ws", Path = "/ws" }.Uri;
            var system = app.Services.GetRequiredService<ActorSystem>();
            await using var owner = await ConnectAsync(ws);

            var fanOut = new List<FanOutResult>();
            foreach (var followers in new[] { 1, 10, 100 })
            {
                fanOut.Add(await FanOutAsync(system, owner, ws, followers, events / followers));
            }

            var stall = await StalledAsync(app, system, owner, ws, stallLines);

            var table = new Table("followers: one job's output over loopback WebSockets (host in-process)", "figure", "value", "target");
            foreach (var f in fanOut)
            {
                table.Row($"events/s total, {f.Followers} follower(s) x {f.Lines:N0} lines", f.EventsPerSecond, ">= 500,000");
            }

            table.Row("stalled follower: overflow -> socket closed (ms)", stall.OverflowToCloseMs, "<= 1,000")
                .Row("stalled follower: lines written before overflow", stall.LinesAtOverflow, "-")
                .Row($"RSS MB before the job writes", stall.RssBeforeMb, "-")
                .Row($"RSS MB after line 1", stall.RssFirstMb, "-")
                .Row($"RSS MB after line {stallLines:N0}", stall.RssLastMb, "-")
                .Row("RSS MB peak (sampled)", stall.RssPeakMb, "-")
                .Row("RSS change first -> last line (%)", stall.RssChangePercent, "within +/-10")
                .Row("job lines/s while stalled follower attached/failed", stall.LinesPerSecond, "-")
                .Print();
            Console.WriteLine("RSS checkpoints (MB): " + string.Join(", ", stall.Checkpoints.Select(c => $"{c.Lines:N0}: {c.RssMb:0}")));

            return new JsonObject
            {
                ["fan_out"] = new JsonArray([.. fanOut.Select(f => (JsonNode)new JsonObject
                {
                    ["followers"] = f.Followers,
                    ["lines"] = f.Lines,
                    ["events"] = (long)f.Followers * f.Lines,
                    ["seconds"] = Math.Round(f.Seconds, 3),
                    ["events_per_second"] = Math.Round(f.EventsPerSecond),
                })]),
                ["stalled"] = new JsonObject
                {
                    ["lines"] = stallLines,
                    ["overflow_to_close_ms"] = Math.Round(stall.OverflowToCloseMs, 1),
                    ["lines_at_overflow"] = stall.LinesAtOverflow,
                    ["rss_mb_before"] = Math.Round(stall.RssBeforeMb, 1),
                    ["rss_mb_first_line"] = Math.Round(stall.RssFirstMb, 1),
                    ["rss_mb_last_line"] = Math.Round(stall.RssLastMb, 1),
                    ["rss_mb_peak"] = Math.Round(stall.RssPeakMb, 1),
                    ["rss_change_percent"] = Math.Round(stall.RssChangePercent, 1),
                    ["lines_per_second"] = Math.Round(stall.LinesPerSecond),
                    ["checkpoints"] = new JsonArray([.. stall.Checkpoints.Select(c => (JsonNode)new JsonObject
                    {
                        ["lines"] = c.Lines,
                        ["rss_mb"] = Math.Round(c.RssMb, 1),
                    })]),
                },
            };
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    private static string Line(long i) =>
        string.Create(CultureInfo.InvariantCulture, $"[{i:D9}] BTP segment acked by C0:FF:EE:00:00:01 via proxy-1 (window 6)");

    private static async Task<WsClient> ConnectAsync(Uri ws)
    {
        var client = await WsClient.ConnectAsync(ws);
        await client.ReceiveRawAsync(); // server_info
        return client;
    }

    private static async Task<(string Id, IActorRef Job)> RunningJobAsync(ActorSystem system, WsClient owner, string messageId)
    {
        await owner.SendAsync(messageId, "commission_with_code", new JsonObject { ["code"] = "34970112332" });
        while (await owner.ReceiveJsonAsync() is { } frame)
        {
            if ((string?)frame["message_id"] == messageId)
            {
                var id = (string)frame["result"]!["job_id"]!;
                return (id, await system.ActorSelection($"/user/jobs/job-{id}").ResolveOne(TimeSpan.FromSeconds(5)));
            }
        }

        throw new InvalidOperationException("owner socket closed");
    }

    private static async Task FollowAsync(WsClient client, string jobId)
    {
        await client.SendAsync("f", "follow_job", new JsonObject { ["job_id"] = jobId });
        await client.ReceiveRawAsync(); // job_snapshot
    }

    private static async Task<FanOutResult> FanOutAsync(ActorSystem system, WsClient owner, Uri ws, int followers, int lines)
    {
        var (jobId, job) = await RunningJobAsync(system, owner, $"fan-{followers}");
        var clients = new WsClient[followers];
        for (var i = 0; i < followers; i++)
        {
            clients[i] = await ConnectAsync(ws);
            await FollowAsync(clients[i], jobId);
        }

        var received = new long[followers];
        var readers = clients.Select((client, i) => Task.Run(async () =>
        {
            // Counting frames is all a fast follower does: no parsing, so the host is what is measured.
            while (Volatile.Read(ref received[i]) < lines && await client.ReceiveRawAsync() is not null)
            {
                Interlocked.Increment(ref received[i]);
            }
        })).ToArray();

        var watch = Stopwatch.StartNew();
        long sent = 0;
        while (sent < lines)
        {
            if (sent - SlowestOf(received) >= Window)
            {
                await Task.Delay(1);
                continue;
            }

            var end = Math.Min(lines, sent + Batch);
            for (var i = sent; i < end; i++)
            {
                job.Tell(new AttemptOutput(jobId, Line(i + 1)));
            }

            sent = end;
        }

        await Task.WhenAll(readers).WaitAsync(TimeSpan.FromMinutes(5));
        var seconds = watch.Elapsed.TotalSeconds;

        await owner.SendAsync($"cancel-{followers}", "cancel_job", new JsonObject { ["job_id"] = jobId });
        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }

        return new FanOutResult(followers, lines, seconds, (double)followers * lines / seconds);
    }

    private static long SlowestOf(long[] received)
    {
        var min = long.MaxValue;
        for (var i = 0; i < received.Length; i++)
        {
            min = Math.Min(min, Interlocked.Read(ref received[i]));
        }

        return min;
    }

    private static async Task<StallResult> StalledAsync(WebApplication app, ActorSystem system, WsClient owner, Uri ws, long lines)
    {
        var hub = await system.ActorSelection("/user/controllers").ResolveOne(TimeSpan.FromSeconds(5));
        var (jobId, job) = await RunningJobAsync(system, owner, "stall");
        await using var stalled = await ConnectAsync(ws);
        await FollowAsync(stalled, jobId);
        // From here on the stalled client never reads.

        // Only the owner (no streams) and the stalled client are left, so the one stream-* is the stalled follower.
        while ((await hub.Ask<ControllerSessionCount>(GetControllerSessionCount.Instance, TimeSpan.FromSeconds(5))).Count > 2)
        {
            await Task.Delay(20);
        }

        var deaths = new ConcurrentDictionary<string, long>();
        var watcher = system.ActorOf(Props.Create(() => new DeathWatcher(deaths)));
        system.ActorSelection("/user/controllers/*/stream-*").Tell(new Identify("follower"), watcher);
        while (!deaths.ContainsKey("watching"))
        {
            await Task.Delay(10);
        }

        var pid = Environment.ProcessId;
        await using var rss = new RssSampler(pid, TimeSpan.FromMilliseconds(100));
        ForceGc();
        var before = ProcStats.Mb(ProcStats.RssBytes(pid));
        var checkpoints = new List<(long Lines, double RssMb)>();
        long? atOverflow = null;
        double first = double.NaN;
        var step = Math.Max(1, lines / 10);
        var nextCheckpoint = step;
        const int Chunk = 10_000;
        var watch = Stopwatch.StartNew();
        for (long sent = 0; sent < lines;)
        {
            var end = sent == 0 ? 1 : Math.Min(lines, (sent / Chunk + 1) * Chunk);
            for (var i = sent; i < end; i++)
            {
                job.Tell(new AttemptOutput(jobId, Line(i + 1)));
            }

            sent = end;
            // A barrier per chunk: the job's mailbox stays short, so RSS shows the job, not a backlog of our tells.
            var followers = (await job.Ask<FollowerCount>(GetFollowerCount.Instance, TimeSpan.FromSeconds(30))).Count;
            if (followers == 0)
            {
                atOverflow ??= sent;
            }

            if (sent == 1)
            {
                first = ProcStats.Mb(rss.Sample());
                checkpoints.Add((1, first));
            }
            else if (sent >= nextCheckpoint || sent == lines)
            {
                checkpoints.Add((sent, ProcStats.Mb(rss.Sample())));
                nextCheckpoint += step;
            }
        }

        var seconds = watch.Elapsed.TotalSeconds;
        var last = checkpoints[^1].RssMb;
        var closeWait = Stopwatch.StartNew();
        while (!deaths.ContainsKey("session") && closeWait.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(10);
        }

        var overflowToClose = deaths.TryGetValue("follower", out var overflowAt) && deaths.TryGetValue("session", out var closedAt)
            ? Stopwatch.GetElapsedTime(overflowAt, closedAt).TotalMilliseconds
            : double.NaN;
        await owner.SendAsync("cancel-stall", "cancel_job", new JsonObject { ["job_id"] = jobId });
        return new StallResult(overflowToClose, atOverflow ?? -1, before, first, last, ProcStats.Mb(rss.PeakBytes),
            (last - first) / first * 100, lines / seconds, checkpoints);
    }

    private static void ForceGc()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    /// <summary>
    /// Watches the stalled follower and its controller session. The follower stops the moment its buffer
    /// overflows; the session stops when its socket's receive loop ends, i.e. once the socket is closed or aborted.
    /// </summary>
    private sealed class DeathWatcher : UntypedActor
    {
        private readonly ConcurrentDictionary<string, long> _deaths;
        private IActorRef? _follower;
        private IActorRef? _session;

        public DeathWatcher(ConcurrentDictionary<string, long> deaths) => _deaths = deaths;

        protected override void OnReceive(object message)
        {
            switch (message)
            {
                case ActorIdentity { MessageId: "follower", Subject: { } follower }:
                    _follower = Context.Watch(follower);
                    Context.ActorSelection(follower.Path.Parent).Tell(new Identify("session"));
                    break;
                case ActorIdentity { MessageId: "session", Subject: { } session }:
                    _session = Context.Watch(session);
                    _deaths["watching"] = Stopwatch.GetTimestamp();
                    break;
                case Terminated t:
                    _deaths[t.ActorRef.Equals(_follower) ? "follower" : t.ActorRef.Equals(_session) ? "session" : "other"] = Stopwatch.GetTimestamp();
                    break;
            }
        }
    }

    private sealed record FanOutResult(int Followers, int Lines, double Seconds, double EventsPerSecond);

    private sealed record StallResult(
        double OverflowToCloseMs,
        long LinesAtOverflow,
        double RssBeforeMb,
        double RssFirstMb,
        double RssLastMb,
        double RssPeakMb,
        double RssChangePercent,
        double LinesPerSecond,
        List<(long Lines, double RssMb)> Checkpoints);
}
