using CommissioningActors.Protocol.Matter.Tlv;

namespace CommissioningActors.Simulator.Matter;

/// <summary>Short builders for anonymous attribute values and context-tagged fields.</summary>
internal static class Tlv
{
    public static TlvElement U(ulong value, byte? tag = null) => new(Tag(tag), new TlvUnsigned(value));

    public static TlvElement I(long value, byte? tag = null) => new(Tag(tag), new TlvSigned(value));

    public static TlvElement B(bool value, byte? tag = null) => new(Tag(tag), value ? TlvBool.True : TlvBool.False);

    public static TlvElement S(string value, byte? tag = null) => new(Tag(tag), new TlvUtf8(value));

    public static TlvElement Bytes(ReadOnlyMemory<byte> value, byte? tag = null) => new(Tag(tag), new TlvBytes(value));

    public static TlvElement Null(byte? tag = null) => new(Tag(tag), TlvNull.Instance);

    public static TlvElement Struct(params TlvElement[] members) => TlvElement.Structure(TlvTag.Anonymous, members);

    public static TlvElement Array(IEnumerable<TlvElement> members) => TlvElement.Array(TlvTag.Anonymous, [.. members]);

    public static TlvElement UArray(IEnumerable<uint> values) => Array(values.Select(v => U(v)));

    private static TlvTag Tag(byte? tag) => tag is { } t ? TlvTag.Context(t) : TlvTag.Anonymous;
}
