namespace CommissioningActors.Core.Discovery;

/// <summary>
/// The latest value per (proxy, address), bounded per proxy and in total: when either bound is reached the
/// least recently seen entry of that scope is evicted. Kept in arrival order, so eviction and expiry are
/// O(1) per entry. A proxy that reports a flood of addresses evicts its own sightings first, then the
/// oldest in the table.
/// </summary>
public sealed class SightingTable<T>
{
    private readonly int _maxPerProxy;
    private readonly int _maxTotal;
    private readonly Dictionary<SightingKey, Entry> _entries = [];
    private readonly LinkedList<Entry> _all = new(); // least recently seen first
    private readonly Dictionary<string, LinkedList<Entry>> _byProxy = new(StringComparer.Ordinal);
    private readonly Action<T>? _onRemoved;

    /// <param name="onRemoved">Told every value that leaves the table (eviction, expiry, proxy removal).</param>
    public SightingTable(int maxPerProxy, int maxTotal, Action<T>? onRemoved = null)
    {
        _onRemoved = onRemoved;
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPerProxy, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTotal, 1);
        _maxPerProxy = maxPerProxy;
        _maxTotal = maxTotal;
    }

    public int Count => _entries.Count;

    /// <summary>Entries evicted by the bounds since the table was made (expiry and proxy removal not counted).</summary>
    public long Evicted { get; private set; }

    public IEnumerable<T> Values => _all.Select(e => e.Value);

    public int CountFor(string proxyId) => _byProxy.TryGetValue(proxyId, out var list) ? list.Count : 0;

    public bool Contains(string proxyId, string address) => _entries.ContainsKey(new SightingKey(proxyId, address));

    public bool TryGetValue(string proxyId, string address, out T value)
    {
        var found = _entries.TryGetValue(new SightingKey(proxyId, address), out var entry);
        value = found ? entry!.Value : default!;
        return found;
    }

    /// <summary>Adds or refreshes an entry; true when it was not there before.</summary>
    public bool Upsert(string proxyId, string address, T value, DateTimeOffset at)
    {
        var key = new SightingKey(proxyId, address);
        if (_entries.TryGetValue(key, out var entry))
        {
            entry.Value = value;
            entry.LastSeen = at;
            MoveToEnd(_all, entry.InAll);
            MoveToEnd(_byProxy[proxyId], entry.InProxy);
            return false;
        }

        if (!_byProxy.TryGetValue(proxyId, out var ofProxy))
        {
            _byProxy[proxyId] = ofProxy = new LinkedList<Entry>();
        }

        if (ofProxy.Count >= _maxPerProxy)
        {
            Remove(ofProxy.First!.Value);
            Evicted++;
        }

        if (_entries.Count >= _maxTotal)
        {
            Remove(_all.First!.Value);
            Evicted++;
        }

        entry = new Entry(key, value, at);
        entry.InAll = _all.AddLast(entry);
        // The total bound may have removed this proxy's last entry (and with it its list).
        if (!_byProxy.TryGetValue(proxyId, out ofProxy))
        {
            _byProxy[proxyId] = ofProxy = new LinkedList<Entry>();
        }

        entry.InProxy = ofProxy.AddLast(entry);
        _entries[key] = entry;
        return true;
    }

    public int RemoveProxy(string proxyId)
    {
        if (!_byProxy.TryGetValue(proxyId, out var ofProxy))
        {
            return 0;
        }

        var count = ofProxy.Count;
        foreach (var entry in ofProxy.ToList())
        {
            Remove(entry);
        }

        return count;
    }

    /// <summary>Drops entries last seen before the cutoff (walks from the stalest; stops at the first fresh one).</summary>
    public int RemoveOlderThan(DateTimeOffset cutoff)
    {
        var removed = 0;
        while (_all.First is { } first && first.Value.LastSeen < cutoff)
        {
            Remove(first.Value);
            removed++;
        }

        return removed;
    }

    private void Remove(Entry entry)
    {
        _entries.Remove(entry.Key);
        _all.Remove(entry.InAll!);
        var ofProxy = _byProxy[entry.Key.ProxyId];
        ofProxy.Remove(entry.InProxy!);
        if (ofProxy.Count == 0)
        {
            _byProxy.Remove(entry.Key.ProxyId);
        }

        _onRemoved?.Invoke(entry.Value);
    }

    private static void MoveToEnd(LinkedList<Entry> list, LinkedListNode<Entry>? node)
    {
        list.Remove(node!);
        list.AddLast(node!);
    }

    private readonly record struct SightingKey(string ProxyId, string Address);

    private sealed class Entry(SightingKey key, T value, DateTimeOffset lastSeen)
    {
        public SightingKey Key { get; } = key;
        public T Value { get; set; } = value;
        public DateTimeOffset LastSeen { get; set; } = lastSeen;
        public LinkedListNode<Entry>? InAll { get; set; }
        public LinkedListNode<Entry>? InProxy { get; set; }
    }
}
