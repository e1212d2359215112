using Akka;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using CommissioningActors.Core.Sockets;
using CommissioningActors.Core.Metrics;

namespace CommissioningActors.Core.Streams;

/// <summary>How a follower turns what its publisher sends into wire frames.</summary>
public interface IFollowFormat
{
    /// <summary>The frame for a publisher message, or null to skip it.</summary>
    string? Format(object message, string messageId);

    /// <summary>True when this message ends the stream (e.g. a job's terminal event).</summary>
    bool IsTerminal(object message);
}

// Follower -> its parent (the controller session).
public sealed record FollowerOverflowed(string MessageId, int BufferSize);

public sealed record FollowerFailed(string MessageId, string Reason);

/// <summary>
/// Parent -> follower: end the stream gracefully. The follower stops once every frame it accepted has been
/// written, so a parent that waits for Terminated answers after the stream's last frame.
/// </summary>
public sealed record StopFollowing
{
    public static readonly StopFollowing Instance = new();
}

/// <summary>
/// One per follow_job / follow_jobs / subscribe_events. Subscribes to its publisher (which replies with a
/// snapshot and adds it in one step) and pushes every frame into its own Akka.Streams graph: a bounded
/// Source.ActorRef with OverflowStrategy.Fail into the socket writer. A follower that falls BufferSize frames
/// behind fails instead of growing; its parent then sends `backpressure` and closes the socket.
/// Stopping the follower completes its stream; the publisher drops it by DeathWatch.
/// </summary>
public sealed class FollowerActor : ReceiveActor
{
    private const int MaxBatch = 64;

    private readonly string _messageId;
    private readonly IActorRef _publisher;
    private readonly object _subscribe;
    private readonly ISocketWriter _writer;
    private readonly IMaterializer _materializer;
    private readonly IFollowFormat _format;
    private readonly int _bufferSize;
    private IActorRef _stream = ActorRefs.Nobody;
    private IActorRef? _source;
    private bool _ending;

    public FollowerActor(string messageId, IActorRef publisher, object subscribe, ISocketWriter writer, IMaterializer materializer,
        IFollowFormat format, int bufferSize)
    {
        _messageId = messageId;
        _publisher = publisher;
        _subscribe = subscribe;
        _writer = writer;
        _materializer = materializer;
        _format = format;
        _bufferSize = bufferSize;

        Receive<StreamCompleted>(_ => Context.Stop(Self));
        Receive<StopFollowing>(_ => EndStream());
        Receive<StreamFailed>(OnStreamFailed);
        Receive<Terminated>(t =>
        {
            if ((t.ActorRef.Equals(_publisher) || t.ActorRef.Equals(_source)) && !_ending)
            {
                Context.Parent.Tell(new FollowerFailed(_messageId, "the stream's source went away"));
                Context.Stop(Self);
            }
        });
        ReceiveAny(OnPublished);
    }

    public static Props Props(string messageId, IActorRef publisher, object subscribe, ISocketWriter writer, IMaterializer materializer,
        IFollowFormat format, int bufferSize) =>
        Akka.Actor.Props.Create(() => new FollowerActor(messageId, publisher, subscribe, writer, materializer, format, bufferSize));

    protected override void PreStart()
    {
        CommissioningMetrics.For(Context.System).FollowerStarted();
        // Frames that piled up while a send was under way go out together (one turn of the writer's lock);
        // the batch is bounded, so the follower's buffer stays the bound that overflows.
        var (stream, done) = Source.ActorRef<string>(_bufferSize, OverflowStrategy.Fail)
            .Batch(MaxBatch, frame => new List<string> { frame }, (batch, frame) =>
            {
                batch.Add(frame);
                return batch;
            })
            .SelectAsync(1, async batch =>
            {
                await _writer.SendTextsAsync(batch);
                return NotUsed.Instance;
            })
            .ToMaterialized(Sink.Ignore<NotUsed>(), Keep.Both)
            .Run(_materializer);
        _stream = stream;
        done.PipeTo(Self, success: () => StreamCompleted.Instance, failure: e => new StreamFailed(e));
        Context.Watch(_publisher);
        _publisher.Tell(_subscribe);
    }

    private void OnPublished(object message)
    {
        if (_ending)
        {
            return;
        }

        if (_source is null && !Sender.IsNobody() && !Sender.Equals(_publisher))
        {
            // The publisher may route us to the real source (a job behind the manager): watch that one too,
            // so a source that stops without a terminal event cannot leave this stream hanging.
            _source = Context.Watch(Sender);
        }

        var frame = _format.Format(message, _messageId);
        if (frame is not null)
        {
            _stream.Tell(frame);
        }

        if (_format.IsTerminal(message))
        {
            EndStream();
        }
    }

    private void EndStream()
    {
        if (_ending)
        {
            return;
        }

        // Let what is buffered go out, then the stream completes and this actor stops.
        _ending = true;
        _stream.Tell(new Status.Success(NotUsed.Instance));
    }

    private void OnStreamFailed(StreamFailed failed)
    {
        var error = failed.Cause.GetBaseException();
        Context.Parent.Tell(error is BufferOverflowException
            ? new FollowerOverflowed(_messageId, _bufferSize)
            : new FollowerFailed(_messageId, error.Message));
        Context.Stop(Self);
    }

    protected override void PostStop()
    {
        CommissioningMetrics.For(Context.System).FollowerStopped();
        _stream.Tell(PoisonPill.Instance);
    }

    // A stopped follower's stream still completes; hearing nobody is normal, not a dead-letter log line.
    private sealed record StreamCompleted : Akka.Event.IDeadLetterSuppression
    {
        public static readonly StreamCompleted Instance = new();
    }

    private sealed record StreamFailed(Exception Cause) : Akka.Event.IDeadLetterSuppression;
}
