using System.Text.Json;
using static CommissioningActors.Core.Storage.StoreValues;

namespace CommissioningActors.Core.Storage;

/// <summary>
/// Job history across restarts: a job is written when it starts and again when it ends, so a job that was
/// running when the host died is found at the next start and reported as failed (interrupted), not forgotten.
/// </summary>
public sealed class JobHistoryStore(ServiceDatabase database)
{
    public const string InterruptedCode = "interrupted";

    public void Save(StoredJob job)
    {
        using var connection = database.Connect();
        using var command = Command(connection, """
            INSERT OR REPLACE INTO jobs (job_id, label, status, created_at, started_at, finished_at, error_code,
                                         error_message, result, output_lines, output_elided, output)
            VALUES ($id, $label, $status, $created, $started, $finished, $code, $message, $result, $lines, $elided, $output)
            """,
            ("$id", job.JobId), ("$label", ToColumn(job.Label)), ("$status", job.Status), ("$created", ToColumn(job.CreatedAt)),
            ("$started", ToColumn(job.StartedAt)), ("$finished", ToColumn(job.FinishedAt)), ("$code", ToColumn(job.ErrorCode)),
            ("$message", ToColumn(job.ErrorMessage)), ("$result", ToColumn(job.ResultJson)), ("$lines", job.OutputLines),
            ("$elided", job.OutputElided), ("$output", JsonSerializer.Serialize(job.Output)));
        command.ExecuteNonQuery();
    }

    /// <summary>Marks every job that never finished (the host stopped under it) failed with <see cref="InterruptedCode"/>.</summary>
    public int MarkInterrupted(DateTimeOffset now)
    {
        using var connection = database.Connect();
        using var command = Command(connection, """
            UPDATE jobs SET status = 'failed', finished_at = $now, error_code = $code,
                error_message = 'the service stopped while this job was running'
            WHERE finished_at IS NULL
            """,
            ("$now", ToColumn(now)), ("$code", InterruptedCode));
        return command.ExecuteNonQuery();
    }

    /// <summary>Drops finished jobs beyond the newest <paramref name="keep"/> and those finished before <paramref name="cutoff"/>.</summary>
    public int Prune(int keep, DateTimeOffset cutoff)
    {
        using var connection = database.Connect();
        using var command = Command(connection, """
            DELETE FROM jobs WHERE finished_at IS NOT NULL AND (finished_at < $cutoff OR job_id NOT IN (
                SELECT job_id FROM jobs WHERE finished_at IS NOT NULL ORDER BY finished_at DESC LIMIT $keep))
            """,
            ("$cutoff", ToColumn(cutoff)), ("$keep", keep));
        return command.ExecuteNonQuery();
    }

    /// <summary>All kept jobs, oldest first.</summary>
    public IReadOnlyList<StoredJob> Load()
    {
        using var connection = database.Connect();
        using var command = Command(connection, """
            SELECT job_id, label, status, created_at, started_at, finished_at, error_code, error_message, result,
                   output_lines, output_elided, output
            FROM jobs ORDER BY created_at, job_id
            """);
        using var reader = command.ExecuteReader();
        var jobs = new List<StoredJob>();
        while (reader.Read())
        {
            jobs.Add(new StoredJob(
                reader.GetString(0), ToOptionalString(reader, 1), reader.GetString(2), ToInstant(reader, 3),
                ToOptionalInstant(reader, 4), ToOptionalInstant(reader, 5), ToOptionalString(reader, 6),
                ToOptionalString(reader, 7), ToOptionalString(reader, 8), reader.GetInt64(9), reader.GetInt64(10),
                JsonSerializer.Deserialize<string[]>(reader.GetString(11)) ?? []));
        }

        return jobs;
    }
}
