using Akka.Actor;
using CommissioningActors.Core.Sockets;
using CommissioningActors.Protocol.Controller;

namespace CommissioningActors.Core.Controller;

/// <summary>
/// One command waiting for one answer from another actor: sends the request, turns the reply into the
/// command's result or error frame, and stops. Keeps the session free of per-request bookkeeping.
/// </summary>
public sealed class RequestActor : ReceiveActor, IWithTimers
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    private readonly string? _messageId;
    private readonly IActorRef _target;
    private readonly object _request;
    private readonly IActorRef _outbound;
    private readonly TimeSpan _timeout;

    public RequestActor(string? messageId, IActorRef target, object request, IActorRef outbound, Func<object, string?> toFrame, TimeSpan? timeout = null)
    {
        _timeout = timeout ?? DefaultTimeout;
        _messageId = messageId;
        _target = target;
        _request = request;
        _outbound = outbound;

        Receive<TimedOut>(_ =>
        {
            Send(ControllerCodec.Error(_messageId, ControllerErrorCodes.InternalError, "no answer in time"));
        });
        ReceiveAny(reply =>
        {
            var frame = reply is Status.Failure failure
                ? ControllerCodec.Error(_messageId, ControllerErrorCodes.InternalError, failure.Cause.Message)
                : toFrame(reply);
            if (frame is not null)
            {
                Send(frame);
            }
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="timeout">How long the target may take (default 10 s); a node operation waits longer than a lookup.</param>
    public static Props Props(string? messageId, IActorRef target, object request, IActorRef outbound, Func<object, string?> toFrame,
        TimeSpan? timeout = null) =>
        Akka.Actor.Props.Create(() => new RequestActor(messageId, target, request, outbound, toFrame, timeout));

    protected override void PreStart()
    {
        Timers.StartSingleTimer(nameof(TimedOut), TimedOut.Instance, _timeout);
        _target.Tell(_request);
    }

    private void Send(string frame)
    {
        _outbound.Tell(new SendText(frame));
        Context.Stop(Self);
    }

    private sealed record TimedOut
    {
        public static readonly TimedOut Instance = new();
    }
}
