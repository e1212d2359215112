using CommissioningActors.Core.Events;
using CommissioningActors.Core.Jobs;
using CommissioningActors.Core.Streams;
using CommissioningActors.Protocol.Controller;

namespace CommissioningActors.Core.Controller;

/// <summary>follow_job: retained output, live lines, exactly one terminal event, then the stream ends.</summary>
public sealed class FollowJobFormat : IFollowFormat
{
    public static readonly FollowJobFormat Instance = new();

    public string? Format(object message, string messageId) => message switch
    {
        JobSnapshot s => ControllerCodec.Event("job_snapshot", ControllerJson.JobWithOutput(s), messageId),
        UnknownJob u => ControllerCodec.Error(messageId, ControllerErrorCodes.UnknownJob, $"no job with id '{u.JobId}'"),
        JobOutputAppended o => ControllerJson.JobOutputFrame(o, messageId),
        JobEvent e when ControllerJson.Event(e) is { } ev => ControllerCodec.Event(ev.Name, ev.Data, messageId),
        _ => null,
    };

    // A finished job answers its snapshot then its terminal event: the terminal event always ends the stream.
    public bool IsTerminal(object message) => message switch
    {
        UnknownJob => true,
        JobLifecycleChanged e => e.State.IsTerminal,
        _ => false,
    };
}

/// <summary>follow_jobs: one bounded snapshot (every active job, the newest finished ones), then live events of all jobs.</summary>
public sealed class FollowJobsFormat : IFollowFormat
{
    public static readonly FollowJobsFormat Instance = new();

    public string? Format(object message, string messageId) => message switch
    {
        JobOutputAppended o => ControllerJson.JobOutputFrame(o, messageId),
        JobList list => ControllerCodec.Event("jobs_snapshot", JobListing.Snapshot(list), messageId),
        _ when ControllerJson.Event(message) is { } ev => ControllerCodec.Event(ev.Name, ev.Data, messageId),
        _ => null,
    };

    public bool IsTerminal(object message) => false;
}

/// <summary>subscribe_events: initial_state, then live events.</summary>
public sealed class SubscribeEventsFormat : IFollowFormat
{
    public static readonly SubscribeEventsFormat Instance = new();

    public string? Format(object message, string messageId) => message switch
    {
        InitialState s => ControllerCodec.Event("initial_state", ControllerJson.InitialState(s), messageId),
        _ when ControllerJson.Event(message) is { } ev => ControllerCodec.Event(ev.Name, ev.Data, messageId),
        _ => null,
    };

    public bool IsTerminal(object message) => false;
}
