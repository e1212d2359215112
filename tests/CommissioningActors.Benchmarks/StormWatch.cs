using System.Diagnostics;
using System.Text.Json.Nodes;

namespace CommissioningActors.Benchmarks;

/// <summary>Everything the controller socket tells us, folded as it arrives.</summary>
internal sealed class StormWatch
{
    private readonly object _sync = new();
    private readonly Dictionary<string, (string Status, string? ErrorCode)> _terminal = new(StringComparer.Ordinal);
    private readonly HashSet<string> _jobs = new(StringComparer.Ordinal);
    private readonly List<double> _waits = [];
    private readonly Stopwatch _clock = new();
    private readonly HashSet<string> _released = new(StringComparer.Ordinal);
    private readonly HashSet<string> _caseStarted = new(StringComparer.Ordinal);
    private readonly HashSet<string> _answered = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (TimeSpan At, string Line)> _lastLine = new(StringComparer.Ordinal);
    private readonly List<(TimeSpan Gap, string Before, string After)> _silences = [];
    private readonly List<string> _errors = [];
    private int _caseAfterRelease;
    private int _nodes = -1;
    private int _sightings;
    private TimeSpan _lastTerminal;

    public int Sightings => Volatile.Read(ref _sightings);

    public int Created
    {
        get { lock (_sync) { return _jobs.Count; } }
    }

    public int Terminal
    {
        get { lock (_sync) { return _terminal.Count; } }
    }

    public TimeSpan LastTerminal
    {
        get { lock (_sync) { return _lastTerminal; } }
    }

    /// <summary>Jobs whose first CASE line came after their BLE link's release line, and all jobs that began CASE.</summary>
    public (int AfterRelease, int Started) Case
    {
        get { lock (_sync) { return (_caseAfterRelease, _caseStarted.Count); } }
    }

    /// <summary>The node count of the last get_nodes answer ("nodes"); -1 before one arrived.</summary>
    public int Nodes
    {
        get { lock (_sync) { return _nodes; } }
    }

    /// <summary>The longest silences between two output lines of a job while it held its BLE link, longest first.</summary>
    public List<(TimeSpan Gap, string Before, string After)> LongestSilences(int count)
    {
        lock (_sync)
        {
            return [.. _silences.OrderByDescending(s => s.Gap).Take(count)];
        }
    }

    /// <summary>The first few failures other than slot errors, with their messages.</summary>
    public List<string> Errors
    {
        get { lock (_sync) { return [.. _errors]; } }
    }

    /// <summary>Whether a command with this message id was answered with a result.</summary>
    public bool Answered(string messageId)
    {
        lock (_sync)
        {
            return _answered.Contains(messageId);
        }
    }

    public List<double> Waits
    {
        get { lock (_sync) { return [.. _waits]; } }
    }

    public void Start()
    {
        lock (_sync)
        {
            _clock.Start();
        }
    }

    public int Count(string status)
    {
        lock (_sync)
        {
            return _terminal.Values.Count(t => t.Status == status);
        }
    }

    public int FailedWith(string code)
    {
        lock (_sync)
        {
            return _terminal.Values.Count(t => t.Status == "failed" && t.ErrorCode == code);
        }
    }

    public JsonObject FailureCodes()
    {
        lock (_sync)
        {
            var codes = new JsonObject();
            foreach (var group in _terminal.Values.Where(t => t.Status != "completed").GroupBy(t => t.ErrorCode ?? t.Status))
            {
                codes[group.Key] = group.Count();
            }

            return codes;
        }
    }

    public void On(JsonObject frame)
    {
        var name = (string?)frame["event"];
        var data = frame["data"] as JsonObject;
        lock (_sync)
        {
            if (frame["result"] is JsonObject { } result && result["job_id"] is { } id && ((string?)frame["message_id"])?.StartsWith('c') == true)
            {
                _jobs.Add((string)id!);
                return;
            }

            if (frame["result"] is { } answer && (string?)frame["message_id"] is { } answered)
            {
                _answered.Add(answered);
                _nodes = answered == "nodes" && answer is JsonArray nodes ? nodes.Count : _nodes;
                return;
            }

            switch (name)
            {
                case "job_output" when (string?)frame["message_id"] == "jobs":
                    OnLine((string)data!["job_id"]!, (string?)data["line"] ?? "");
                    break;
                case "device_discovered":
                    _sightings++;
                    break;
                case "slot_acquired" when _clock.IsRunning:
                    _waits.Add((double)data!["waited_ms"]!);
                    break;
                case "job_completed" or "job_failed" or "job_cancelled" when (string?)frame["message_id"] == "jobs":
                    var job = (string)data!["job_id"]!;
                    if (_terminal.TryAdd(job, ((string)data["status"]!, (string?)data["error_code"])))
                    {
                        if ((string?)data["error_code"] is { } code && code != "out_of_connection_slots" && _errors.Count < 5)
                        {
                            _errors.Add($"{code}: {(string?)data["error"]}");
                        }

                        _lastTerminal = _clock.Elapsed;
                    }

                    break;
            }
        }
    }

    // The attempt's release line and the flow's first CASE line (CommissioningAttemptActor.Flow, FlowActor.Operational).
    private void OnLine(string job, string line)
    {
        // The longest silences of a job between two output lines while its BLE link is held: where a slow hold goes.
        var now = _clock.Elapsed;
        if (line.StartsWith("Connection slot acquired", StringComparison.Ordinal))
        {
            _lastLine.Remove(job);
        }
        else if (_lastLine.TryGetValue(job, out var last) && !_released.Contains(job))
        {
            _silences.Add((now - last.At, last.Line, line));
            if (_silences.Count > 64)
            {
                _silences.Sort((a, b) => b.Gap.CompareTo(a.Gap));
                _silences.RemoveRange(32, _silences.Count - 32);
            }
        }

        if (line.StartsWith("Connection slot acquired", StringComparison.Ordinal) || _lastLine.ContainsKey(job))
        {
            _lastLine[job] = (now, line);
        }
        if (line.Contains("released: its connection slot is back in the pool", StringComparison.Ordinal))
        {
            _released.Add(job);
        }
        else if (line.StartsWith("establishing CASE", StringComparison.Ordinal) && _caseStarted.Add(job) && _released.Contains(job))
        {
            _caseAfterRelease++;
        }
    }

    public static async Task<bool> WaitAsync(Func<bool> done, TimeSpan within)
    {
        var watch = Stopwatch.StartNew();
        while (!done())
        {
            if (watch.Elapsed > within)
            {
                return false;
            }

            await Task.Delay(10);
        }

        return true;
    }
}

internal sealed record StormRunResult(
    int GateSlots,
    int Jobs,
    int Completed,
    int Failed,
    int FailedOnSlots,
    JsonObject FailureCodes,
    int Hung,
    int OutOfSlots,
    double MakespanSeconds,
    double IdealSeconds,
    double PhysicalIdealSeconds,
    int Holds,
    double MeanHoldMs,
    double ConnectsPerJob,
    int[] Peaks,
    double WaitP50,
    double WaitP99,
    double CpuSeconds,
    double PeakRssSampledMb,
    double PeakRssHwmMb,
    int StillHeld,
    int Nodes,
    int CaseAfterRelease,
    int CaseStarted,
    double LinkHoldP50Ms,
    double LinkHoldP99Ms,
    double LinkHoldMaxMs)
{
    public double Ratio => MakespanSeconds / IdealSeconds;
    public double PhysicalRatio => MakespanSeconds / PhysicalIdealSeconds;
    public double HoldsPerJob => (double)Holds / Jobs;
    public string PeakPerProxy => string.Join(" / ", Peaks);
    public string Rss => $"{PeakRssSampledMb:0} / {PeakRssHwmMb:0}";
    public string CaseOrder => $"{CaseAfterRelease} / {CaseStarted}";
    public string LinkHold => FormattableString.Invariant($"{LinkHoldP50Ms:0} / {LinkHoldP99Ms:0} / {LinkHoldMaxMs:0}");

    public JsonObject ToJson() => new()
    {
        ["gate_slots"] = GateSlots,
        ["jobs"] = Jobs,
        ["completed"] = Completed,
        ["failed"] = Failed,
        ["failed_out_of_connection_slots"] = FailedOnSlots,
        ["failure_codes"] = FailureCodes,
        ["hung"] = Hung,
        ["out_of_connection_slots_sent"] = OutOfSlots,
        ["makespan_s"] = Math.Round(MakespanSeconds, 3),
        ["ideal_lower_bound_s"] = Math.Round(IdealSeconds, 3),
        ["makespan_over_ideal"] = Math.Round(Ratio, 3),
        ["physical_ideal_s"] = Math.Round(PhysicalIdealSeconds, 3),
        ["makespan_over_physical_ideal"] = Math.Round(PhysicalRatio, 3),
        ["slot_holds_per_job"] = Math.Round(HoldsPerJob, 2),
        ["slot_holds"] = Holds,
        ["mean_slot_hold_ms"] = Math.Round(MeanHoldMs, 1),
        ["connects_per_job"] = Math.Round(ConnectsPerJob, 2),
        ["peak_slots_in_use_per_proxy"] = new JsonArray([.. Peaks.Select(p => (JsonNode)p)]),
        ["queue_wait_ms_p50"] = WaitP50,
        ["queue_wait_ms_p99"] = WaitP99,
        ["orchestrator_cpu_s"] = Math.Round(CpuSeconds, 2),
        ["orchestrator_peak_rss_mb_sampled"] = Math.Round(PeakRssSampledMb, 1),
        ["orchestrator_peak_rss_mb_vmhwm"] = Math.Round(PeakRssHwmMb, 1),
        ["slots_still_held_at_end"] = StillHeld,
        ["nodes_on_fabric"] = Nodes,
        ["case_after_slot_release"] = CaseAfterRelease,
        ["case_started"] = CaseStarted,
        ["link_hold_per_device_ms_p50"] = Math.Round(LinkHoldP50Ms, 1),
        ["link_hold_per_device_ms_p99"] = Math.Round(LinkHoldP99Ms, 1),
        ["link_hold_per_device_ms_max"] = Math.Round(LinkHoldMaxMs, 1),
    };
}
