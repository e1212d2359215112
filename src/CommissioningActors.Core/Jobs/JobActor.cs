using Akka.Actor;
using CommissioningActors.Core.Commissioning;
using CommissioningActors.Core.Streams;
using CommissioningActors.Protocol.BleProxy;
using CommissioningActors.Core.Metrics;

namespace CommissioningActors.Core.Jobs;

/// <summary>
/// One per commission request: status, timestamps, the verdict and the capped output the attempt writes.
/// Output goes through the buffer (secrets redacted, verdict facts caught at append time) before anyone sees it.
/// Followers get a snapshot and are subscribed in the same step. Stays alive after finishing, for get_job,
/// until the manager evicts it.
/// </summary>
public sealed class JobActor : ReceiveActor
{
    private readonly CommissionRequest _request;
    private readonly IActorRef _commissioning;
    private readonly IActorRef _manager;
    private readonly IActorRef? _history;
    private readonly JobOutputBuffer _output;
    private readonly SecretRedactor _secrets = new();
    private readonly SubscriberSet _followers = new();
    private JobState _state;
    private IActorRef? _attempt;
    private string? _cancelRequested;
    private string? _verdictEvent;

    public JobActor(CommissionRequest request, IReadOnlyList<string> secrets, IActorRef commissioning, IActorRef manager, JobOutputLimits limits,
        DateTimeOffset? createdAt = null, IActorRef? history = null)
    {
        _request = request;
        _commissioning = commissioning;
        _manager = manager;
        _history = history;
        _output = new JobOutputBuffer(limits);
        foreach (var secret in secrets)
        {
            _output.RegisterSecret(secret);
            _secrets.Register(secret);
        }

        // The manager's creation time: list_jobs orders and pages by it, so it must not change once listed.
        _state = new JobState(request.AttemptId, request.Label, JobStatus.Queued, createdAt ?? DateTimeOffset.UtcNow, null, null, null, null, null, 0, 0, false);

        Receive<CommissioningStarted>(OnStarted);
        Receive<AttemptOutput>(o => Append(o.Line));
        Receive<AttemptProgress>(p =>
        {
            if (!_state.IsTerminal)
            {
                Publish(new JobProgressed(_state.JobId, p.Phase, p.Candidates, p.Connections));
            }
        });
        Receive<AttemptOutcome>(OnOutcome);
        Receive<Terminated>(t =>
        {
            if (_followers.Remove(t.ActorRef))
            {
                return;
            }

            if (t.ActorRef.Equals(_attempt) && !_state.IsTerminal)
            {
                Finish("job_failed", JobStatus.Failed, BleErrorCodes.InternalError, "the commissioning attempt stopped unexpectedly");
            }
        });
        Receive<GetJob>(_ => Sender.Tell(Snapshot()));
        Receive<FollowJob>(_ =>
        {
            Sender.Tell(Snapshot());
            if (_verdictEvent is not null)
            {
                // A finished job's stream still ends with its one terminal event, as a live run's does.
                Sender.Tell(new JobLifecycleChanged(_verdictEvent, State()));
            }
            else
            {
                _followers.Add(Sender, Context);
            }
        });
        Receive<GetFollowerCount>(_ => Sender.Tell(new FollowerCount(_followers.Count)));
        Receive<CancelJob>(OnCancel);
    }

    public static Props Props(CommissionRequest request, IReadOnlyList<string> secrets, IActorRef commissioning, IActorRef manager,
        JobOutputLimits limits, DateTimeOffset? createdAt = null, IActorRef? history = null) =>
        Akka.Actor.Props.Create(() => new JobActor(request, secrets, commissioning, manager, limits, createdAt, history));

    protected override void PreStart()
    {
        CommissioningMetrics.For(Context.System).JobCreated();
        Publish(new JobLifecycleChanged("job_queued", _state));
        Record();
        _commissioning.Tell(new StartCommissioning(_request, Self));
    }

    private void OnStarted(CommissioningStarted started)
    {
        _attempt = Context.Watch(started.Attempt);
        if (_state.IsTerminal)
        {
            return;
        }

        _state = _state with { Status = JobStatus.Running, StartedAt = DateTimeOffset.UtcNow };
        Publish(new JobLifecycleChanged("job_started", State()));
        Record();
        if (_cancelRequested is not null)
        {
            started.Attempt.Tell(new CancelAttempt(_cancelRequested));
        }
    }

    private void OnCancel(CancelJob cancel)
    {
        if (_state.IsTerminal)
        {
            Sender.Tell(new CancelJobResult(_state.JobId, false));
            return;
        }

        _cancelRequested = cancel.Reason;
        _attempt?.Tell(new CancelAttempt(cancel.Reason));
        Sender.Tell(new CancelJobResult(_state.JobId, true));
    }

    private void Append(string line)
    {
        if (_state.IsTerminal)
        {
            return;
        }

        var sequence = _output.Append(line);
        // Output counters live in the buffer; they are folded into JobState only when a state is handed out.
        Publish(new JobOutputAppended(_state.JobId, sequence, _output.Newest!));
    }

    private void OnOutcome(AttemptOutcome outcome)
    {
        // The first verdict is final: a late outcome must not flip it or publish a second terminal event.
        if (_state.IsTerminal)
        {
            return;
        }

        switch (outcome)
        {
            case AttemptCompleted success:
                _state = _state with { Result = success };
                Finish("job_completed", JobStatus.Completed, null, null);
                break;
            case AttemptFailed failed:
                // A slot-exhaustion line is the actionable fact even when a later error ended the attempt.
                var slots = _output.SawSlotExhaustion && failed.ErrorCode != BleErrorCodes.OutOfConnectionSlots;
                Finish("job_failed", JobStatus.Failed,
                    slots ? BleErrorCodes.OutOfConnectionSlots : failed.ErrorCode,
                    slots ? $"{SlotExhaustion.ActionableMessage} (then: {failed.Message})" : failed.Message);
                break;
            case AttemptCancelled cancelled:
                Finish("job_cancelled", JobStatus.Cancelled, null, cancelled.Reason);
                break;
        }
    }

    private void Finish(string eventName, JobStatus status, string? errorCode, string? message)
    {
        _verdictEvent = eventName;
        _output.Complete();
        _state = _state with
        {
            Status = status,
            FinishedAt = DateTimeOffset.UtcNow,
            ErrorCode = errorCode,
            // Failure messages come from the attempt and the proxy, not the buffer: redact them too.
            ErrorMessage = message is null ? null : _secrets.Redact(message),
        };
        Publish(new JobLifecycleChanged(eventName, State()));
        CommissioningMetrics.For(Context.System).JobFinished(status.ToString().ToLowerInvariant(),
            _state.FinishedAt!.Value - (_state.StartedAt ?? _state.CreatedAt));
        Record();
    }

    // Written when queued, started and finished: a row without a finish is what a restart reports as interrupted.
    private void Record() => _history?.Tell(new RecordJob(Snapshot()));

    private JobSnapshot Snapshot() => new(State(), _output.Snapshot());

    private JobState State() => _state with
    {
        OutputLines = _output.TotalAppended,
        OutputElided = _output.Elided,
        SawSlotExhaustion = _output.SawSlotExhaustion,
    };

    private void Publish(JobEvent e)
    {
        _followers.Publish(e, Self);
        _manager.Tell(e);
    }
}
