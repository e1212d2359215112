using Akka.Actor;
using CommissioningActors.Core.Streams;

namespace CommissioningActors.Core.Jobs;

/// <summary>
/// Creates jobs, routes requests to them by id, and keeps a frozen JobState per job from the events they
/// publish. follow_jobs subscribes here: the snapshot is that index, taken in the same step as the
/// subscription. Finished jobs are kept up to a count and an age, then evicted.
/// </summary>
public sealed class JobManagerActor : ReceiveActor, IWithTimers
{
    private readonly IActorRef _commissioning;
    private readonly JobSettings _settings;
    private readonly Dictionary<string, Entry> _jobs = new(StringComparer.Ordinal);
    private readonly SubscriberSet _followers = new();

    public JobManagerActor(IActorRef commissioning, JobSettings settings)
    {
        _commissioning = commissioning;
        _settings = settings;

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
        Receive<ListJobs>(_ => Sender.Tell(new JobList(States())));
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
            Sender.Tell(new JobList(States()));
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

    public static Props Props(IActorRef commissioning, JobSettings settings) =>
        Akka.Actor.Props.Create(() => new JobManagerActor(commissioning, settings));

    protected override void PreStart() =>
        Timers.StartPeriodicTimer(nameof(EvictTick), EvictTick.Instance, TimeSpan.FromMinutes(1));

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

        var job = Context.ActorOf(JobActor.Props(create.Request, create.Secrets, _commissioning, Self, _settings.Output), $"job-{id}");
        Context.Watch(job);
        _jobs[id] = new Entry(job, new JobState(id, create.Request.Label, JobStatus.Queued, DateTimeOffset.UtcNow, null, null, null, null, null, 0, 0, false));
        Sender.Tell(new JobCreated(id, job));
    }

    private List<JobState> States() =>
        _jobs.Values.Select(j => j.State with { OutputLines = j.Lines }).OrderBy(s => s.CreatedAt).ToList();

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
    private sealed class Entry(IActorRef job, JobState state)
    {
        public IActorRef Job { get; } = job;

        public JobState State { get; set; } = state;

        public long Lines { get; set; }
    }
}
