using CommissioningActors.Protocol.Matter.Tlv;
using CommissioningActors.Protocol.Matter.Transport;

namespace CommissioningActors.Protocol.Matter.SecureChannel;

/// <summary>
/// The session-parameter structure of PBKDFParamRequest/Response and Sigma1/Sigma2 (spec 4.13.1.2):
/// 1 SII u32 ms, 2 SAI u32 ms, 3 SAT u16 ms, 4 data model revision u16, 5 interaction model revision u16,
/// 6 specification version u32, 7 max paths per invoke u16, 8 supported transports u16 bitmap,
/// 9 max TCP message size u32. Absent MRP fields take the spec defaults; absent others stay null.
/// </summary>
public sealed record SecureSessionParameters(
    SessionParameters Mrp,
    ushort? DataModelRevision = null,
    ushort? InteractionModelRevision = null,
    uint? SpecificationVersion = null,
    ushort? MaxPathsPerInvoke = null,
    ushort? SupportedTransports = null,
    uint? MaxTcpMessageSize = null)
{
    public const byte DataModelRevisionTag = 4;
    public const byte InteractionModelRevisionTag = 5;
    public const byte SpecificationVersionTag = 6;
    public const byte MaxPathsPerInvokeTag = 7;
    public const byte SupportedTransportsTag = 8;
    public const byte MaxTcpMessageSizeTag = 9;

    /// <summary>What we announce: the MRP defaults, Matter 1.4 revisions, one path per invoke, UDP only.</summary>
    public static SecureSessionParameters Ours { get; } = new(
        SessionParameters.Default,
        DataModelRevision: 18,
        InteractionModelRevision: 12,
        SpecificationVersion: 0x01040000,
        MaxPathsPerInvoke: 1);

    /// <summary>A peer that sends no structure gets the spec defaults.</summary>
    public static SecureSessionParameters Defaults { get; } = new(SessionParameters.Default);

    public void Write(TlvWriter writer, TlvTag tag)
    {
        writer.StartStructure(tag);
        SessionParametersTlv.WriteMrpFields(writer, Mrp);
        WriteOptional(writer, DataModelRevisionTag, DataModelRevision);
        WriteOptional(writer, InteractionModelRevisionTag, InteractionModelRevision);
        WriteOptional(writer, SpecificationVersionTag, SpecificationVersion);
        WriteOptional(writer, MaxPathsPerInvokeTag, MaxPathsPerInvoke);
        WriteOptional(writer, SupportedTransportsTag, SupportedTransports);
        WriteOptional(writer, MaxTcpMessageSizeTag, MaxTcpMessageSize);
        writer.EndContainer();
    }

    public static Parsed<SecureSessionParameters> Read(TlvElement element, string what)
    {
        var mrp = SessionParametersTlv.Read(element);
        if (!mrp.IsOk)
        {
            return new ParseError(mrp.Error!.Kind, $"{what}: {mrp.Error.Message}");
        }

        var opened = TlvStructReader.Nested(element, what);
        if (!opened.IsOk)
        {
            return opened.Error!;
        }

        var fields = opened.Value!;
        var parameters = new SecureSessionParameters(
            mrp.Value!,
            (ushort?)fields.OptionalUnsigned(DataModelRevisionTag, "data model revision", ushort.MaxValue),
            (ushort?)fields.OptionalUnsigned(InteractionModelRevisionTag, "interaction model revision", ushort.MaxValue),
            (uint?)fields.OptionalUnsigned(SpecificationVersionTag, "specification version", uint.MaxValue),
            (ushort?)fields.OptionalUnsigned(MaxPathsPerInvokeTag, "max paths per invoke", ushort.MaxValue),
            (ushort?)fields.OptionalUnsigned(SupportedTransportsTag, "supported transports", ushort.MaxValue),
            (uint?)fields.OptionalUnsigned(MaxTcpMessageSizeTag, "max TCP message size", uint.MaxValue));
        if (parameters.MaxPathsPerInvoke == 0)
        {
            fields.Fail(ParseErrorKind.InvalidValue, "max paths per invoke must be at least 1", 0);
        }

        return fields.Error is { } error ? error : Parsed<SecureSessionParameters>.Ok(parameters);
    }

    private static void WriteOptional(TlvWriter writer, byte tag, ulong? value)
    {
        if (value is { } v)
        {
            writer.WriteUnsigned(TlvTag.Context(tag), v);
        }
    }
}
