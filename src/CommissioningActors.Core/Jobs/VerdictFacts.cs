namespace CommissioningActors.Core.Jobs;

/// <summary>
/// Facts that decide a job's verdict, captured when a line is appended so a later trim cannot hide them.
/// Once set they are never cleared.
/// </summary>
/// <param name="FirstSlotExhaustionLine">The first slot-exhaustion line, already redacted.</param>
/// <param name="FirstSlotExhaustionSequence">Sequence number of that line.</param>
public sealed record VerdictFacts(
    bool SawSlotExhaustion = false,
    string? FirstSlotExhaustionLine = null,
    long? FirstSlotExhaustionSequence = null)
{
    public static VerdictFacts None { get; } = new();
}
