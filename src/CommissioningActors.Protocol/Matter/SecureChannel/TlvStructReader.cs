using CommissioningActors.Protocol.Matter.Tlv;

namespace CommissioningActors.Protocol.Matter.SecureChannel;

/// <summary>
/// Reads the context-tagged fields of one TLV structure, keeping the first error. Getters return defaults once
/// an error is recorded, so a decoder reads every field and checks <see cref="Error"/> once at the end.
/// Messages name the message and field, never the peer's bytes. Unknown tags are ignored (forward compatible).
/// </summary>
internal sealed class TlvStructReader
{
    private readonly TlvElement _element;
    private readonly string _what;

    private TlvStructReader(TlvElement element, string what)
    {
        _element = element;
        _what = what;
    }

    public ParseError? Error { get; private set; }

    /// <summary>Decodes a whole payload that must be exactly one anonymous structure.</summary>
    public static Parsed<TlvStructReader> Open(ReadOnlyMemory<byte> payload, string what)
    {
        if (!TlvDecoder.TryDecode(payload.Span, out var element, out var error))
        {
            return Parsed<TlvStructReader>.Fail(error.ToParseError().Kind, $"{what}: {error}");
        }

        return Nested(element, what);
    }

    public static Parsed<TlvStructReader> Nested(TlvElement element, string what) =>
        element.Value is TlvContainer { Kind: TlvContainerKind.Structure }
            ? Parsed<TlvStructReader>.Ok(new TlvStructReader(element, what))
            : Parsed<TlvStructReader>.Fail(ParseErrorKind.WrongType, $"{what} must be a TLV structure");

    public TlvElement? Optional(byte tag) => Error is null ? _element[tag] : null;

    public byte[] Bytes(byte tag, string name, int minLength, int maxLength) =>
        OptionalBytes(tag, name, minLength, maxLength) ?? Missing<byte[]>(tag, name, []);

    public byte[]? OptionalBytes(byte tag, string name, int minLength, int maxLength)
    {
        var field = Optional(tag);
        if (field is null)
        {
            return null;
        }

        // Not AsBytes(): its null converts to an empty ReadOnlyMemory, which would read as a 0-byte string.
        if (field.Value is not TlvBytes { Value: var bytes })
        {
            return Fail<byte[]?>(ParseErrorKind.WrongType, $"{name} (tag {tag}) must be a byte string", null);
        }

        if (bytes.Length < minLength || bytes.Length > maxLength)
        {
            var expected = minLength == maxLength ? $"{minLength}" : $"{minLength}..{maxLength}";
            return Fail<byte[]?>(ParseErrorKind.InvalidValue, $"{name} must be {expected} bytes, got {bytes.Length}", null);
        }

        return bytes.ToArray();
    }

    public ulong Unsigned(byte tag, string name, ulong max) =>
        OptionalUnsigned(tag, name, max) ?? Missing(tag, name, 0UL);

    public ulong? OptionalUnsigned(byte tag, string name, ulong max)
    {
        var field = Optional(tag);
        if (field is null)
        {
            return null;
        }

        if (field.Value is not TlvUnsigned { Value: var value })
        {
            return Fail<ulong?>(ParseErrorKind.WrongType, $"{name} (tag {tag}) must be an unsigned integer", null);
        }

        return value > max
            ? Fail<ulong?>(ParseErrorKind.InvalidValue, $"{name} {value} is above its maximum {max}", null)
            : value;
    }

    public bool Bool(byte tag, string name)
    {
        var field = Optional(tag);
        if (field is null)
        {
            return Missing(tag, name, false);
        }

        return field.AsBool() ?? Fail(ParseErrorKind.WrongType, $"{name} (tag {tag}) must be a boolean", false);
    }

    public T Fail<T>(ParseErrorKind kind, string message, T fallback)
    {
        Error ??= new ParseError(kind, $"{_what}: {message}");
        return fallback;
    }

    private T Missing<T>(byte tag, string name, T fallback) =>
        Error is null ? Fail(ParseErrorKind.MissingField, $"{name} (tag {tag}) is missing", fallback) : fallback;
}
