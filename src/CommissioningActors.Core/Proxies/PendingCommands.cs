using Akka.Actor;
using CommissioningActors.Protocol.BleProxy;

namespace CommissioningActors.Core.Proxies;

/// <summary>A command sent to a proxy and not answered yet, with who asked.</summary>
public sealed record PendingCommand(BleCommand Command, IActorRef Requester, object? Correlation, bool RequesterGone = false);

/// <summary>
/// A session's table of commands in flight, by wire id (increasing from 1). A command that times out leaves the
/// table but is remembered, up to a bound, so that a connect answered late can still be torn down instead of
/// holding a proxy slot. Not thread-safe: owned by one actor.
/// </summary>
public sealed class PendingCommands(int maxRememberedTimeouts = PendingCommands.DefaultRememberedTimeouts)
{
    public const int DefaultRememberedTimeouts = 256;

    private readonly Dictionary<int, PendingCommand> _pending = [];
    private readonly Dictionary<int, BleCommand> _timedOut = [];
    private readonly Queue<int> _timedOutOrder = new();
    private int _nextId = 1;

    public int Count => _pending.Count;

    /// <summary>Registers a command and returns the id to send it with.</summary>
    public int Add(BleCommand command, IActorRef requester, object? correlation)
    {
        var id = _nextId++;
        _pending[id] = new PendingCommand(command, requester, correlation);
        return id;
    }

    /// <summary>The answer to id arrived: the command leaves the table. False for an id not in flight.</summary>
    public bool TryComplete(int id, out PendingCommand pending) => _pending.Remove(id, out pending!);

    /// <summary>Gives up on id: it leaves the table and is remembered for a late answer. False if already answered.</summary>
    public bool TryTimeOut(int id, out PendingCommand pending)
    {
        if (!_pending.Remove(id, out pending!))
        {
            return false;
        }

        _timedOut[id] = pending.Command;
        _timedOutOrder.Enqueue(id);
        while (_timedOutOrder.Count > maxRememberedTimeouts)
        {
            _timedOut.Remove(_timedOutOrder.Dequeue());
        }

        return true;
    }

    /// <summary>A late answer to a command that timed out: its command, once.</summary>
    public bool TryTakeTimedOut(int id, out BleCommand command) => _timedOut.Remove(id, out command!);

    /// <summary>The requester stopped: its commands stay in flight, marked so their results are not delivered.</summary>
    public void MarkRequesterGone(IActorRef requester)
    {
        foreach (var (id, pending) in _pending.Where(p => p.Value.Requester.Equals(requester)).ToList())
        {
            _pending[id] = pending with { RequesterGone = true };
        }
    }

    /// <summary>Empties the table (the proxy went away) and returns what was in flight.</summary>
    public IReadOnlyList<PendingCommand> TakeAll()
    {
        var all = _pending.Values.ToList();
        _pending.Clear();
        return all;
    }
}
