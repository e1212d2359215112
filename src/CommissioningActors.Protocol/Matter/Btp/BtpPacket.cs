using System.Buffers.Binary;

namespace CommissioningActors.Protocol.Matter.Btp;

/// <summary>BTP header flag bits (Matter Core spec 4.19.2).</summary>
[Flags]
public enum BtpFlags : byte
{
    None = 0,
    Begin = 0x01,
    Continue = 0x02,
    End = 0x04,
    Ack = 0x08,
    Management = 0x20,
    Handshake = 0x40,
}

/// <summary>
/// One BTP data packet after the handshake: flags, [ack number], sequence number, [message length, only on the
/// beginning segment], segment payload. A packet without segment flags is a standalone ack.
/// </summary>
public sealed record BtpPacket(BtpFlags Flags, byte? AckNumber, byte Sequence, ushort? MessageLength, ReadOnlyMemory<byte> Payload)
{
    /// <summary>Bits no BTP version defines (0x10 was a test-only command flag upstream).</summary>
    private const byte ReservedBits = 0x90;

    private const BtpFlags SegmentFlags = BtpFlags.Begin | BtpFlags.Continue | BtpFlags.End;

    public bool IsBegin => Flags.HasFlag(BtpFlags.Begin);
    public bool IsEnd => Flags.HasFlag(BtpFlags.End);
    public bool CarriesData => (Flags & SegmentFlags) != 0;

    /// <summary>Header bytes in front of the payload.</summary>
    public static int HeaderSize(bool begin, bool ack) => 2 + (ack ? 1 : 0) + (begin ? 2 : 0);

    public static BtpPacket StandaloneAck(byte ackNumber, byte sequence) =>
        new(BtpFlags.Ack, ackNumber, sequence, null, ReadOnlyMemory<byte>.Empty);

    public static Parsed<BtpPacket> Parse(ReadOnlySpan<byte> packet)
    {
        if (packet.IsEmpty)
        {
            return Fail(ParseErrorKind.FrameTooShort, "BTP packet is empty");
        }

        var raw = packet[0];
        var flags = (BtpFlags)raw;
        if ((raw & ReservedBits) != 0)
        {
            return Fail(ParseErrorKind.InvalidValue, $"BTP flags 0x{raw:X2} set reserved bits");
        }

        if ((flags & (BtpFlags.Handshake | BtpFlags.Management)) != 0)
        {
            return Fail(ParseErrorKind.InvalidValue, $"BTP flags 0x{raw:X2} mark a handshake/management packet inside an open session");
        }

        if (ShapeError(flags) is { } shape)
        {
            return Fail(ParseErrorKind.InvalidValue, $"BTP flags 0x{raw:X2}: {shape}");
        }

        var hasAck = flags.HasFlag(BtpFlags.Ack);
        var begin = flags.HasFlag(BtpFlags.Begin);
        var header = HeaderSize(begin, hasAck);
        if (packet.Length < header)
        {
            return Fail(ParseErrorKind.FrameTooShort, $"BTP packet with flags 0x{raw:X2} needs {header} header bytes, got {packet.Length}");
        }

        var offset = 1;
        byte? ack = hasAck ? packet[offset++] : null;
        var sequence = packet[offset++];
        ushort? length = begin ? BinaryPrimitives.ReadUInt16LittleEndian(packet[offset..]) : null;
        var payload = packet[header..];

        if ((flags & SegmentFlags) == 0 && !payload.IsEmpty)
        {
            return Fail(ParseErrorKind.FrameTooLarge, $"BTP standalone ack carries {payload.Length} unexpected byte(s)");
        }

        if ((flags & SegmentFlags) != 0 && payload.IsEmpty)
        {
            return Fail(ParseErrorKind.FrameTooShort, "BTP data segment has no payload");
        }

        if (length == 0)
        {
            return Fail(ParseErrorKind.InvalidValue, "BTP beginning segment declares an empty message");
        }

        return Parsed<BtpPacket>.Ok(new BtpPacket(flags, ack, sequence, length, payload.ToArray()));
    }

    public byte[] Encode()
    {
        if ((Flags & ~(SegmentFlags | BtpFlags.Ack)) != 0 || ShapeError(Flags) is not null)
        {
            throw new InvalidOperationException($"Not an encodable BTP data packet: flags 0x{(byte)Flags:X2}");
        }

        if (Flags.HasFlag(BtpFlags.Ack) != AckNumber.HasValue || IsBegin != MessageLength.HasValue
            || CarriesData == Payload.IsEmpty)
        {
            throw new InvalidOperationException("BTP packet fields do not match its flags");
        }

        var header = HeaderSize(IsBegin, AckNumber.HasValue);
        var bytes = new byte[header + Payload.Length];
        var offset = 0;
        bytes[offset++] = (byte)Flags;
        if (AckNumber is { } ack)
        {
            bytes[offset++] = ack;
        }

        bytes[offset++] = Sequence;
        if (MessageLength is { } length)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(offset), length);
        }

        Payload.Span.CopyTo(bytes.AsSpan(header));
        return bytes;
    }

    /// <summary>Flag combinations no sender may produce, or null when the combination is legal.</summary>
    private static string? ShapeError(BtpFlags flags)
    {
        if (flags.HasFlag(BtpFlags.Begin) && flags.HasFlag(BtpFlags.Continue))
        {
            return "beginning and continuing segment at once";
        }

        if ((flags & SegmentFlags) == 0 && !flags.HasFlag(BtpFlags.Ack))
        {
            return "neither a segment nor an ack";
        }

        return null;
    }

    private static Parsed<BtpPacket> Fail(ParseErrorKind kind, string message) => Parsed<BtpPacket>.Fail(kind, message);
}
