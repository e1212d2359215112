namespace CommissioningActors.Core.Jobs;

/// <summary>
/// Frozen copy of a job's output, safe to put in an actor message: later appends to the buffer do not
/// change it.
/// </summary>
/// <param name="Lines">
/// What a client shows: the trim notice first when <paramref name="Elided"/> &gt; 0, then the retained lines
/// oldest first.
/// </param>
/// <param name="Elided">Lines dropped by every trim so far.</param>
/// <param name="LastSequence">Sequence number of the newest line (0 when nothing was appended).</param>
public sealed record JobOutputSnapshot(IReadOnlyList<string> Lines, long Elided, long LastSequence)
{
    public static JobOutputSnapshot Empty { get; } = new([], 0, 0);

    /// <summary>Lines retained, excluding the trim notice.</summary>
    public long RetainedCount => LastSequence - Elided;

    /// <summary>Sequence number of the oldest retained line (LastSequence + 1 when none are retained).</summary>
    public long FirstRetainedSequence => Elided + 1;
}
