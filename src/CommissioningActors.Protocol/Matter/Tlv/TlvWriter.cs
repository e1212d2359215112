using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace CommissioningActors.Protocol.Matter.Tlv;

/// <summary>
/// Writes Matter TLV, always in the narrowest form: integers, string lengths and tag numbers take the
/// fewest bytes that hold them. Misuse (closing a container that was never opened, a tagged member of an
/// array) is a programming error and throws; nothing here depends on peer input.
/// </summary>
public sealed class TlvWriter
{
    private readonly ArrayBufferWriter<byte> _buffer = new(64);
    private readonly Stack<TlvContainerKind> _open = new();

    public int Depth => _open.Count;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.WrittenSpan;

    public byte[] ToArray()
    {
        if (_open.Count != 0)
        {
            throw new InvalidOperationException($"{_open.Count} TLV container(s) still open");
        }

        return _buffer.WrittenSpan.ToArray();
    }

    public TlvWriter WriteSigned(TlvTag tag, long value)
    {
        var code = TlvControl.WidthCode(value);
        var span = Begin(tag, (byte)(TlvControl.SignedInt1 + code), TlvControl.Width(code));
        WriteLittleEndian(span, (ulong)value);
        return this;
    }

    public TlvWriter WriteUnsigned(TlvTag tag, ulong value)
    {
        var code = TlvControl.WidthCode(value);
        var span = Begin(tag, (byte)(TlvControl.UnsignedInt1 + code), TlvControl.Width(code));
        WriteLittleEndian(span, value);
        return this;
    }

    public TlvWriter WriteBool(TlvTag tag, bool value)
    {
        Begin(tag, value ? TlvControl.True : TlvControl.False, 0);
        return this;
    }

    public TlvWriter WriteFloat(TlvTag tag, float value)
    {
        BinaryPrimitives.WriteSingleLittleEndian(Begin(tag, TlvControl.Float, 4), value);
        return this;
    }

    public TlvWriter WriteDouble(TlvTag tag, double value)
    {
        BinaryPrimitives.WriteDoubleLittleEndian(Begin(tag, TlvControl.Double, 8), value);
        return this;
    }

    public TlvWriter WriteNull(TlvTag tag)
    {
        Begin(tag, TlvControl.Null, 0);
        return this;
    }

    public TlvWriter WriteUtf8(TlvTag tag, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        return WriteString(tag, TlvControl.Utf8Length1, bytes);
    }

    public TlvWriter WriteBytes(TlvTag tag, ReadOnlySpan<byte> value) => WriteString(tag, TlvControl.BytesLength1, value);

    public TlvWriter StartStructure(TlvTag tag) => Start(tag, TlvContainerKind.Structure);

    public TlvWriter StartArray(TlvTag tag) => Start(tag, TlvContainerKind.Array);

    public TlvWriter StartList(TlvTag tag) => Start(tag, TlvContainerKind.List);

    /// <summary>An array under <paramref name="tag"/> of <paramref name="items"/>, each written anonymously.</summary>
    public TlvWriter WriteArray(TlvTag tag, IEnumerable<ITlvWritable> items)
    {
        StartArray(tag);
        foreach (var item in items)
        {
            item.Write(this, TlvTag.Anonymous);
        }

        return EndContainer();
    }

    public TlvWriter EndContainer()
    {
        if (!_open.TryPop(out _))
        {
            throw new InvalidOperationException("No TLV container is open");
        }

        _buffer.GetSpan(1)[0] = TlvControl.EndOfContainer;
        _buffer.Advance(1);
        return this;
    }

    /// <summary>Writes a whole decoded element (and its members).</summary>
    public TlvWriter WriteElement(TlvElement element)
    {
        var tag = element.Tag;
        switch (element.Value)
        {
            case TlvSigned s: return WriteSigned(tag, s.Value);
            case TlvUnsigned u: return WriteUnsigned(tag, u.Value);
            case TlvBool b: return WriteBool(tag, b.Value);
            case TlvFloat f: return WriteFloat(tag, f.Value);
            case TlvDouble d: return WriteDouble(tag, d.Value);
            case TlvUtf8 s: return WriteUtf8(tag, s.Value);
            case TlvBytes b: return WriteBytes(tag, b.Value.Span);
            case TlvNull: return WriteNull(tag);
            case TlvContainer c:
                Start(tag, c.Kind);
                foreach (var member in c.Members)
                {
                    WriteElement(member);
                }

                return EndContainer();
            default:
                throw new ArgumentException($"Unknown TLV value {element.Value.GetType().Name}", nameof(element));
        }
    }

    /// <summary>Encodes one element as a standalone TLV byte array.</summary>
    public static byte[] Encode(TlvElement element) => new TlvWriter().WriteElement(element).ToArray();

    private TlvWriter Start(TlvTag tag, TlvContainerKind kind)
    {
        Begin(tag, (byte)kind, 0);
        _open.Push(kind);
        return this;
    }

    private TlvWriter WriteString(TlvTag tag, byte type, ReadOnlySpan<byte> value)
    {
        var code = TlvControl.WidthCode((ulong)value.Length);
        var width = TlvControl.Width(code);
        var span = Begin(tag, (byte)(type + code), width + value.Length);
        WriteLittleEndian(span[..width], (ulong)value.Length);
        value.CopyTo(span[width..]);
        return this;
    }

    /// <summary>Writes control byte and tag, then returns <paramref name="payload"/> bytes for the value.</summary>
    private Span<byte> Begin(TlvTag tag, byte type, int payload)
    {
        CheckTagAllowed(tag);
        var (control, tagBytes) = TagControl(tag);
        var total = 1 + tagBytes + payload;
        var span = _buffer.GetSpan(total)[..total];
        span[0] = (byte)((control << TlvControl.TagControlShift) | type);
        var t = span.Slice(1, tagBytes);
        switch (control)
        {
            case TlvControl.TagContext:
                t[0] = (byte)tag.Number;
                break;
            case TlvControl.TagCommon2 or TlvControl.TagImplicit2:
                BinaryPrimitives.WriteUInt16LittleEndian(t, (ushort)tag.Number);
                break;
            case TlvControl.TagCommon4 or TlvControl.TagImplicit4:
                BinaryPrimitives.WriteUInt32LittleEndian(t, tag.Number);
                break;
            case TlvControl.TagFullyQualified6 or TlvControl.TagFullyQualified8:
                BinaryPrimitives.WriteUInt16LittleEndian(t, tag.VendorId);
                BinaryPrimitives.WriteUInt16LittleEndian(t[2..], tag.ProfileNumber);
                WriteLittleEndian(t[4..], tag.Number);
                break;
        }

        _buffer.Advance(total);
        return span[(1 + tagBytes)..];
    }

    private void CheckTagAllowed(TlvTag tag)
    {
        if (_open.TryPeek(out var parent))
        {
            if (parent == TlvContainerKind.Array && !tag.IsAnonymous)
            {
                throw new ArgumentException($"Array members are anonymous, got tag {tag}", nameof(tag));
            }

            if (parent == TlvContainerKind.Structure && tag.IsAnonymous)
            {
                throw new ArgumentException("Structure members need a tag", nameof(tag));
            }
        }
    }

    private static (byte Control, int Bytes) TagControl(TlvTag tag)
    {
        var small = tag.Number <= ushort.MaxValue;
        return tag.Form switch
        {
            TlvTagForm.Anonymous => (TlvControl.TagAnonymous, 0),
            TlvTagForm.Context => (TlvControl.TagContext, 1),
            TlvTagForm.CommonProfile => small ? (TlvControl.TagCommon2, 2) : (TlvControl.TagCommon4, 4),
            TlvTagForm.ImplicitProfile => small ? (TlvControl.TagImplicit2, 2) : (TlvControl.TagImplicit4, 4),
            _ => small ? (TlvControl.TagFullyQualified6, 6) : (TlvControl.TagFullyQualified8, 8),
        };
    }

    private static void WriteLittleEndian(Span<byte> destination, ulong value)
    {
        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] = (byte)(value >> (8 * i));
        }
    }
}

/// <summary>A TLV building block that writes itself under a given tag (paths, IBs).</summary>
public interface ITlvWritable
{
    void Write(TlvWriter w, TlvTag tag);
}
