using System.Text;

namespace CommissioningActors.Protocol.Matter.Tlv;

/// <summary>Decodes exactly one TLV element (with everything inside it) into a <see cref="TlvElement"/> tree.</summary>
public static class TlvDecoder
{
    public static Parsed<TlvElement> Decode(ReadOnlySpan<byte> input, int maxDepth = TlvReader.DefaultMaxDepth) =>
        TryDecode(input, out var element, out var error, maxDepth)
            ? Parsed<TlvElement>.Ok(element)
            : Parsed<TlvElement>.Fail(error.ToParseError());

    /// <summary>Like <see cref="Decode"/>, keeping the precise <see cref="TlvError"/> on failure.</summary>
    public static bool TryDecode(
        ReadOnlySpan<byte> input,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out TlvElement? element,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out TlvError? error,
        int maxDepth = TlvReader.DefaultMaxDepth)
    {
        var reader = new TlvReader(input, maxDepth);
        element = null;
        if (input.IsEmpty)
        {
            error = new TlvError(TlvErrorKind.Truncated, 0, "no element in empty input");
            return false;
        }

        if (!reader.Read(out var token) || !ReadElement(ref reader, token, out element))
        {
            error = reader.Error ?? new TlvError(TlvErrorKind.Truncated, reader.Position, "input ends early");
            element = null;
            return false;
        }

        if (!reader.AtEnd)
        {
            error = new TlvError(TlvErrorKind.TrailingData, reader.Position,
                $"{input.Length - reader.Position} byte(s) after the element");
            element = null;
            return false;
        }

        error = null;
        return true;
    }

    private static bool ReadElement(ref TlvReader reader, TlvToken token, out TlvElement element)
    {
        TlvValue value;
        switch (token.Type)
        {
            case TlvTokenType.Signed: value = new TlvSigned((long)token.Bits); break;
            case TlvTokenType.Unsigned: value = new TlvUnsigned(token.Bits); break;
            case TlvTokenType.Bool: value = token.Bits == 1 ? TlvBool.True : TlvBool.False; break;
            case TlvTokenType.Float: value = new TlvFloat(BitConverter.UInt32BitsToSingle((uint)token.Bits)); break;
            case TlvTokenType.Double: value = new TlvDouble(BitConverter.UInt64BitsToDouble(token.Bits)); break;
            case TlvTokenType.Utf8: value = new TlvUtf8(Encoding.UTF8.GetString(token.Data)); break;
            case TlvTokenType.Bytes: value = new TlvBytes(token.Data.ToArray()); break;
            case TlvTokenType.Null: value = TlvNull.Instance; break;
            case TlvTokenType.EndContainer:
                // The reader only yields this inside a container, which ReadContainer consumes itself.
                element = null!;
                return false;
            default:
                return ReadContainer(ref reader, token, out element);
        }

        element = new TlvElement(token.Tag, value);
        return true;
    }

    private static bool ReadContainer(ref TlvReader reader, TlvToken start, out TlvElement element)
    {
        element = null!;
        var tag = start.Tag;
        var kind = start.Type switch
        {
            TlvTokenType.StartStructure => TlvContainerKind.Structure,
            TlvTokenType.StartArray => TlvContainerKind.Array,
            _ => TlvContainerKind.List,
        };
        var members = new List<TlvElement>();
        HashSet<TlvTag>? seen = kind == TlvContainerKind.Structure ? [] : null;
        while (true)
        {
            var offset = reader.Position;
            if (!reader.Read(out var token))
            {
                return false;
            }

            if (token.Type == TlvTokenType.EndContainer)
            {
                element = new TlvElement(tag, new TlvContainer(kind, members));
                return true;
            }

            if (seen is not null && !seen.Add(token.Tag))
            {
                return reader.Reject(TlvErrorKind.DuplicateTag, offset, $"structure repeats tag {token.Tag}");
            }

            if (!ReadElement(ref reader, token, out var member))
            {
                return false;
            }

            members.Add(member);
        }
    }
}
