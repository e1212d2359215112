using System.Text.Json;
using System.Text.Json.Nodes;
using CommissioningActors.Core.Jobs;
using CommissioningActors.Protocol.Controller;

namespace CommissioningActors.Core.Controller;

/// <summary>
/// list_jobs arguments and result. Without `limit` or `cursor` the result is the plain array older clients expect
/// (capped at ListJobs.MaxLimit jobs); with either, a page: `{jobs, next_cursor, total}`.
/// </summary>
public static class JobListing
{
    public static (ListJobs Request, bool Paged) Parse(ControllerCommand c)
    {
        var limitNode = c.Args["limit"];
        var cursorNode = c.Args["cursor"];
        if (limitNode is null && cursorNode is null)
        {
            return (ListJobs.Instance, false);
        }

        var limit = ListJobs.DefaultLimit;
        if (limitNode is not null)
        {
            limit = limitNode is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<int>(out var l)
                && l is >= 1 and <= ListJobs.MaxLimit
                ? l
                : throw new ArgumentException($"limit must be an integer from 1 to {ListJobs.MaxLimit}");
        }

        JobCursor? after = null;
        if (cursorNode is not null)
        {
            after = cursorNode is JsonValue cv && cv.GetValueKind() == JsonValueKind.String && cv.GetValue<string>() is { Length: <= 256 } token
                ? JobCursor.Parse(token) ?? throw new ArgumentException("cursor is not a next_cursor this service gave out")
                : throw new ArgumentException("cursor must be the string from a previous next_cursor");
        }

        return (new ListJobs(limit, after), true);
    }

    public static JsonNode Result(JobList list, bool paged) => paged
        ? new JsonObject
        {
            ["jobs"] = ControllerJson.Jobs(list.Jobs),
            ["next_cursor"] = list.Next?.ToToken(),
            ["total"] = list.Total,
        }
        : ControllerJson.Jobs(list.Jobs);

    /// <summary>The follow_jobs snapshot: the jobs it carries, how many the service holds and how many it left out.</summary>
    public static JsonObject Snapshot(JobList list) => new()
    {
        ["jobs"] = ControllerJson.Jobs(list.Jobs),
        ["total"] = list.Total,
        ["omitted"] = list.Omitted,
    };
}
