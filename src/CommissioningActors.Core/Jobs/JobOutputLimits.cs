namespace CommissioningActors.Core.Jobs;

/// <summary>
/// Output cap for a running job. Once more than <see cref="InFlightCap"/> lines are retained the buffer
/// trims back to the newest <see cref="RetentionFloor"/>; the gap between the two is the hysteresis
/// that amortises each trim. <see cref="JobOutputBuffer.Complete"/> trims to the floor as well.
/// </summary>
/// <remarks>
/// Properties are get-only so a <c>with</c> expression cannot bypass the validation.
/// </remarks>
public sealed record JobOutputLimits(int InFlightCap = 4000, int RetentionFloor = 2000)
{
    /// <summary>Most lines retained while the job runs; appending one more triggers a trim.</summary>
    public int InFlightCap { get; } = Validate(InFlightCap, RetentionFloor);

    /// <summary>Lines kept by every trim (mid-run and completion).</summary>
    public int RetentionFloor { get; } = RetentionFloor;

    public static JobOutputLimits Default { get; } = new();

    /// <summary>Never trims; for benchmarks comparing against the capped buffer.</summary>
    public static JobOutputLimits Unbounded { get; } = new(int.MaxValue, int.MaxValue - 1);

    public bool IsUnbounded => InFlightCap == int.MaxValue;

    private static int Validate(int inFlightCap, int retentionFloor)
    {
        if (retentionFloor < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(RetentionFloor), retentionFloor, "RetentionFloor must be at least 1.");
        }

        if (inFlightCap <= retentionFloor)
        {
            throw new ArgumentOutOfRangeException(
                nameof(InFlightCap), inFlightCap, "InFlightCap must be greater than RetentionFloor (the gap is the trim hysteresis).");
        }

        return inFlightCap;
    }
}
