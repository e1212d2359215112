using System.Collections.Immutable;
using System.Globalization;
using CommissioningActors.Protocol.BleProxy;

namespace CommissioningActors.Core.Jobs;

/// <summary>
/// A running job's output lines, capped with hysteresis (see <see cref="JobOutputLimits"/>). Owned by
/// one actor, so not thread-safe; hand out <see cref="Snapshot"/> rather than the buffer.
/// </summary>
/// <remarks>
/// Lines live in a ring, so a trim only moves the head: no per-append copy, and the slots cleared by a
/// trim are paid for by the InFlightCap - RetentionFloor appends that refill them.
/// After <see cref="Complete"/> the output is final and <see cref="Append"/> throws; the owning actor must
/// drain the process output before completing.
/// </remarks>
public sealed class JobOutputBuffer
{
    private const int InitialCapacity = 16;

    private readonly Func<string, string>? _redact;
    private readonly SecretRedactor _secrets = new();
    private readonly int _maxCapacity;
    private string?[] _ring = [];
    private int _head;
    private int _count;
    private long _totalAppended;
    private long _elided;
    private VerdictFacts _facts = VerdictFacts.None;

    /// <param name="limits">Defaults to <see cref="JobOutputLimits.Default"/>.</param>
    /// <param name="redact">Extra redaction applied after registered secrets (e.g. for patterns rather than values).</param>
    public JobOutputBuffer(JobOutputLimits? limits = null, Func<string, string>? redact = null)
    {
        Limits = limits ?? JobOutputLimits.Default;
        _redact = redact;
        _maxCapacity = Math.Min(Limits.InFlightCap, Array.MaxLength);
    }

    public JobOutputLimits Limits { get; }

    /// <summary>Lines ever appended; also the sequence number of the newest line.</summary>
    public long TotalAppended => _totalAppended;

    /// <summary>Lines dropped by every trim so far (mid-run and completion).</summary>
    public long Elided => _elided;

    /// <summary>Lines currently held, not counting the trim notice.</summary>
    public int RetainedCount => _count;

    public bool IsCompleted { get; private set; }

    public VerdictFacts Facts => _facts;

    public bool SawSlotExhaustion => _facts.SawSlotExhaustion;

    /// <summary>Notice + retained lines, copied on each call.</summary>
    public IReadOnlyList<string> Lines => Snapshot().Lines;

    /// <summary>The first line shown when <paramref name="elided"/> lines were trimmed.</summary>
    public static string TrimNotice(long elided) =>
        string.Create(CultureInfo.InvariantCulture, $"... [output trimmed: {elided} earlier line(s) elided]");

    /// <summary>
    /// Masks <paramref name="secret"/> in every later line, and in lines already retained (a backstop;
    /// snapshots taken earlier cannot be fixed, so register secrets before the job produces output).
    /// </summary>
    public void RegisterSecret(string secret)
    {
        if (!_secrets.Register(secret))
        {
            return;
        }

        for (var i = 0; i < _count; i++)
        {
            var slot = (_head + i) % _ring.Length;
            _ring[slot] = _secrets.Redact(_ring[slot]!);
        }

        if (_facts.FirstSlotExhaustionLine is { } first)
        {
            _facts = _facts with { FirstSlotExhaustionLine = _secrets.Redact(first) };
        }
    }

    /// <summary>Appends one line (redacted) and returns its sequence number, starting at 1.</summary>
    /// <exception cref="InvalidOperationException">The buffer was completed.</exception>
    public long Append(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (IsCompleted)
        {
            throw new InvalidOperationException("Job output is complete; no more lines can be appended.");
        }

        var clean = Clean(line);
        var sequence = ++_totalAppended;

        // Checked on the raw line so redaction can't mask the marker; the stored copy is the redacted one.
        if (!_facts.SawSlotExhaustion && SlotExhaustion.MentionsSlotExhaustion(line))
        {
            _facts = new VerdictFacts(true, clean, sequence);
        }

        if (_count == Limits.InFlightCap)
        {
            // This line takes the count past the cap: keep the newest RetentionFloor including it.
            DropOldest(_count - (Limits.RetentionFloor - 1));
        }
        else if (_count == _ring.Length)
        {
            Grow();
        }

        _ring[(_head + _count) % _ring.Length] = clean;
        _count++;
        return sequence;
    }

    /// <summary>The newest line as stored (redacted), or null when nothing is retained.</summary>
    public string? Newest => _count == 0 ? null : _ring[(_head + _count - 1) % _ring.Length];

    /// <summary>Marks the job finished and trims to the retention floor. Idempotent.</summary>
    public void Complete()
    {
        if (IsCompleted)
        {
            return;
        }

        IsCompleted = true;
        if (_count > Limits.RetentionFloor)
        {
            DropOldest(_count - Limits.RetentionFloor);
        }
    }

    /// <summary>An immutable copy: later appends, trims or secret registrations do not change it.</summary>
    public JobOutputSnapshot Snapshot()
    {
        var notice = _elided > 0 ? 1 : 0;
        var lines = ImmutableArray.CreateBuilder<string>(notice + _count);
        if (notice == 1)
        {
            lines.Add(TrimNotice(_elided));
        }

        for (var i = 0; i < _count; i++)
        {
            lines.Add(_ring[(_head + i) % _ring.Length]!);
        }

        return new JobOutputSnapshot(lines.MoveToImmutable(), _elided, _totalAppended);
    }

    private string Clean(string line)
    {
        var clean = _secrets.Redact(line);
        if (_redact is not null)
        {
            clean = _redact(clean)
                ?? throw new InvalidOperationException("The redact hook returned null.");
        }

        return clean;
    }

    private void DropOldest(int n)
    {
        // Clear the slots so the dropped strings can be collected.
        for (var i = 0; i < n; i++)
        {
            _ring[(_head + i) % _ring.Length] = null;
        }

        _head = (_head + n) % _ring.Length;
        _count -= n;
        _elided += n;
    }

    private void Grow()
    {
        var capacity = (int)Math.Min(_ring.Length == 0 ? InitialCapacity : _ring.Length * 2L, _maxCapacity);
        if (capacity <= _count)
        {
            throw new InvalidOperationException("Job output buffer is full.");
        }

        var grown = new string?[capacity];
        for (var i = 0; i < _count; i++)
        {
            grown[i] = _ring[(_head + i) % _ring.Length];
        }

        _ring = grown;
        _head = 0;
    }
}
