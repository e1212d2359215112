using System.Buffers.Binary;

namespace CommissioningActors.Protocol.Matter.Messages;

/// <summary>Bits of the exchange (protocol) header's flags byte.</summary>
public static class ExchangeFlags
{
    public const byte Initiator = 0x01;
    public const byte Ack = 0x02;
    public const byte Reliability = 0x04;
    public const byte SecuredExtensions = 0x08;
    public const byte Vendor = 0x10;
}

/// <summary>
/// The exchange (protocol) header (spec 4.4.3), the first bytes of the (decrypted) application payload.
/// A secured extension (SX) is kept as opaque bytes. <see cref="AckedCounter"/> present means the A flag.
/// </summary>
public sealed record ExchangeHeader(
    byte Opcode,
    ushort ExchangeId,
    MatterProtocolId Protocol,
    bool IsInitiator,
    bool RequiresAck = false,
    uint? AckedCounter = null,
    ReadOnlyMemory<byte>? SecuredExtension = null)
{
    public const int MinimumLength = 6;

    public int EncodedLength =>
        MinimumLength
        + (Protocol.VendorId == 0 ? 0 : 2)
        + (AckedCounter is null ? 0 : 4)
        + HeaderExtension.Size(SecuredExtension);

    public bool Is(SecureChannelOpcode opcode) =>
        Protocol == MatterProtocolId.SecureChannel && Opcode == (byte)opcode;

    public bool Is(InteractionModelOpcode opcode) =>
        Protocol == MatterProtocolId.InteractionModel && Opcode == (byte)opcode;

    public int WriteTo(Span<byte> destination)
    {
        HeaderExtension.ThrowIfTooLong(SecuredExtension, "Secured extension");

        destination[0] = (byte)((IsInitiator ? ExchangeFlags.Initiator : 0)
            | (AckedCounter is null ? 0 : ExchangeFlags.Ack)
            | (RequiresAck ? ExchangeFlags.Reliability : 0)
            | (SecuredExtension is null ? 0 : ExchangeFlags.SecuredExtensions)
            | (Protocol.VendorId == 0 ? 0 : ExchangeFlags.Vendor));
        destination[1] = Opcode;
        BinaryPrimitives.WriteUInt16LittleEndian(destination[2..], ExchangeId);
        var at = 4;
        if (Protocol.VendorId != 0)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(destination[at..], Protocol.VendorId);
            at += 2;
        }

        BinaryPrimitives.WriteUInt16LittleEndian(destination[at..], Protocol.Id);
        at += 2;
        if (AckedCounter is { } acked)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(destination[at..], acked);
            at += 4;
        }

        return HeaderExtension.Write(destination, at, SecuredExtension);
    }

    public static Parsed<ExchangeHeader> Read(ReadOnlyMemory<byte> input, out int length)
    {
        length = 0;
        var span = input.Span;
        if (span.Length < MinimumLength)
        {
            return Parsed<ExchangeHeader>.Fail(ParseErrorKind.FrameTooShort,
                $"exchange header needs {MinimumLength} bytes, got {span.Length}");
        }

        var flags = span[0];
        var hasVendor = (flags & ExchangeFlags.Vendor) != 0;
        var hasAck = (flags & ExchangeFlags.Ack) != 0;
        var need = MinimumLength + (hasVendor ? 2 : 0) + (hasAck ? 4 : 0);
        if (span.Length < need)
        {
            return Parsed<ExchangeHeader>.Fail(ParseErrorKind.FrameTooShort,
                $"exchange header needs {need} bytes, got {span.Length}");
        }

        var at = 4;
        ushort vendor = 0;
        if (hasVendor)
        {
            vendor = BinaryPrimitives.ReadUInt16LittleEndian(span[at..]);
            at += 2;
        }

        var protocol = new MatterProtocolId(vendor, BinaryPrimitives.ReadUInt16LittleEndian(span[at..]));
        at += 2;
        uint? acked = null;
        if (hasAck)
        {
            acked = BinaryPrimitives.ReadUInt32LittleEndian(span[at..]);
            at += 4;
        }

        ReadOnlyMemory<byte>? extension = null;
        if ((flags & ExchangeFlags.SecuredExtensions) != 0)
        {
            if (HeaderExtension.Read(input, ref at, "secured extension", out var read) is { } error)
            {
                return Parsed<ExchangeHeader>.Fail(error);
            }

            extension = read;
        }

        length = at;
        return Parsed<ExchangeHeader>.Ok(new ExchangeHeader(
            span[1],
            BinaryPrimitives.ReadUInt16LittleEndian(span[2..]),
            protocol,
            (flags & ExchangeFlags.Initiator) != 0,
            (flags & ExchangeFlags.Reliability) != 0,
            acked,
            extension));
    }
}
