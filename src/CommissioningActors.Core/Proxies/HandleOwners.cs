using Akka.Actor;

namespace CommissioningActors.Core.Proxies;

/// <summary>
/// Who owns each connection handle on one proxy. Plain state, owned by its session: a handle has at most one
/// owner, a second claim of a live handle is refused, and every release happens once.
/// </summary>
public sealed class HandleOwners
{
    private readonly Dictionary<int, IActorRef> _owners = [];

    public int Count => _owners.Count;

    /// <summary>
    /// A connect succeeded with this handle. A live handle is a proxy error: the first owner keeps it and no
    /// disconnect may be sent (it would end the first connection). A requester that is gone gets no handle:
    /// the caller tears it down so it does not hold a slot.
    /// </summary>
    public ConnectOutcome Claim(int handle, IActorRef requester, bool requesterGone)
    {
        if (_owners.ContainsKey(handle))
        {
            return ConnectOutcome.Duplicate;
        }

        if (requesterGone)
        {
            return ConnectOutcome.TearDown;
        }

        _owners[handle] = requester;
        return ConnectOutcome.Claimed;
    }

    /// <summary>A connect answered after its timeout: tear it down unless the proxy reused a live handle.</summary>
    public bool ShouldTearDownLate(int handle) => !_owners.ContainsKey(handle);

    public bool TryGetOwner(int handle, out IActorRef owner) => _owners.TryGetValue(handle, out owner!);

    /// <summary>True only the first time: the caller sends the one `disconnect`.</summary>
    public bool Release(int handle) => _owners.Remove(handle);

    public bool Release(int handle, out IActorRef owner) => _owners.Remove(handle, out owner!);

    /// <summary>Releases every handle a dead owner held and returns them (each needs a `disconnect`).</summary>
    public IReadOnlyList<int> ReleaseAllOf(IActorRef owner)
    {
        var handles = _owners.Where(h => h.Value.Equals(owner)).Select(h => h.Key).ToList();
        foreach (var handle in handles)
        {
            _owners.Remove(handle);
        }

        return handles;
    }

    /// <summary>Empties the table (the proxy went away) and returns what was held.</summary>
    public IReadOnlyList<KeyValuePair<int, IActorRef>> TakeAll()
    {
        var all = _owners.ToList();
        _owners.Clear();
        return all;
    }
}

public enum ConnectOutcome
{
    Claimed,
    Duplicate,
    TearDown,
}
