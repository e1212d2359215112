using Akka.Actor;
using CommissioningActors.Core.Streams;
using CommissioningActors.Protocol.Controller;

namespace CommissioningActors.Core.Jobs;

/// <summary>
/// Creates jobs, routes requests to them by id, and keeps a frozen JobState per job from the events they
/// publish. follow_jobs subscribes here: the snapshot is that index, taken in the same step as the
/// subscription. Finished jobs are kept up to a count and an age, then evicted. Jobs queued or running are capped
/// (in all and per client connection); a job outlives the connection that started it, within those caps.
/// </summary>
public sealed class JobManagerActor : ReceiveActor, IWithTimers
{
    private readonly IActorRef _commissioning;
    private readonly JobSettings _settings;
    private readonly Dictionary<string, Entry> _jobs = new(StringComparer.Ordinal);
    private readonly SubscriberSet _followers = new();
    private readonly IActorRef? _history;
    private readonly IReadOnlyList<JobSnapshot> _restored;
    private readonly IActorRef? _network;

    public JobManagerActor(IActorRef commissioning, JobSettings settings, IActorRef? history = null, IReadOnlyList<JobSnapshot>? restored = null,
        IActorRef? network = null)
    {
        _commissioning = commissioning;
        _network = network;
        _settings = settings;
        _history = history;
        _restored = restored ?? [];

        Receive<CreateCommissionJob>(OnCreate);
        Receive<JobLifecycleChanged>(e =>
        {
            if (_jobs.TryGetValue(e.JobId, out var entry))
            {
                entry.State = e.State;
                entry.Lines = Math.Max(entry.Lines, e.State.OutputLines);
                Forward(e);
                if (e.State.IsTerminal)
                {
                    Evict();
                }
            }
        });
        Receive<JobOutputAppended>(e =>
        {
            if (_jobs.TryGetValue(e.JobId, out var entry))
            {
                // Per line only a counter moves; a frozen JobState is built when one is handed out.
                entry.Lines = e.Sequence;
                _followers.Publish(e, Self);
            }
        });
        Receive<JobProgressed>(e =>
        {
            if (_jobs.ContainsKey(e.JobId))
            {
                _followers.Publish(e, Self);
            }
        });
        Receive<ListJobs>(l => Sender.Tell(Page(l)));
        Receive<ToJob>(m =>
        {
            if (_jobs.TryGetValue(m.JobId, out var entry))
            {
                entry.Job.Forward(m.Message);
            }
            else
            {
                Sender.Tell(new UnknownJob(m.JobId, m.Message));
            }
        });
        Receive<FollowJobs>(_ =>
        {
            Sender.Tell(Snapshot());
            _followers.Add(Sender, Context);
        });
        Receive<GetFollowerCount>(_ => Sender.Tell(new FollowerCount(_followers.Count)));
        Receive<EvictTick>(_ => Evict());
        Receive<Terminated>(t =>
        {
            if (_followers.Remove(t.ActorRef))
            {
                return;
            }

            var gone = _jobs.FirstOrDefault(j => j.Value.Job.Equals(t.ActorRef));
            if (gone.Key is not null)
            {
                _jobs.Remove(gone.Key);
                Forward(new JobEvicted(gone.Key));
            }
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="history">Where jobs are recorded for the next run (null: not kept).</param>
    /// <param name="restored">Jobs that finished in an earlier run, oldest first.</param>
    /// <param name="network">Runs requests with a NetworkTarget (on-network commissioning); null: they are refused.</param>
    public static Props Props(IActorRef commissioning, JobSettings settings, IActorRef? history = null, IReadOnlyList<JobSnapshot>? restored = null,
        IActorRef? network = null) =>
        Akka.Actor.Props.Create(() => new JobManagerActor(commissioning, settings, history, restored, network));

    protected override void PreStart()
    {
        foreach (var snapshot in _restored)
        {
            var id = snapshot.State.JobId;
            if (!_jobs.ContainsKey(id))
            {
                var job = Context.Watch(Context.ActorOf(FinishedJobActor.Props(snapshot), $"job-{id}"));
                _jobs[id] = new Entry(job, null, snapshot.State) { Lines = snapshot.State.OutputLines };
            }
        }

        Evict();
        Timers.StartPeriodicTimer(nameof(EvictTick), EvictTick.Instance, TimeSpan.FromMinutes(1));
    }

    // A job that throws has lost its state; stopping it evicts it (Terminated above).
    protected override SupervisorStrategy SupervisorStrategy() => Akka.Actor.SupervisorStrategy.StoppingStrategy;

    private void OnCreate(CreateCommissionJob create)
    {
        var id = create.Request.AttemptId;
        if (_jobs.ContainsKey(id))
        {
            Sender.Tell(new Status.Failure(new InvalidOperationException($"job {id} already exists")));
            return;
        }

        if (Busy(create.Client) is { } busy)
        {
            Sender.Tell(new JobRejected(ControllerErrorCodes.Busy, busy));
            return;
        }

        var runner = create.Request.Network is null ? _commissioning : _network;
        if (runner is null)
        {
            Sender.Tell(new JobRejected(ControllerErrorCodes.InvalidArgs, "on-network commissioning is not available in this service"));
            return;
        }

        var createdAt = DateTimeOffset.UtcNow;
        var job = Context.ActorOf(JobActor.Props(create.Request, create.Secrets, runner, Self, _settings.Output, createdAt, _history), $"job-{id}");
        Context.Watch(job);
        _jobs[id] = new Entry(job, create.Client, new JobState(id, create.Request.Label, JobStatus.Queued, createdAt, null, null, null, null, null, 0, 0, false));
        Sender.Tell(new JobCreated(id, job));
    }

    private string? Busy(IActorRef? client)
    {
        var active = _jobs.Values.Where(j => !j.State.IsTerminal).ToList();
        if (active.Count >= _settings.MaxActive)
        {
            return $"the service already has {active.Count} jobs queued or running, its limit; try again when some finish";
        }

        var mine = client is null ? 0 : active.Count(j => client.Equals(j.Client));
        return mine >= _settings.MaxActivePerClient
            ? $"this connection already has {mine} jobs queued or running, its limit; try again when some finish"
            : null;
    }

    private List<JobState> States() =>
        _jobs.Values.Select(j => j.State with { OutputLines = j.Lines })
            .OrderBy(s => s.CreatedAt.UtcTicks).ThenBy(s => s.JobId, StringComparer.Ordinal).ToList();

    private JobList Page(ListJobs request)
    {
        var all = States();
        var from = request.After is { } after ? all.FindIndex(after.IsBefore) : 0;
        from = from < 0 ? all.Count : from;
        var page = all.Skip(from).Take(request.Limit).ToList();
        var next = from + page.Count < all.Count && page.Count > 0 ? JobCursor.Of(page[^1]) : null;
        return new JobList(page, next, all.Count);
    }

    // Every active job (bounded by MaxActive) plus the newest finished ones, up to SnapshotMax in all, in creation order.
    private JobList Snapshot()
    {
        var all = States();
        var room = Math.Max(0, _settings.SnapshotMax - all.Count(s => !s.IsTerminal));
        var finishedKept = all.Where(s => s.IsTerminal).TakeLast(room).ToHashSet();
        var kept = all.Where(s => !s.IsTerminal || finishedKept.Contains(s)).ToList();
        return new JobList(kept, null, all.Count, all.Count - kept.Count);
    }

    private void Forward(JobEvent e)
    {
        _followers.Publish(e, Self);
        Context.System.EventStream.Publish(e);
    }

    private void Evict()
    {
        var finished = _jobs.Values.Where(j => j.State.IsTerminal).OrderBy(j => j.State.FinishedAt).ToList();
        var cutoff = DateTimeOffset.UtcNow - _settings.RetainFinishedFor;
        var excess = finished.Count - _settings.RetainFinished;
        foreach (var entry in finished)
        {
            if (excess-- > 0 || entry.State.FinishedAt < cutoff)
            {
                _jobs.Remove(entry.State.JobId);
                Context.Unwatch(entry.Job);

                // Ordered after requests already forwarded to it (a Stop would overtake them and strand a follower).
                entry.Job.Tell(PoisonPill.Instance);
                Forward(new JobEvicted(entry.State.JobId));
            }
        }
    }

    private sealed record EvictTick
    {
        public static readonly EvictTick Instance = new();
    }

    /// <summary>The manager's view of one job; mutated only inside this actor.</summary>
    private sealed class Entry(IActorRef job, IActorRef? client, JobState state)
    {
        public IActorRef Job { get; } = job;

        public IActorRef? Client { get; } = client;

        public JobState State { get; set; } = state;

        public long Lines { get; set; }
    }
}
