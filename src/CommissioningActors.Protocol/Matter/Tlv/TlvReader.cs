using System.Buffers.Binary;
using System.Text.Unicode;

namespace CommissioningActors.Protocol.Matter.Tlv;

public enum TlvTokenType : byte
{
    Signed,
    Unsigned,
    Bool,
    Float,
    Double,
    Utf8,
    Bytes,
    Null,
    StartStructure,
    StartArray,
    StartList,
    EndContainer,
}

/// <summary>One element header as read: scalars carry their value; strings their bytes (validated UTF-8 for Utf8).</summary>
public readonly ref struct TlvToken
{
    public TlvToken(TlvTag tag, TlvTokenType type, ulong bits, ReadOnlySpan<byte> data)
    {
        Tag = tag;
        Type = type;
        Bits = bits;
        Data = data;
    }

    public TlvTag Tag { get; }
    public TlvTokenType Type { get; }

    /// <summary>Raw value bits: the integer (sign-extended for Signed), 0/1 for Bool, IEEE bits for Float/Double.</summary>
    public ulong Bits { get; }

    public ReadOnlySpan<byte> Data { get; }
}

/// <summary>
/// A strict, non-throwing streaming TLV reader. <see cref="Read"/> returns false at the end of input or on the
/// first error; after an error <see cref="Error"/> says why and the reader reads nothing more.
/// </summary>
public ref struct TlvReader
{
    public const int DefaultMaxDepth = 24;

    private readonly ReadOnlySpan<byte> _input;
    private readonly TlvContainerKind[] _open;
    private int _position;

    public TlvReader(ReadOnlySpan<byte> input, int maxDepth = DefaultMaxDepth)
    {
        _input = input;
        _open = new TlvContainerKind[Math.Max(0, maxDepth)];
        _position = 0;
        Depth = 0;
        Error = null;
    }

    public int Depth { get; private set; }
    public int Position => _position;
    public TlvError? Error { get; private set; }
    public bool AtEnd => _position >= _input.Length;

    public TlvContainerKind? Parent => Depth > 0 ? _open[Depth - 1] : null;

    public bool Read(out TlvToken token)
    {
        token = default;
        if (Error is not null || AtEnd)
        {
            if (Error is null && Depth > 0)
            {
                return Fail(TlvErrorKind.Truncated, _position, $"input ends with {Depth} container(s) open");
            }

            return false;
        }

        var start = _position;
        var control = _input[_position++];
        var type = (byte)(control & TlvControl.TypeMask);
        var tagControl = control >> TlvControl.TagControlShift;

        if (type > TlvControl.EndOfContainer)
        {
            return Fail(TlvErrorKind.UnknownElementType, start, $"reserved element type 0x{type:X2}");
        }

        if (!ReadTag(tagControl, out var tag))
        {
            return Fail(TlvErrorKind.Truncated, start, "input ends inside a tag");
        }

        if (type == TlvControl.EndOfContainer)
        {
            if (Depth == 0)
            {
                return Fail(TlvErrorKind.UnexpectedEndOfContainer, start, "end of container outside any container");
            }

            if (!tag.IsAnonymous)
            {
                return Fail(TlvErrorKind.InvalidTag, start, "end of container carries a tag");
            }

            Depth--;
            token = new TlvToken(tag, TlvTokenType.EndContainer, 0, default);
            return true;
        }

        if (Parent == TlvContainerKind.Array && !tag.IsAnonymous)
        {
            return Fail(TlvErrorKind.InvalidTag, start, $"array member has tag {tag}");
        }

        if (Parent == TlvContainerKind.Structure && tag.IsAnonymous)
        {
            return Fail(TlvErrorKind.InvalidTag, start, "structure member has no tag");
        }

        return ReadValue(start, type, tag, out token);
    }

    private bool ReadValue(int start, byte type, TlvTag tag, out TlvToken token)
    {
        token = default;
        switch (type)
        {
            case <= 0x07:
                {
                    var width = TlvControl.Width(type & 0x03);
                    if (!Take(width, out var raw))
                    {
                        return Fail(TlvErrorKind.Truncated, start, $"input ends inside a {width}-byte integer");
                    }

                    var bits = ReadLittleEndian(raw);
                    var signed = type < TlvControl.UnsignedInt1;
                    if (signed && width < 8)
                    {
                        var shift = 64 - (8 * width);
                        bits = (ulong)((long)(bits << shift) >> shift);
                    }

                    token = new TlvToken(tag, signed ? TlvTokenType.Signed : TlvTokenType.Unsigned, bits, default);
                    return true;
                }

            case TlvControl.False or TlvControl.True:
                token = new TlvToken(tag, TlvTokenType.Bool, type == TlvControl.True ? 1UL : 0UL, default);
                return true;

            case TlvControl.Float or TlvControl.Double:
                {
                    var width = type == TlvControl.Float ? 4 : 8;
                    if (!Take(width, out var raw))
                    {
                        return Fail(TlvErrorKind.Truncated, start, "input ends inside a floating-point value");
                    }

                    var kind = type == TlvControl.Float ? TlvTokenType.Float : TlvTokenType.Double;
                    token = new TlvToken(tag, kind, ReadLittleEndian(raw), default);
                    return true;
                }

            case <= 0x13:
                return ReadString(start, type, tag, out token);

            case TlvControl.Null:
                token = new TlvToken(tag, TlvTokenType.Null, 0, default);
                return true;

            default:
                if (Depth >= _open.Length)
                {
                    return Fail(TlvErrorKind.TooDeep, start, $"containers nest deeper than {_open.Length}");
                }

                _open[Depth++] = (TlvContainerKind)type;
                var tokenType = type switch
                {
                    TlvControl.Structure => TlvTokenType.StartStructure,
                    TlvControl.Array => TlvTokenType.StartArray,
                    _ => TlvTokenType.StartList,
                };
                token = new TlvToken(tag, tokenType, 0, default);
                return true;
        }
    }

    private bool ReadString(int start, byte type, TlvTag tag, out TlvToken token)
    {
        token = default;
        var utf8 = type < TlvControl.BytesLength1;
        var width = TlvControl.Width(type & 0x03);
        if (!Take(width, out var rawLength))
        {
            return Fail(TlvErrorKind.Truncated, start, "input ends inside a string length");
        }

        var length = ReadLittleEndian(rawLength);
        var remaining = (ulong)(_input.Length - _position);
        if (length > remaining)
        {
            return Fail(TlvErrorKind.LengthBeyondBuffer, start,
                $"string length {length} exceeds the {remaining} bytes left");
        }

        Take((int)length, out var data);
        if (utf8 && !Utf8.IsValid(data))
        {
            return Fail(TlvErrorKind.InvalidUtf8, start, "UTF-8 string is not valid UTF-8");
        }

        token = new TlvToken(tag, utf8 ? TlvTokenType.Utf8 : TlvTokenType.Bytes, length, data);
        return true;
    }

    private bool ReadTag(int tagControl, out TlvTag tag)
    {
        tag = TlvTag.Anonymous;
        ReadOnlySpan<byte> raw;
        switch (tagControl)
        {
            case TlvControl.TagAnonymous:
                return true;
            case TlvControl.TagContext:
                if (!Take(1, out raw))
                {
                    return false;
                }

                tag = TlvTag.Context(raw[0]);
                return true;
            case TlvControl.TagCommon2 or TlvControl.TagCommon4:
                if (!Take(tagControl == TlvControl.TagCommon2 ? 2 : 4, out raw))
                {
                    return false;
                }

                tag = TlvTag.CommonProfile((uint)ReadLittleEndian(raw));
                return true;
            case TlvControl.TagImplicit2 or TlvControl.TagImplicit4:
                if (!Take(tagControl == TlvControl.TagImplicit2 ? 2 : 4, out raw))
                {
                    return false;
                }

                tag = TlvTag.ImplicitProfile((uint)ReadLittleEndian(raw));
                return true;
            default:
                if (!Take(tagControl == TlvControl.TagFullyQualified6 ? 6 : 8, out raw))
                {
                    return false;
                }

                tag = TlvTag.FullyQualified(
                    BinaryPrimitives.ReadUInt16LittleEndian(raw),
                    BinaryPrimitives.ReadUInt16LittleEndian(raw[2..]),
                    (uint)ReadLittleEndian(raw[4..]));
                return true;
        }
    }

    private bool Take(int count, out ReadOnlySpan<byte> bytes)
    {
        if (_input.Length - _position < count)
        {
            bytes = default;
            return false;
        }

        bytes = _input.Slice(_position, count);
        _position += count;
        return true;
    }

    /// <summary>Lets a caller that checks more (e.g. duplicate tags) stop the reader with its own error.</summary>
    public bool Reject(TlvErrorKind kind, int offset, string message) => Fail(kind, offset, message);

    private bool Fail(TlvErrorKind kind, int offset, string message)
    {
        Error = new TlvError(kind, offset, message);
        return false;
    }

    private static ulong ReadLittleEndian(ReadOnlySpan<byte> raw)
    {
        ulong value = 0;
        for (var i = raw.Length - 1; i >= 0; i--)
        {
            value = (value << 8) | raw[i];
        }

        return value;
    }
}
