using Akka.Actor;
using Akka.Event;
using CommissioningActors.Protocol.BleProxy;
using CommissioningActors.Core.Metrics;

namespace CommissioningActors.Core.Gate;

/// <summary>
/// Ask for a connection slot. The sender is the holder: the lease lives exactly as long as it does. With
/// WaitIfFull false a full gate answers SlotBusy at once instead of queueing (the caller tries another proxy).
/// </summary>
public sealed record RequestSlot(string Address, bool WaitIfFull = true);

/// <summary>The gate was full and the request asked not to wait; State is the gate's occupancy at that moment.</summary>
public sealed record SlotBusy(string ProxyId, GateState State) : IDeadLetterSuppression;

/// <summary>
/// A holder tells its gate how its connect ended (the proxy answered it). The gate owns the per-proxy facts a
/// route is scored by: connects in flight, recent failures, and how long a connect takes here.
/// </summary>
public sealed record ConnectFinished(bool Succeeded, TimeSpan Elapsed);

/// <summary>A slot is yours until you stop. Generation lets a holder tell whether an abort happened since.</summary>
/// <remarks>A grant racing its holder's stop is normal (DeathWatch frees the slot): no dead-letter log line.</remarks>
public sealed record SlotGranted(string ProxyId, long LeaseId, long Generation) : IDeadLetterSuppression;

/// <summary>You left the queue without a slot (always connection_aborted, with the reason in the message).</summary>
/// <remarks>Reaching a waiter that already gave up is normal (the attempt ended): no dead-letter log line.</remarks>
public sealed record SlotDenied(string ProxyId, BleProxyError Error) : IDeadLetterSuppression;

/// <summary>
/// Supervisor's release: every waiter is denied, the generation is bumped, and every holder hears
/// ConnectsAborted so a connect completing afterwards is torn down instead of keeping the slot.
/// </summary>
public sealed record AbortPendingConnects(string Reason);

/// <summary>Told to every holder on abort; a holder whose lease generation is older tears its connection down.</summary>
/// <remarks>Holders that already stopped are the normal case at the end of an attempt: no dead-letter log line.</remarks>
public sealed record ConnectsAborted(string ProxyId, long Generation, string Reason) : IDeadLetterSuppression;

public sealed record GetGateState
{
    public static readonly GetGateState Instance = new();
}

/// <summary>
/// The gate's state, owned by the gate alone and published on the event stream on every change (and told to
/// the optional listener). InUse counts leases; ConnectsInFlight those whose connect the proxy has not answered
/// yet; RecentFailures failed connects within the failure memory; TypicalConnect a smoothed connect time plus
/// four mean deviations (null before the first connect), from which attempts derive their hedge delay.
/// </summary>
public sealed record GateState(string ProxyId, int Slots, int InUse, int Queued, long Generation,
    int ConnectsInFlight = 0, int RecentFailures = 0, TimeSpan? TypicalConnect = null)
{
    public int Free => Math.Max(0, Slots - InUse);
}

// Published on the event stream for dashboards (subscribe_events).
public sealed record SlotAcquired(string ProxyId, string Address, int InUse, int Queued, TimeSpan Waited);

public sealed record SlotReleased(string ProxyId, string Address, int InUse, int Queued);

public sealed record ConnectQueued(string ProxyId, string Address, int InUse, int Queued);

/// <summary>
/// One per proxy. Its mailbox serializes connects: at most Slots leases are out at any time, waiters are served
/// FIFO, and a lease is released by DeathWatch when its holder stops — exactly once, whatever the path.
/// A waiter leaves the queue with connection_aborted when it dies, when the gate stops (its proxy went away),
/// on AbortPendingConnects, or after the bounded wait.
/// </summary>
public sealed class ConnectGateActor : ReceiveActor, IWithTimers
{
    private readonly string _proxyId;
    private readonly int _slots;
    private readonly TimeSpan _maxWait;
    private readonly IActorRef? _listener;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    private readonly Dictionary<IActorRef, Lease> _leases = [];
    private readonly LinkedList<Waiter> _queue = new();
    private readonly Dictionary<IActorRef, LinkedListNode<Waiter>> _waiting = [];
    private readonly Queue<DateTimeOffset> _failures = new();
    private readonly TimeSpan _failureMemory;
    private long _nextLeaseId;
    private long _generation;
    private int _inFlight;
    private double _connectMeanMs = -1;
    private double _connectDeviationMs;

    public ConnectGateActor(string proxyId, int slots, TimeSpan maxWait, IActorRef? listener, TimeSpan? failureMemory = null)
    {
        // Fail at start, not on the first queued request: a restart there would forget every lease still out.
        ArgumentOutOfRangeException.ThrowIfLessThan(slots, 1);
        if (maxWait <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(maxWait), maxWait, "the wait for a slot must be bounded and positive");
        }

        _proxyId = proxyId;
        _slots = slots;
        _maxWait = maxWait;
        _listener = listener;
        _failureMemory = failureMemory ?? DefaultFailureMemory;

        Receive<RequestSlot>(OnRequest);
        Receive<ConnectFinished>(OnConnectFinished);
        Receive<Terminated>(t => OnHolderOrWaiterGone(t.ActorRef));
        Receive<WaitExpired>(OnWaitExpired);
        Receive<AbortPendingConnects>(OnAbort);
        Receive<GetGateState>(_ => Sender.Tell(State()));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>How long a failed connect counts against this proxy when routes are scored.</summary>
    public static readonly TimeSpan DefaultFailureMemory = TimeSpan.FromSeconds(60);

    public static Props Props(string proxyId, int slots, TimeSpan maxWait, IActorRef? listener = null, TimeSpan? failureMemory = null) =>
        Akka.Actor.Props.Create(() => new ConnectGateActor(proxyId, slots, maxWait, listener, failureMemory));

    protected override void PreStart() => Changed();

    private void OnRequest(RequestSlot request)
    {
        var requester = Sender;
        if (_leases.ContainsKey(requester) || _waiting.ContainsKey(requester))
        {
            // One lease per holder: a second request from the same actor would make "released exactly once" ambiguous.
            requester.Tell(new SlotDenied(_proxyId, new BleProxyError(BleErrorCodes.ConnectionAborted,
                $"this connection already holds or waits for a slot on proxy {_proxyId}")));
            return;
        }

        if (!request.WaitIfFull && (_leases.Count >= _slots || _queue.Count > 0))
        {
            requester.Tell(new SlotBusy(_proxyId, State()));
            return;
        }

        Context.Watch(requester);
        if (_leases.Count < _slots && _queue.Count == 0)
        {
            Grant(requester, request.Address, DateTime.UtcNow);
            return;
        }

        var waiter = new Waiter(requester, request.Address, DateTime.UtcNow, ++_nextLeaseId);
        _waiting[requester] = _queue.AddLast(waiter);
        Timers.StartSingleTimer(("wait", waiter.Ticket), new WaitExpired(requester, waiter.Ticket), _maxWait);
        Context.System.EventStream.Publish(new ConnectQueued(_proxyId, request.Address, _leases.Count, _queue.Count));
        Changed();
    }

    private void Grant(IActorRef holder, string address, DateTime requestedAt)
    {
        var lease = new Lease(++_nextLeaseId, address, _generation);
        _leases[holder] = lease;
        _inFlight++;
        holder.Tell(new SlotGranted(_proxyId, lease.Id, _generation));
        CommissioningMetrics.For(Context.System).SlotGranted(_proxyId, DateTime.UtcNow - requestedAt);
        Context.System.EventStream.Publish(new SlotAcquired(_proxyId, address, _leases.Count, _queue.Count, DateTime.UtcNow - requestedAt));
        Changed();
    }

    private void OnHolderOrWaiterGone(IActorRef actor)
    {
        if (_leases.Remove(actor, out var lease))
        {
            if (!lease.ConnectDone)
            {
                _inFlight--;
            }

            Context.System.EventStream.Publish(new SlotReleased(_proxyId, lease.Address, _leases.Count, _queue.Count));
            GrantWaiters();
            Changed();
        }
        else if (RemoveWaiter(actor) is not null)
        {
            Changed();
        }
    }

    private void OnConnectFinished(ConnectFinished finished)
    {
        if (!_leases.TryGetValue(Sender, out var lease) || lease.ConnectDone)
        {
            return;
        }

        _leases[Sender] = lease with { ConnectDone = true };
        _inFlight--;
        if (finished.Succeeded)
        {
            // Smoothed like a TCP retransmission timer: mean and mean deviation, typical = mean + 4 deviations.
            var ms = finished.Elapsed.TotalMilliseconds;
            if (_connectMeanMs < 0)
            {
                (_connectMeanMs, _connectDeviationMs) = (ms, ms / 2);
            }
            else
            {
                _connectDeviationMs += (Math.Abs(ms - _connectMeanMs) - _connectDeviationMs) / 4;
                _connectMeanMs += (ms - _connectMeanMs) / 8;
            }
        }
        else
        {
            _failures.Enqueue(Context.System.Scheduler.Now);
        }

        Changed();
    }

    private int RecentFailures()
    {
        var since = Context.System.Scheduler.Now - _failureMemory;
        while (_failures.TryPeek(out var at) && at < since)
        {
            _failures.Dequeue();
        }

        return _failures.Count;
    }

    private void GrantWaiters()
    {
        while (_leases.Count < _slots && _queue.First is { } first)
        {
            _queue.RemoveFirst();
            _waiting.Remove(first.Value.Requester);
            Timers.Cancel(("wait", first.Value.Ticket));
            Grant(first.Value.Requester, first.Value.Address, first.Value.Since);
        }
    }

    private void OnWaitExpired(WaitExpired expired)
    {
        if (!_waiting.TryGetValue(expired.Requester, out var node) || node.Value.Ticket != expired.Ticket)
        {
            return;
        }

        RemoveWaiter(expired.Requester);
        Context.Unwatch(expired.Requester);
        expired.Requester.Tell(Denied($"waited longer than {_maxWait.TotalSeconds:0.#} s for a free connection slot on proxy {_proxyId}"));
        Changed();
    }

    private void OnAbort(AbortPendingConnects abort)
    {
        _generation++;
        var waiters = _queue.ToList();
        _queue.Clear();
        _waiting.Clear();
        foreach (var waiter in waiters)
        {
            Timers.Cancel(("wait", waiter.Ticket));
            Context.Unwatch(waiter.Requester);
            waiter.Requester.Tell(Denied($"pending connects were aborted: {abort.Reason}"));
        }

        foreach (var holder in _leases.Keys)
        {
            holder.Tell(new ConnectsAborted(_proxyId, _generation, abort.Reason));
        }

        if (waiters.Count > 0 || _leases.Count > 0)
        {
            _log.Info("Gate {0}: aborted {1} queued connect(s), told {2} holder(s) to release ({3})",
                _proxyId, waiters.Count, _leases.Count, abort.Reason);
        }

        Changed();
    }

    private Waiter? RemoveWaiter(IActorRef requester)
    {
        if (!_waiting.Remove(requester, out var node))
        {
            return null;
        }

        _queue.Remove(node);
        Timers.Cancel(("wait", node.Value.Ticket));
        return node.Value;
    }

    private SlotDenied Denied(string why) =>
        new(_proxyId, new BleProxyError(BleErrorCodes.ConnectionAborted, why));

    private GateState State() => new(_proxyId, _slots, _leases.Count, _queue.Count, _generation, _inFlight, RecentFailures(),
        _connectMeanMs < 0 ? null : TimeSpan.FromMilliseconds(_connectMeanMs + 4 * _connectDeviationMs));

    // The one publication of this gate's state: metrics, dashboards (the event hub) and tests read it from here.
    private void Changed()
    {
        var state = State();
        CommissioningMetrics.For(Context.System).GateChanged(state);
        Context.System.EventStream.Publish(state);
        _listener?.Tell(state);
    }

    protected override void PostStop()
    {
        CommissioningMetrics.For(Context.System).GateStopped(_proxyId);
        // The proxy went away: nobody waits for a slot that can never come.
        foreach (var waiter in _queue)
        {
            waiter.Requester.Tell(Denied($"proxy {_proxyId} disconnected"));
        }
    }

    private sealed record Lease(long Id, string Address, long Generation, bool ConnectDone = false);

    private sealed record Waiter(IActorRef Requester, string Address, DateTime Since, long Ticket);

    private sealed record WaitExpired(IActorRef Requester, long Ticket);
}
