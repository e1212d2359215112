using System.Buffers.Binary;

namespace CommissioningActors.Protocol.Matter.Messages;

public enum SessionType : byte
{
    Unicast = 0,
    Group = 1,
}

/// <summary>Bits of the message header's flags and security flags bytes.</summary>
public static class MessageFlags
{
    public const byte VersionMask = 0xF0;
    public const byte SourceNodeIdPresent = 0x04;
    public const byte DsizMask = 0x03;
    public const byte DsizNodeId = 0x01;
    public const byte DsizGroupId = 0x02;

    public const byte Privacy = 0x80;
    public const byte Control = 0x40;
    public const byte MessageExtensions = 0x20;
    public const byte SessionTypeMask = 0x03;
}

/// <summary>
/// The Matter message header (spec 4.4.1). Privacy (P) and control (C) messages are not supported and never
/// decode; a message extension (MX) is kept as opaque bytes because it is part of the AAD.
/// </summary>
public sealed record MessageHeader(
    ushort SessionId,
    SessionType SessionType,
    uint Counter,
    ulong? SourceNodeId = null,
    ulong? DestinationNodeId = null,
    ushort? DestinationGroupId = null,
    ReadOnlyMemory<byte>? Extension = null)
{
    public const int MinimumLength = 8;

    public bool IsUnsecured => SessionId == 0 && SessionType == SessionType.Unicast;

    public byte SecurityFlags =>
        (byte)((byte)SessionType | (Extension is null ? 0 : MessageFlags.MessageExtensions));

    public int EncodedLength =>
        MinimumLength
        + (SourceNodeId is null ? 0 : 8)
        + (DestinationNodeId is null ? 0 : 8)
        + (DestinationGroupId is null ? 0 : 2)
        + HeaderExtension.Size(Extension);

    public byte[] ToArray()
    {
        var bytes = new byte[EncodedLength];
        WriteTo(bytes);
        return bytes;
    }

    /// <summary>Writes the header to the start of <paramref name="destination"/> and returns its length.</summary>
    public int WriteTo(Span<byte> destination)
    {
        if (DestinationNodeId is not null && DestinationGroupId is not null)
        {
            throw new InvalidOperationException("A message has a destination node id or a group id, not both");
        }

        HeaderExtension.ThrowIfTooLong(Extension, "Message extension");

        var flags = (byte)((SourceNodeId is null ? 0 : MessageFlags.SourceNodeIdPresent)
            | (DestinationNodeId is null ? 0 : MessageFlags.DsizNodeId)
            | (DestinationGroupId is null ? 0 : MessageFlags.DsizGroupId));
        destination[0] = flags;
        BinaryPrimitives.WriteUInt16LittleEndian(destination[1..], SessionId);
        destination[3] = SecurityFlags;
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], Counter);
        var at = MinimumLength;
        if (SourceNodeId is { } source)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(destination[at..], source);
            at += 8;
        }

        if (DestinationNodeId is { } node)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(destination[at..], node);
            at += 8;
        }
        else if (DestinationGroupId is { } group)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(destination[at..], group);
            at += 2;
        }

        return HeaderExtension.Write(destination, at, Extension);
    }

    /// <summary>Reads a header from the start of <paramref name="input"/>; <paramref name="length"/> is its size.</summary>
    public static Parsed<MessageHeader> Read(ReadOnlyMemory<byte> input, out int length)
    {
        length = 0;
        var span = input.Span;
        if (span.Length < MinimumLength)
        {
            return Fail(ParseErrorKind.FrameTooShort, $"message header needs {MinimumLength} bytes, got {span.Length}");
        }

        var flags = span[0];
        if ((flags & MessageFlags.VersionMask) != 0)
        {
            return Fail(ParseErrorKind.InvalidValue, $"message version {flags >> 4} is not supported");
        }

        var dsiz = flags & MessageFlags.DsizMask;
        if (dsiz == 3)
        {
            return Fail(ParseErrorKind.InvalidValue, "destination size 3 is reserved");
        }

        var security = span[3];
        if ((security & MessageFlags.Privacy) != 0)
        {
            return Fail(ParseErrorKind.InvalidValue, "privacy-enhanced messages are not supported");
        }

        if ((security & MessageFlags.Control) != 0)
        {
            return Fail(ParseErrorKind.InvalidValue, "control messages are not supported");
        }

        var sessionType = security & MessageFlags.SessionTypeMask;
        if (sessionType > 1)
        {
            return Fail(ParseErrorKind.InvalidValue, $"session type {sessionType} is reserved");
        }

        var hasSource = (flags & MessageFlags.SourceNodeIdPresent) != 0;
        var need = MinimumLength + (hasSource ? 8 : 0) + dsiz switch { 1 => 8, 2 => 2, _ => 0 };
        if (span.Length < need)
        {
            return Fail(ParseErrorKind.FrameTooShort, $"message header needs {need} bytes, got {span.Length}");
        }

        var at = MinimumLength;
        ulong? source = hasSource ? BinaryPrimitives.ReadUInt64LittleEndian(span[at..]) : null;
        at += hasSource ? 8 : 0;
        ulong? destinationNode = dsiz == 1 ? BinaryPrimitives.ReadUInt64LittleEndian(span[at..]) : null;
        ushort? group = dsiz == 2 ? BinaryPrimitives.ReadUInt16LittleEndian(span[at..]) : null;
        at += dsiz switch { 1 => 8, 2 => 2, _ => 0 };

        if (sessionType == (int)SessionType.Unicast && group is not null)
        {
            return Fail(ParseErrorKind.InvalidValue, "a unicast message cannot name a destination group");
        }

        if (sessionType == (int)SessionType.Group && (source is null || (group is null && destinationNode is null)))
        {
            return Fail(ParseErrorKind.InvalidValue, "a group message needs a source node id and a destination");
        }

        ReadOnlyMemory<byte>? extension = null;
        if ((security & MessageFlags.MessageExtensions) != 0)
        {
            if (HeaderExtension.Read(input, ref at, "message extension", out var read) is { } error)
            {
                return Parsed<MessageHeader>.Fail(error);
            }

            extension = read;
        }

        length = at;
        return Parsed<MessageHeader>.Ok(new MessageHeader(
            BinaryPrimitives.ReadUInt16LittleEndian(span[1..]),
            (SessionType)sessionType,
            BinaryPrimitives.ReadUInt32LittleEndian(span[4..]),
            source,
            destinationNode,
            group,
            extension));
    }

    private static Parsed<MessageHeader> Fail(ParseErrorKind kind, string message) =>
        Parsed<MessageHeader>.Fail(kind, message);
}
