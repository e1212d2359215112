using System.Text.Json;
using CommissioningActors.Core.Commissioning;
using CommissioningActors.Core.Storage;

namespace CommissioningActors.Core.Jobs;

/// <summary>Converts between a job's snapshot and the row the history store keeps.</summary>
public static class JobRecords
{
    public static StoredJob ToStored(JobSnapshot snapshot)
    {
        var s = snapshot.State;
        return new StoredJob(
            s.JobId, s.Label, s.Status.ToString().ToLowerInvariant(), s.CreatedAt, s.StartedAt,
            // An unfinished job is stored without a finish time: that is how a restart recognises it as interrupted.
            s.IsTerminal ? s.FinishedAt ?? DateTimeOffset.UtcNow : null,
            s.ErrorCode, s.ErrorMessage, s.Result is null ? null : JsonSerializer.Serialize(s.Result, s.Result.GetType()),
            s.OutputLines, s.OutputElided, snapshot.Output.Lines);
    }

    /// <summary>A finished job from an earlier run; null for a row this build cannot read (it is skipped, not fatal).</summary>
    public static JobSnapshot? ToSnapshot(StoredJob stored)
    {
        if (!Enum.TryParse<JobStatus>(stored.Status, ignoreCase: true, out var status) || stored.FinishedAt is null)
        {
            return null;
        }

        var state = new JobState(stored.JobId, stored.Label, status, stored.CreatedAt, stored.StartedAt, stored.FinishedAt,
            stored.ErrorCode, stored.ErrorMessage, ReadResult(stored.ResultJson), stored.OutputLines, stored.OutputElided, false);
        var retained = stored.Output.Count - (stored.OutputElided > 0 ? 1 : 0);
        return state.IsTerminal
            ? new JobSnapshot(state, new JobOutputSnapshot(stored.Output, stored.OutputElided, stored.OutputElided + retained))
            : null;
    }

    /// <summary>The terminal event a finished job's followers get.</summary>
    public static string VerdictEvent(JobStatus status) => status switch
    {
        JobStatus.Completed => "job_completed",
        JobStatus.Cancelled => "job_cancelled",
        _ => "job_failed",
    };

    // Stored as the concrete record's JSON; a node result is the one with a NodeId (older rows are all BLE results).
    private static AttemptCompleted? ReadResult(string? json)
    {
        if (json is null)
        {
            return null;
        }

        try
        {
            return System.Text.Json.Nodes.JsonNode.Parse(json) is System.Text.Json.Nodes.JsonObject o && o.ContainsKey(nameof(NodeCommissioned.NodeId))
                ? o.Deserialize<NodeCommissioned>()
                : JsonSerializer.Deserialize<AttemptSucceeded>(json);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
