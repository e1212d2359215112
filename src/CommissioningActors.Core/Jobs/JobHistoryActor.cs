using Akka.Actor;
using Akka.Event;
using CommissioningActors.Core.Storage;

namespace CommissioningActors.Core.Jobs;

/// <summary>
/// Writes job snapshots to the history store. The store is synchronous, so this actor runs on the store's
/// dispatcher (`commissioning.store-dispatcher`), never the default one: it takes turns with the fabric by time
/// (5 ms), so a commissioning holding a proxy slot never waits behind a backlog of history writes. A failed write is logged and the
/// service goes on: history is worth keeping, not worth stopping commissioning for.
/// </summary>
public sealed class JobHistoryActor : ReceiveActor
{
    public const string Dispatcher = "commissioning.store-dispatcher";

    private readonly ILoggingAdapter _log = Context.GetLogger();

    public JobHistoryActor(JobHistoryStore store, JobSettings settings)
    {
        Receive<RecordJob>(r =>
        {
            Write(() => store.Save(JobRecords.ToStored(r.Snapshot)), r.Snapshot.State.JobId);
            if (r.Snapshot.State.IsTerminal)
            {
                Write(() => store.Prune(settings.RetainFinished, DateTimeOffset.UtcNow - settings.RetainFinishedFor), r.Snapshot.State.JobId);
            }
        });
        // Answered after every record sent before it: the host's shutdown waits for this, so no finished job is lost.
        Receive<FlushHistory>(_ => Sender.Tell(HistoryFlushed.Instance));
    }

    public static Props Props(JobHistoryStore store, JobSettings settings) =>
        Akka.Actor.Props.Create(() => new JobHistoryActor(store, settings)).WithDispatcher(Dispatcher);

    private void Write(Action write, string jobId)
    {
        try
        {
            write();
        }
        catch (Exception e) when (e is StoreException or Microsoft.Data.Sqlite.SqliteException or IOException)
        {
            _log.Warning("Job {JobId} could not be written to the history store: {Reason}", jobId, e.Message);
        }
    }
}

/// <summary>A job's current state and retained output, to be kept across restarts.</summary>
public sealed record RecordJob(JobSnapshot Snapshot);

public sealed record FlushHistory
{
    public static readonly FlushHistory Instance = new();
}

public sealed record HistoryFlushed
{
    public static readonly HistoryFlushed Instance = new();
}
