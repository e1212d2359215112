using CommissioningActors.Protocol.Matter.Tlv;

namespace CommissioningActors.Protocol.Matter.Transport;

/// <summary>
/// The MRP fields of the session-parameter structure carried in PBKDFParamRequest/Response and Sigma1/2:
/// 1 SII (u32 ms), 2 SAI (u32 ms), 3 SAT (u16 ms). Absent fields take the spec defaults; the other fields of
/// the structure (revisions, max paths per invoke, ...) are left to the session-establishment code.
/// </summary>
public static class SessionParametersTlv
{
    public const byte IdleIntervalTag = 1;
    public const byte ActiveIntervalTag = 2;
    public const byte ActiveThresholdTag = 3;

    /// <summary>The spec caps both intervals at one hour.</summary>
    public static readonly TimeSpan MaxInterval = TimeSpan.FromHours(1);

    public static Parsed<SessionParameters> Read(TlvElement element)
    {
        if (element.Value is not TlvContainer { Kind: TlvContainerKind.Structure })
        {
            return Parsed<SessionParameters>.Fail(ParseErrorKind.WrongType, "session parameters must be a structure");
        }

        var defaults = SessionParameters.Default;
        var idle = Milliseconds(element[IdleIntervalTag], uint.MaxValue, defaults.IdleInterval, "idle interval");
        var active = Milliseconds(element[ActiveIntervalTag], uint.MaxValue, defaults.ActiveInterval, "active interval");
        var threshold = Milliseconds(element[ActiveThresholdTag], ushort.MaxValue, defaults.ActiveThreshold, "active threshold");
        foreach (var field in new[] { idle, active, threshold })
        {
            if (!field.IsOk)
            {
                return field.Error!;
            }
        }

        if (idle.Value > MaxInterval || active.Value > MaxInterval)
        {
            return Parsed<SessionParameters>.Fail(ParseErrorKind.InvalidValue, "session intervals are at most one hour");
        }

        return Parsed<SessionParameters>.Ok(new SessionParameters(idle.Value, active.Value, threshold.Value));
    }

    /// <summary>Writes fields 1..3 into a structure the caller has opened.</summary>
    public static TlvWriter WriteMrpFields(TlvWriter writer, SessionParameters parameters) => writer
        .WriteUnsigned(TlvTag.Context(IdleIntervalTag), (ulong)parameters.IdleInterval.TotalMilliseconds)
        .WriteUnsigned(TlvTag.Context(ActiveIntervalTag), (ulong)parameters.ActiveInterval.TotalMilliseconds)
        .WriteUnsigned(TlvTag.Context(ActiveThresholdTag), (ulong)parameters.ActiveThreshold.TotalMilliseconds);

    private static Parsed<TimeSpan> Milliseconds(TlvElement? field, ulong max, TimeSpan fallback, string name)
    {
        if (field is null)
        {
            return Parsed<TimeSpan>.Ok(fallback);
        }

        if (field.Value is not TlvUnsigned { Value: var ms })
        {
            return Parsed<TimeSpan>.Fail(ParseErrorKind.WrongType, $"session {name} must be an unsigned integer");
        }

        return ms > max
            ? Parsed<TimeSpan>.Fail(ParseErrorKind.InvalidValue, $"session {name} {ms} ms is out of range")
            : Parsed<TimeSpan>.Ok(TimeSpan.FromMilliseconds(ms));
    }
}
