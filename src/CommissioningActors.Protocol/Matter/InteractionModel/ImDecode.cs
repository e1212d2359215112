using CommissioningActors.Protocol.Matter.Tlv;

namespace CommissioningActors.Protocol.Matter.InteractionModel;

/// <summary>Thrown only inside this folder's decoders and turned into a <see cref="ParseError"/> at their edge.</summary>
internal sealed class ImDecodeException(string message) : Exception(message);

/// <summary>
/// Strict field access over a decoded TLV tree. Known fields must have the spec's type and range; unknown
/// context tags are ignored, as the spec asks receivers to do for forward compatibility.
/// </summary>
internal static class ImDecode
{
    public static Parsed<T> Run<T>(ReadOnlySpan<byte> payload, string what, Func<TlvElement, T> decode)
    {
        if (!TlvDecoder.TryDecode(payload, out var root, out var error))
        {
            return Parsed<T>.Fail(ParseErrorKind.InvalidValue, $"{what}: {error}");
        }

        return Run(root, what, decode);
    }

    public static Parsed<T> Run<T>(TlvElement root, string what, Func<TlvElement, T> decode)
    {
        try
        {
            return Parsed<T>.Ok(decode(root));
        }
        catch (ImDecodeException e)
        {
            return Parsed<T>.Fail(ParseErrorKind.InvalidValue, $"{what}: {e.Message}");
        }
    }

    public static TlvContainer Container(TlvElement element, TlvContainerKind kind, string what)
    {
        if (element.Value is TlvContainer c && c.Kind == kind)
        {
            return c;
        }

        throw new ImDecodeException($"{what} must be a {kind.ToString().ToLowerInvariant()}");
    }

    public static TlvElement Required(TlvContainer c, byte tag, string what) =>
        c.Member(tag) ?? throw new ImDecodeException($"{what} (tag {tag}) is missing");

    public static ulong? OptionalUnsigned(TlvContainer c, byte tag, ulong max, string what)
    {
        var member = c.Member(tag);
        return member is null ? null : Unsigned(member, max, what);
    }

    public static ulong RequiredUnsigned(TlvContainer c, byte tag, ulong max, string what) =>
        Unsigned(Required(c, tag, what), max, what);

    public static ulong Unsigned(TlvElement element, ulong max, string what)
    {
        if (element.Value is not TlvUnsigned u)
        {
            throw new ImDecodeException($"{what} must be an unsigned integer");
        }

        if (u.Value > max)
        {
            throw new ImDecodeException($"{what} is out of range (max {max})");
        }

        return u.Value;
    }

    public static bool? OptionalBool(TlvContainer c, byte tag, string what)
    {
        var member = c.Member(tag);
        if (member is null)
        {
            return null;
        }

        return member.AsBool() ?? throw new ImDecodeException($"{what} must be a boolean");
    }

    public static IReadOnlyList<TlvElement> Array(TlvElement element, string what) =>
        Container(element, TlvContainerKind.Array, what).Members;

    public static IReadOnlyList<TlvElement> OptionalArray(TlvContainer c, byte tag, string what)
    {
        var member = c.Member(tag);
        return member is null ? [] : Array(member, what);
    }

    public static string? OptionalString(TlvContainer c, byte tag, int maxLength, string what)
    {
        var member = c.Member(tag);
        if (member is null)
        {
            return null;
        }

        var s = member.AsString() ?? throw new ImDecodeException($"{what} must be a UTF-8 string");
        return s.Length <= maxLength ? s : throw new ImDecodeException($"{what} is longer than {maxLength}");
    }

    public static ReadOnlyMemory<byte> RequiredBytes(TlvContainer c, byte tag, int maxLength, string what)
    {
        var bytes = Required(c, tag, what).AsBytes() ?? throw new ImDecodeException($"{what} must be a byte string");
        return bytes.Length <= maxLength ? bytes : throw new ImDecodeException($"{what} is longer than {maxLength} bytes");
    }

    public static StatusIB Status(TlvElement element, string what)
    {
        var c = Container(element, TlvContainerKind.Structure, what);
        var status = (ImStatusCode)RequiredUnsigned(c, 0, byte.MaxValue, $"{what} status");
        var member = c.Member(1);
        byte? cluster = member is null || member.Value is TlvNull ? null : (byte)Unsigned(member, byte.MaxValue, $"{what} cluster status");
        return new StatusIB(status, cluster);
    }

    public static void WriteStatus(TlvWriter w, TlvTag tag, StatusIB status)
    {
        w.StartStructure(tag).WriteUnsigned(TlvTag.Context(0), (byte)status.Status);
        if (status.ClusterStatus is { } cs)
        {
            w.WriteUnsigned(TlvTag.Context(1), cs);
        }

        w.EndContainer();
    }
}
