using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace CommissioningActors.Host.Cli;

/// <summary>What `commission` asks for. <paramref name="Code"/> is a setup code, or with <paramref name="Network"/> also a bare PIN.</summary>
public sealed record CommissionOptions(string Code, string? Label, int? TimeoutSeconds, bool Network = false, string? Ip = null)
{
    // The passcode is secret: records print their fields.
    public override string ToString() => $"CommissionOptions {{ Network = {Network}, Ip = {Ip} }}";
}

/// <summary>The verbs. Results go to Out; server and connection errors surface as exceptions CliContext reports.</summary>
public static class CliCommands
{
    public static async Task<int> CommissionAsync(ControllerClient client, CliContext cli, CommissionOptions options, bool follow,
        CancellationToken cancellationToken)
    {
        // Up to 8 digits with --network is the setup PIN (commission_on_network); anything else is a pairing code.
        var pin = options.Network && options.Code.Length <= 8 && options.Code.All(char.IsAsciiDigit)
            && int.TryParse(options.Code, NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : (int?)null;
        var args = pin is { } setupPin ? new JsonObject { ["setup_pin_code"] = setupPin } : new JsonObject { ["code"] = options.Code };
        if (options.Network && pin is null)
        {
            args["network_only"] = true;
        }

        if (options.Ip is not null)
        {
            args["ip_addr"] = options.Ip;
        }

        if (options.Label is not null)
        {
            args["label"] = options.Label;
        }

        if (options.TimeoutSeconds is { } seconds)
        {
            args["timeout_s"] = seconds;
        }

        var result = await client.RequestAsync(pin is null ? "commission_with_code" : "commission_on_network", args, cancellationToken);
        var jobId = (string?)result?["job_id"] ?? throw new ControllerUnavailableException("the server accepted the job but sent no job_id");
        if (!follow)
        {
            // Just the id, so scripts can capture it.
            await cli.Out.WriteLineAsync(jobId);
            return CliExitCodes.Ok;
        }

        await cli.Out.WriteLineAsync($"job {jobId}");
        return await FollowAsync(client, cli, jobId, cancellationToken);
    }

    public static async Task<int> FollowAsync(ControllerClient client, CliContext cli, string jobId, CancellationToken cancellationToken)
    {
        var messageId = await client.SendAsync("follow_job", new JsonObject { ["job_id"] = jobId }, cancellationToken);
        var waiting = Stopwatch.StartNew();
        var lastHeard = TimeSpan.Zero;
        var status = "queued";
        try
        {
            while (true)
            {
                JsonObject? frame;
                try
                {
                    var quietLeft = cli.Settings.ProgressAfter - (waiting.Elapsed - lastHeard);
                    frame = await client.NextFrameAsync(quietLeft > TimeSpan.Zero ? quietLeft : TimeSpan.FromMilliseconds(1), cancellationToken);
                }
                catch (TimeoutException)
                {
                    // Quiet is normal while scanning; say so, so nobody mistakes it for a hang.
                    await cli.Error.WriteLineAsync($"... still {status} ({(int)waiting.Elapsed.TotalSeconds} s)");
                    lastHeard = waiting.Elapsed;
                    continue;
                }

                if (frame is null)
                {
                    throw new ControllerUnavailableException($"the server closed the connection before job {jobId} finished");
                }

                if ((string?)frame["message_id"] != messageId)
                {
                    continue;
                }

                ControllerClient.ThrowIfError(frame);
                lastHeard = waiting.Elapsed;
                var data = frame["data"] as JsonObject ?? [];
                switch ((string?)frame["event"])
                {
                    case "job_snapshot":
                        foreach (var line in data["output"] as JsonArray ?? [])
                        {
                            await cli.Out.WriteLineAsync((string?)line);
                        }

                        status = (string?)data["status"] ?? status;
                        if (status is "completed" or "failed" or "cancelled")
                        {
                            return await VerdictAsync(cli, jobId, data);
                        }

                        break;
                    case "job_output":
                        await cli.Out.WriteLineAsync((string?)data["line"]);
                        break;
                    case "job_completed" or "job_failed" or "job_cancelled":
                        return await VerdictAsync(cli, jobId, data);
                    default:
                        status = (string?)data["status"] ?? status;
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await cli.Error.WriteLineAsync($"stopped following; job {jobId} keeps running (follow {jobId} to resume)");
            return CliExitCodes.Interrupted;
        }
    }

    private static async Task<int> VerdictAsync(CliContext cli, string jobId, JsonObject job)
    {
        switch ((string?)job["status"])
        {
            case "completed":
                await cli.Out.WriteLineAsync($"completed: job {jobId}{Describe(job["result"] as JsonObject)}");
                return CliExitCodes.Ok;
            case "cancelled":
                await cli.Out.WriteLineAsync($"cancelled: job {jobId}{(job["error"] is { } why ? $" ({why})" : "")}");
                return CliExitCodes.Cancelled;
            default:
                await cli.Out.WriteLineAsync($"failed: job {jobId}: {(string?)job["error_code"] ?? "unknown"}: {(string?)job["error"] ?? "no details"}");
                return CliExitCodes.Failed;
        }
    }

    private static string Describe(JsonObject? result)
    {
        if (result is null)
        {
            return "";
        }

        var vendor = (int?)result["vendor_id"] is { } v ? $", vendor 0x{v:X4}" : "";
        var product = (int?)result["product_id"] is { } p ? $", product 0x{p:X4}" : "";
        if (result["node_id"] is { } node)
        {
            return $": node {node.ToJsonString()} ({(string?)result["transport"]} {(string?)result["address"]}{vendor}{product})";
        }

        return $": device {(string?)result["address"]} (discriminator {(int?)result["discriminator"]}{vendor}{product}) via proxy {(string?)result["proxy_id"]}";
    }

    public static async Task<int> JobsAsync(ControllerClient client, CliContext cli, CancellationToken cancellationToken)
    {
        var jobs = await ListAllJobsAsync(client, cancellationToken);
        if (jobs.Count == 0)
        {
            await cli.Out.WriteLineAsync("no jobs");
            return CliExitCodes.Ok;
        }

        string[] header = ["ID", "STATUS", "LABEL", "CREATED", "ERROR_CODE"];
        var rows = jobs.Select(j => new[]
        {
            (string?)j["job_id"] ?? "-",
            (string?)j["status"] ?? "-",
            (string?)j["label"] ?? "-",
            LocalTime((string?)j["created_at"]),
            (string?)j["error_code"] ?? "-",
        }).ToList();
        var widths = header.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        foreach (var row in rows.Prepend(header))
        {
            await cli.Out.WriteLineAsync(string.Join("  ", row.Select((cell, i) => cell.PadRight(widths[i]))).TrimEnd());
        }

        return CliExitCodes.Ok;
    }

    // list_jobs a page at a time, following next_cursor; a server without paging answers the plain array.
    private static async Task<List<JsonObject>> ListAllJobsAsync(ControllerClient client, CancellationToken cancellationToken)
    {
        var jobs = new List<JsonObject>();
        string? cursor = null;
        do
        {
            var args = new JsonObject { ["limit"] = 500 };
            if (cursor is not null)
            {
                args["cursor"] = cursor;
            }

            var result = await client.RequestAsync("list_jobs", args, cancellationToken);
            jobs.AddRange(((result as JsonObject)?["jobs"] as JsonArray ?? result as JsonArray ?? []).OfType<JsonObject>());
            cursor = (string?)(result as JsonObject)?["next_cursor"];
        }
        while (cursor is not null);

        return jobs;
    }

    public static async Task<int> CancelAsync(ControllerClient client, CliContext cli, string jobId, CancellationToken cancellationToken)
    {
        var result = await client.RequestAsync("cancel_job", new JsonObject { ["job_id"] = jobId }, cancellationToken);
        if ((bool?)result?["cancelled"] == true)
        {
            await cli.Out.WriteLineAsync($"cancel requested for job {jobId}");
            return CliExitCodes.Ok;
        }

        await cli.Out.WriteLineAsync($"job {jobId} had already finished; nothing to cancel");
        return CliExitCodes.Failed;
    }

    public static async Task<int> EventsAsync(ControllerClient client, CliContext cli, CancellationToken cancellationToken)
    {
        var messageId = await client.SendAsync("subscribe_events", null, cancellationToken);
        try
        {
            while (true)
            {
                var frame = await client.NextFrameAsync(Timeout.InfiniteTimeSpan, cancellationToken)
                    ?? throw new ControllerUnavailableException("the server closed the connection");
                if ((string?)frame["message_id"] != messageId)
                {
                    continue;
                }

                ControllerClient.ThrowIfError(frame);
                var name = (string?)frame["event"];
                var data = frame["data"] as JsonObject ?? [];
                if (name == "initial_state")
                {
                    await InitialStateAsync(cli, data);
                }
                else if (name is not null)
                {
                    await cli.Out.WriteLineAsync($"{DateTime.Now:HH:mm:ss} {name} {EventFields(name, data)}".TrimEnd());
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C is how `events` is meant to end.
            return CliExitCodes.Ok;
        }
    }

    private static async Task InitialStateAsync(CliContext cli, JsonObject state)
    {
        var proxies = state["proxies"] as JsonArray ?? [];
        await cli.Out.WriteLineAsync($"proxies: {proxies.Count}");
        foreach (var p in proxies.OfType<JsonObject>())
        {
            await cli.Out.WriteLineAsync(
                $"  {(string?)p["name"]} ({(string?)p["id"]}): {(int?)p["slots"]} slot(s) from {(string?)p["slots_source"] ?? "default"}, {(int?)p["in_use"]} in use, {(int?)p["queued"]} queued");
        }

        var jobs = state["jobs"] as JsonObject ?? [];
        await cli.Out.WriteLineAsync($"jobs: {string.Join(", ", jobs.Select(j => $"{j.Key} {j.Value}"))}");
    }

    /// <summary>One line per event: a job's own fields for job events, else the event's fields as key=value.</summary>
    private static string EventFields(string name, JsonObject data)
    {
        IEnumerable<string> keys = name.StartsWith("job_", StringComparison.Ordinal) && name != "job_output"
            ? ["job_id", "status", "label", "error_code", "error"]
            : data.Select(d => d.Key);
        var text = new StringBuilder();
        foreach (var key in keys)
        {
            if (data[key] is not { } value)
            {
                continue;
            }

            var shown = value is JsonValue v && v.TryGetValue<string>(out var s) ? (s.Contains(' ', StringComparison.Ordinal) ? $"\"{s}\"" : s) : value.ToJsonString();
            text.Append(key).Append('=').Append(shown).Append(' ');
        }

        return text.ToString();
    }

    private static string LocalTime(string? iso) =>
        DateTimeOffset.TryParse(iso, CultureInfo.InvariantCulture, DateTimeStyles.None, out var t)
            ? t.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)
            : "-";
}
