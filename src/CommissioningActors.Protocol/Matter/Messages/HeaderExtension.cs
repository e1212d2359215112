using System.Buffers.Binary;

namespace CommissioningActors.Protocol.Matter.Messages;

/// <summary>
/// The length-prefixed extension both headers may carry (message extension MX, secured extension SX): a 16-bit
/// little-endian length, then that many opaque bytes.
/// </summary>
internal static class HeaderExtension
{
    public static int Size(ReadOnlyMemory<byte>? extension) => extension is { } e ? 2 + e.Length : 0;

    public static void ThrowIfTooLong(ReadOnlyMemory<byte>? extension, string name)
    {
        if (extension is { Length: > ushort.MaxValue })
        {
            throw new InvalidOperationException($"{name} longer than 65535 bytes");
        }
    }

    /// <summary>Writes the extension (if any) at <paramref name="at"/>; returns the offset after it.</summary>
    public static int Write(Span<byte> destination, int at, ReadOnlyMemory<byte>? extension)
    {
        if (extension is not { } e)
        {
            return at;
        }

        BinaryPrimitives.WriteUInt16LittleEndian(destination[at..], (ushort)e.Length);
        e.Span.CopyTo(destination[(at + 2)..]);
        return at + 2 + e.Length;
    }

    /// <summary>Reads an extension at <paramref name="at"/> (moved past it), or says why the input is cut short.</summary>
    public static ParseError? Read(ReadOnlyMemory<byte> input, ref int at, string name, out ReadOnlyMemory<byte> extension)
    {
        extension = default;
        var span = input.Span;
        if (span.Length < at + 2)
        {
            return new ParseError(ParseErrorKind.FrameTooShort, $"{name} length is cut short");
        }

        var length = BinaryPrimitives.ReadUInt16LittleEndian(span[at..]);
        at += 2;
        if (span.Length - at < length)
        {
            return new ParseError(ParseErrorKind.FrameTooShort, $"{name} of {length} bytes exceeds the {span.Length - at} left");
        }

        extension = input.Slice(at, length);
        at += length;
        return null;
    }
}
