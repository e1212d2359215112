using System.Buffers.Binary;

namespace CommissioningActors.Protocol.Matter.Messages;

/// <summary>General status codes of a StatusReport (spec Appendix D).</summary>
public enum GeneralStatusCode : ushort
{
    Success = 0,
    Failure = 1,
    BadPrecondition = 2,
    OutOfRange = 3,
    BadRequest = 4,
    Unsupported = 5,
    Unexpected = 6,
    ResourceExhausted = 7,
    Busy = 8,
    Timeout = 9,
    Continue = 10,
    Aborted = 11,
    InvalidArgument = 12,
    NotFound = 13,
    AlreadyExists = 14,
    PermissionDenied = 15,
    DataLoss = 16,
    MessageTooLarge = 17,
}

/// <summary>Protocol-specific codes of a Secure Channel StatusReport.</summary>
public enum SecureChannelStatusCode : ushort
{
    SessionEstablishmentSuccess = 0,
    NoSharedTrustRoots = 1,
    InvalidParameter = 2,
    CloseSession = 3,
    Busy = 4,
}

/// <summary>StatusReport message (Secure Channel opcode 0x40): general code, protocol id, protocol code, optional data.</summary>
public sealed record StatusReport(
    GeneralStatusCode GeneralCode,
    MatterProtocolId Protocol,
    ushort ProtocolCode,
    ReadOnlyMemory<byte> ProtocolData = default)
{
    public const int MinimumLength = 8;

    public bool IsSuccess => GeneralCode == GeneralStatusCode.Success;

    public static StatusReport SessionEstablishmentSuccess { get; } =
        new(GeneralStatusCode.Success, MatterProtocolId.SecureChannel, (ushort)SecureChannelStatusCode.SessionEstablishmentSuccess);

    public static StatusReport CloseSession { get; } =
        new(GeneralStatusCode.Success, MatterProtocolId.SecureChannel, (ushort)SecureChannelStatusCode.CloseSession);

    public byte[] Encode()
    {
        var bytes = new byte[MinimumLength + ProtocolData.Length];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, (ushort)GeneralCode);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(2), Protocol.Full);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(6), ProtocolCode);
        ProtocolData.Span.CopyTo(bytes.AsSpan(MinimumLength));
        return bytes;
    }

    /// <summary>Decodes a StatusReport payload; unknown general codes are kept as numbers.</summary>
    public static Parsed<StatusReport> Decode(ReadOnlyMemory<byte> payload)
    {
        if (payload.Length < MinimumLength)
        {
            return Parsed<StatusReport>.Fail(ParseErrorKind.FrameTooShort,
                $"StatusReport needs {MinimumLength} bytes, got {payload.Length}");
        }

        var span = payload.Span;
        return Parsed<StatusReport>.Ok(new StatusReport(
            (GeneralStatusCode)BinaryPrimitives.ReadUInt16LittleEndian(span),
            MatterProtocolId.FromFull(BinaryPrimitives.ReadUInt32LittleEndian(span[2..])),
            BinaryPrimitives.ReadUInt16LittleEndian(span[6..]),
            payload[MinimumLength..].ToArray()));
    }

    public override string ToString()
    {
        var code = Protocol == MatterProtocolId.SecureChannel && Enum.IsDefined((SecureChannelStatusCode)ProtocolCode)
            ? ((SecureChannelStatusCode)ProtocolCode).ToString()
            : ProtocolCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var general = Enum.IsDefined(GeneralCode) ? GeneralCode.ToString() : ((ushort)GeneralCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return $"StatusReport({general}, protocol {Protocol}, code {code}, {ProtocolData.Length} data bytes)";
    }
}
