using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using CommissioningActors.Benchmarks.Support;
using CommissioningActors.Core.Jobs;

namespace CommissioningActors.Benchmarks;

/// <summary>
/// Issue 6, benchmark 4: cost per appended line and retained memory for one JobOutputBuffer, capped (the
/// default 4,000 / 2,000) against JobOutputLimits.Unbounded. Each line is a fresh string, as a job's output is.
/// </summary>
public static class OutputCapBenchmark
{
    private const int Segments = 10;

    public static Task<JsonObject> RunAsync(BenchOptions options)
    {
        var lines = options.Lines ?? (options.Full ? 10_000_000 : 1_000_000);
        var segment = Math.Max(1, lines / Segments);

        // Warm-up: tiered JIT settles before the first measured segment.
        Run(JobOutputLimits.Default, 300_000, 100_000);

        // What making the line alone costs, so the buffer's own share is visible.
        var making = MakeOnly(Math.Min(lines, 2_000_000));
        var capped = Run(JobOutputLimits.Default, lines, segment);
        var unbounded = Run(JobOutputLimits.Unbounded, lines, segment);

        var table = new Table($"output cap: {lines:N0} lines appended to one job's buffer", "figure", "capped (4000/2000)", "unbounded", "unbounded / capped");
        foreach (var (c, u) in capped.Checkpoints.Zip(unbounded.Checkpoints))
        {
            table.Row($"ns/line, lines {c.AfterLines - segment + 1:N0}-{c.AfterLines:N0}", c.SegmentNsPerLine, u.SegmentNsPerLine,
                u.SegmentNsPerLine / c.SegmentNsPerLine);
        }

        table.Row("ns/line overall", capped.NsPerLine, unbounded.NsPerLine, unbounded.NsPerLine / capped.NsPerLine)
            .Row("ns/line, making the line alone", making, making, 1.0)
            .Row("retained MB at the end", ProcStats.Mb(capped.RetainedBytes), ProcStats.Mb(unbounded.RetainedBytes),
                (double)unbounded.RetainedBytes / capped.RetainedBytes)
            .Row("retained MB bound (cap x line size)", ProcStats.Mb(capped.CapBoundBytes), "none", "-")
            .Row("lines retained", capped.Retained, unbounded.Retained, "-")
            .Row("gen2 GCs during the run", capped.Gen2, unbounded.Gen2, "-")
            .Print();

        var growth = capped.Checkpoints[^1].SegmentNsPerLine / capped.Checkpoints[0].SegmentNsPerLine;
        var bounded = capped.RetainedBytes <= capped.CapBoundBytes;
        Console.WriteLine($"targets: O(1) per line -> last/first segment cost {growth:0.00}x (flat = about 1); " +
            $"retained memory bounded by the cap -> {(bounded ? "yes" : "NO")}");

        return Task.FromResult(new JsonObject
        {
            ["lines"] = lines,
            ["make_line_ns"] = Math.Round(making, 1),
            ["capped"] = capped.ToJson(),
            ["unbounded"] = unbounded.ToJson(),
            ["ratio_ns_per_line"] = Math.Round(unbounded.NsPerLine / capped.NsPerLine, 2),
            ["ratio_retained_bytes"] = Math.Round((double)unbounded.RetainedBytes / capped.RetainedBytes, 1),
            ["capped_last_over_first_segment"] = Math.Round(growth, 2),
            ["capped_retained_within_bound"] = bounded,
        });
    }

    // Shaped like attempt output: prefix, a counter, an address.
    private static string Line(long i) =>
        string.Create(CultureInfo.InvariantCulture, $"[{i:D9}] BTP segment acked by C0:FF:EE:00:00:01 via proxy-1 (window 6)");

    private static double MakeOnly(long lines)
    {
        var watch = Stopwatch.StartNew();
        var sink = 0;
        for (long i = 1; i <= lines; i++)
        {
            sink += Line(i).Length;
        }

        GC.KeepAlive(sink);
        return watch.Elapsed.TotalNanoseconds / lines;
    }

    private static Result Run(JobOutputLimits limits, long lines, long segment)
    {
        Settle();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var gen2 = GC.CollectionCount(2);
        var buffer = new JobOutputBuffer(limits);
        buffer.RegisterSecret("20202021");
        var checkpoints = new List<Checkpoint>();
        var total = TimeSpan.Zero;
        long lineBytes = 0;
        for (long start = 1; start <= lines; start += segment)
        {
            var end = Math.Min(lines, start + segment - 1);
            var watch = Stopwatch.StartNew();
            for (var i = start; i <= end; i++)
            {
                buffer.Append(Line(i));
            }

            watch.Stop();
            total += watch.Elapsed;
            checkpoints.Add(new Checkpoint(end, watch.Elapsed.TotalNanoseconds / (end - start + 1)));
        }

        lineBytes = 24 + 2L * Line(lines).Length + 8; // string object + its slot in the ring
        var gcs = GC.CollectionCount(2) - gen2;
        var retained = GC.GetTotalMemory(forceFullCollection: true) - before;
        var result = new Result(limits, checkpoints, total.TotalNanoseconds / lines, retained, buffer.RetainedCount, gcs,
            limits.IsUnbounded ? long.MaxValue : (limits.InFlightCap + 1) * lineBytes + 64 * 1024);
        GC.KeepAlive(buffer);
        return result;
    }

    private static void Settle()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    private sealed record Checkpoint(long AfterLines, double SegmentNsPerLine);

    private sealed record Result(JobOutputLimits Limits, List<Checkpoint> Checkpoints, double NsPerLine, long RetainedBytes, int Retained, int Gen2,
        long CapBoundBytes)
    {
        public JsonObject ToJson() => new()
        {
            ["ns_per_line"] = Math.Round(NsPerLine, 1),
            ["retained_bytes"] = RetainedBytes,
            ["retained_lines"] = Retained,
            ["gen2_collections"] = Gen2,
            ["cap_bound_bytes"] = Limits.IsUnbounded ? null : CapBoundBytes,
            ["segments"] = new JsonArray([.. Checkpoints.Select(c => (JsonNode)new JsonObject
            {
                ["after_lines"] = c.AfterLines,
                ["ns_per_line"] = Math.Round(c.SegmentNsPerLine, 1),
            })]),
        };
    }
}
