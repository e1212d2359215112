namespace CommissioningActors.Core.Discovery;

/// <summary>
/// At most Limit events per window; the rest are only counted, so the owner can replace them with one
/// summary per window. Not thread-safe: owned by one actor, fed the actor's scheduler clock.
/// </summary>
public sealed class RateWindow(int limit, TimeSpan window)
{
    private DateTimeOffset _windowStart = DateTimeOffset.MinValue;
    private int _taken;

    public TimeSpan Window { get; } = window;

    /// <summary>Counted since the last <see cref="TakeSuppressed"/>.</summary>
    public long Suppressed { get; private set; }

    /// <summary>True when this event may go out; false when it is over the budget (and counted).</summary>
    public bool TryTake(DateTimeOffset now)
    {
        if (now - _windowStart >= Window || now < _windowStart)
        {
            _windowStart = now;
            _taken = 0;
        }

        if (_taken < limit)
        {
            _taken++;
            return true;
        }

        Suppressed++;
        return false;
    }

    public long TakeSuppressed()
    {
        var suppressed = Suppressed;
        Suppressed = 0;
        return suppressed;
    }
}
