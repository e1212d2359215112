using CommissioningActors.Protocol.Matter.Crypto;
using CommissioningActors.Protocol.Matter.Tlv;

namespace CommissioningActors.Protocol.Matter.Certificates;

/// <summary>
/// Context-tagged fields of one anonymous TLV structure, for the attestation payloads. Getters throw
/// <see cref="FormatException"/> naming the field (never the peer's bytes); unknown tags are ignored, as the
/// spec reserves room for vendor fields.
/// </summary>
internal sealed class TlvFields
{
    private readonly TlvContainer _structure;

    private TlvFields(TlvContainer structure) => _structure = structure;

    public static CryptoResult<TlvFields> Open(ReadOnlySpan<byte> tlv, string what, int maxLength)
    {
        if (tlv.Length > maxLength)
        {
            return CryptoResult<TlvFields>.Fail(CryptoErrorKind.Malformed, $"{what} is {tlv.Length} bytes; at most {maxLength}");
        }

        if (!TlvDecoder.TryDecode(tlv, out var root, out var error, maxDepth: 4))
        {
            return CryptoResult<TlvFields>.Fail(CryptoErrorKind.Malformed, $"{what}: {error.Message}");
        }

        return root.Tag.IsAnonymous && root.Value is TlvContainer { Kind: TlvContainerKind.Structure } structure
            ? CryptoResult<TlvFields>.Ok(new TlvFields(structure))
            : CryptoResult<TlvFields>.Fail(CryptoErrorKind.Malformed, $"{what} must be one anonymous TLV structure");
    }

    /// <summary>Opens <paramref name="tlv"/> as in <see cref="Open"/> and reads it; a missing or out-of-range field is Malformed.</summary>
    public static CryptoResult<T> Read<T>(ReadOnlySpan<byte> tlv, string what, int maxLength, Func<TlvFields, T> read)
    {
        var opened = Open(tlv, what, maxLength);
        if (!opened.IsOk)
        {
            return opened.Error!;
        }

        try
        {
            return CryptoResult<T>.Ok(read(opened.Value!));
        }
        catch (FormatException e)
        {
            return CryptoResult<T>.Fail(CryptoErrorKind.Malformed, $"{what}: {e.Message}");
        }
    }

    private TlvElement? Field(byte tag) => _structure.Member(tag);

    private TlvElement Required(byte tag, string name) => Field(tag) ?? throw new FormatException($"{name} (tag {tag}) is missing");

    public ulong Unsigned(byte tag, string name, ulong max) => Unsigned(Required(tag, name), name, max);

    public ulong? OptionalUnsigned(byte tag, string name, ulong max) => Field(tag) is { } f ? Unsigned(f, name, max) : null;

    public byte[] Bytes(byte tag, string name, int min, int max) => Bytes(Required(tag, name), name, min, max);

    public byte[]? OptionalBytes(byte tag, string name, int min, int max) => Field(tag) is { } f ? Bytes(f, name, min, max) : null;

    public string Utf8(byte tag, string name, int min, int max)
    {
        var text = Required(tag, name).AsString() ?? throw new FormatException($"{name} must be a UTF-8 string");
        return text.Length >= min && text.Length <= max ? text : throw new FormatException($"{name} must be {min}..{max} characters");
    }

    public IReadOnlyList<TlvElement> Array(byte tag, string name, int min, int max) =>
        Items(Required(tag, name), name, min, max);

    public IReadOnlyList<TlvElement>? OptionalArray(byte tag, string name, int max) =>
        Field(tag) is { } f ? Items(f, name, 0, max) : null;

    private static IReadOnlyList<TlvElement> Items(TlvElement element, string name, int min, int max) =>
        element.Value is TlvContainer { Kind: TlvContainerKind.Array } array && array.Members.Count >= min && array.Members.Count <= max
            ? array.Members
            : throw new FormatException($"{name} must be an array of {min}..{max} items");

    public static ulong Unsigned(TlvElement element, string name, ulong max) =>
        element.Value is TlvUnsigned { Value: var value } && value <= max
            ? value
            : throw new FormatException($"{name} must be an unsigned integer up to {max}");

    public static byte[] Bytes(TlvElement element, string name, int min, int max) =>
        element.Value is TlvBytes { Value: var bytes } && bytes.Length >= min && bytes.Length <= max
            ? bytes.ToArray()
            : throw new FormatException($"{name} must be a byte string of {min}..{max} bytes");
}
