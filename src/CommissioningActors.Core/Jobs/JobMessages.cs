using Akka.Actor;
using CommissioningActors.Core.Commissioning;

namespace CommissioningActors.Core.Jobs;

public enum JobStatus
{
    Queued,
    Running,
    Completed,
    Failed,
    Cancelled,
}

/// <summary>A job's state at one instant: frozen values, safe to keep while the job moves on.</summary>
public sealed record JobState(
    string JobId,
    string? Label,
    JobStatus Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    string? ErrorCode,
    string? ErrorMessage,
    AttemptCompleted? Result,
    long OutputLines,
    long OutputElided,
    bool SawSlotExhaustion)
{
    public bool IsTerminal => Status is JobStatus.Completed or JobStatus.Failed or JobStatus.Cancelled;
}

/// <summary>State plus retained output (get_job, and the first thing a follow_job stream sends).</summary>
public sealed record JobSnapshot(JobState State, JobOutputSnapshot Output);

// Events every job publishes (to its followers, and through the manager to follow_jobs / subscribe_events).
public abstract record JobEvent(string JobId);

/// <summary>job_queued, job_started, job_completed, job_failed, job_cancelled.</summary>
public sealed record JobLifecycleChanged(string EventName, JobState State) : JobEvent(State.JobId);

public sealed record JobOutputAppended(string JobId, long Sequence, string Line) : JobEvent(JobId);

/// <summary>job_progress: the attempt's phase and how many candidates / connections it has.</summary>
public sealed record JobProgressed(string JobId, string Phase, int Candidates, int Connections) : JobEvent(JobId);

/// <summary>A finished job was evicted from retention.</summary>
public sealed record JobEvicted(string JobId) : JobEvent(JobId);

// Requests to the manager.

/// <param name="Client">The controller connection asking; its queued + running jobs are capped. Null: no per-client cap.</param>
public sealed record CreateCommissionJob(CommissionRequest Request, IReadOnlyList<string> Secrets, IActorRef? Client = null);

public sealed record JobCreated(string JobId, IActorRef Job);

/// <summary>The job was not created: ErrorCode is `busy` (a cap on queued + running jobs is reached).</summary>
public sealed record JobRejected(string ErrorCode, string Message);

/// <summary>Jobs in creation order, at most Limit of them, starting after the cursor (a page of list_jobs).</summary>
public sealed record ListJobs(int Limit = ListJobs.MaxLimit, JobCursor? After = null)
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 500;

    public static readonly ListJobs Instance = new();
}

/// <summary>
/// A page of jobs (or a follow_jobs snapshot). Next: where the following page starts, null on the last page.
/// Total: jobs the manager holds; Omitted: jobs a snapshot left out.
/// </summary>
public sealed record JobList(IReadOnlyList<JobState> Jobs, JobCursor? Next = null, int Total = 0, int Omitted = 0);

/// <summary>A position in creation order (created_at, then job_id); opaque on the wire.</summary>
public sealed record JobCursor(long CreatedTicks, string JobId)
{
    public static JobCursor Of(JobState s) => new(s.CreatedAt.UtcTicks, s.JobId);

    public bool IsBefore(JobState s) =>
        CreatedTicks < s.CreatedAt.UtcTicks || (CreatedTicks == s.CreatedAt.UtcTicks && string.CompareOrdinal(JobId, s.JobId) < 0);

    public string ToToken() => $"{CreatedTicks}.{JobId}";

    public static JobCursor? Parse(string token)
    {
        var dot = token.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 && long.TryParse(token.AsSpan(0, dot), System.Globalization.NumberStyles.None,
            System.Globalization.CultureInfo.InvariantCulture, out var ticks) && dot < token.Length - 1
            ? new JobCursor(ticks, token[(dot + 1)..])
            : null;
    }
}

/// <summary>Forwarded to the job (sender preserved); UnknownJob when there is none.</summary>
public sealed record ToJob(string JobId, object Message);

public sealed record UnknownJob(string JobId, object Message);

// Requests to one job (usually through ToJob).
public sealed record GetJob
{
    public static readonly GetJob Instance = new();
}

public sealed record CancelJob(string Reason);

public sealed record CancelJobResult(string JobId, bool Cancelled);

/// <summary>Sender gets a JobSnapshot then live JobEvents until (and including) the terminal one.</summary>
public sealed record FollowJob
{
    public static readonly FollowJob Instance = new();
}

/// <summary>Sender gets a JobList snapshot then every JobEvent of every job.</summary>
public sealed record FollowJobs
{
    public static readonly FollowJobs Instance = new();
}

/// <summary>Count of live followers (tests prove none is left behind).</summary>
public sealed record GetFollowerCount
{
    public static readonly GetFollowerCount Instance = new();
}

public sealed record FollowerCount(int Count);
