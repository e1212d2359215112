using System.Globalization;
using CommissioningActors.Protocol.Matter.Tlv;

namespace CommissioningActors.Protocol.Matter.InteractionModel;

/// <summary>
/// AttributePathIB (a TLV list): 0 EnableTagCompression, 1 Node, 2 Endpoint, 3 Cluster, 4 Attribute,
/// 5 ListIndex (nullable u16; null = append one item), 6 WildcardPathFlags. Absent ids are wildcards.
/// </summary>
public sealed record AttributePath(ushort? Endpoint, uint? Cluster, uint? Attribute) : ITlvWritable
{
    public ulong? Node { get; init; }

    /// <summary>True when the ListIndex field is present; <see cref="ListIndex"/> null then means "append".</summary>
    public bool HasListIndex { get; init; }

    public ushort? ListIndex { get; init; }

    public bool EnableTagCompression { get; init; }

    public uint? WildcardPathFlags { get; init; }

    public bool IsAppend => HasListIndex && ListIndex is null;

    /// <summary>The same concrete attribute without list-index detail: the key reports are assembled under.</summary>
    public AttributePath Concrete => new(Endpoint, Cluster, Attribute);

    /// <summary>Parses "endpoint/cluster/attribute" in decimal (the read_attribute form); no wildcards, no signs, no spaces.</summary>
    public static Parsed<AttributePath> Parse(string? text)
    {
        var parts = (text ?? "").Split('/');
        if (parts.Length != 3)
        {
            return Parsed<AttributePath>.Fail(ParseErrorKind.InvalidValue, "attribute path must be endpoint/cluster/attribute in decimal");
        }

        if (!Decimal(parts[0], ushort.MaxValue, out var endpoint) || !Decimal(parts[1], uint.MaxValue, out var cluster)
            || !Decimal(parts[2], uint.MaxValue, out var attribute))
        {
            return Parsed<AttributePath>.Fail(ParseErrorKind.InvalidValue,
                "attribute path parts must be decimal numbers (endpoint 0..65535, cluster and attribute 0..4294967295)");
        }

        return Parsed<AttributePath>.Ok(new AttributePath((ushort)endpoint, (uint)cluster, (uint)attribute));
    }

    internal static bool Decimal(string part, ulong max, out ulong value)
    {
        value = 0;
        return part.Length is > 0 and <= 10 && part.All(char.IsAsciiDigit)
            && ulong.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value <= max;
    }

    public void Write(TlvWriter w, TlvTag tag)
    {
        w.StartList(tag);
        if (EnableTagCompression)
        {
            w.WriteBool(TlvTag.Context(0), true);
        }

        WriteOptional(w, 1, Node);
        WriteOptional(w, 2, Endpoint);
        WriteOptional(w, 3, Cluster);
        WriteOptional(w, 4, Attribute);
        if (HasListIndex)
        {
            if (ListIndex is { } index)
            {
                w.WriteUnsigned(TlvTag.Context(5), index);
            }
            else
            {
                w.WriteNull(TlvTag.Context(5));
            }
        }

        WriteOptional(w, 6, WildcardPathFlags);
        w.EndContainer();
    }

    internal static AttributePath Read(TlvElement element, string what)
    {
        var c = ImDecode.Container(element, TlvContainerKind.List, what);
        var listIndex = c.Member(5);
        return new AttributePath(
            (ushort?)ImDecode.OptionalUnsigned(c, 2, ushort.MaxValue, $"{what} endpoint"),
            (uint?)ImDecode.OptionalUnsigned(c, 3, uint.MaxValue, $"{what} cluster"),
            (uint?)ImDecode.OptionalUnsigned(c, 4, uint.MaxValue, $"{what} attribute"))
        {
            EnableTagCompression = ImDecode.OptionalBool(c, 0, $"{what} tag compression") ?? false,
            Node = ImDecode.OptionalUnsigned(c, 1, ulong.MaxValue, $"{what} node"),
            HasListIndex = listIndex is not null,
            ListIndex = listIndex is null || listIndex.Value is TlvNull
                ? null
                : (ushort)ImDecode.Unsigned(listIndex, ushort.MaxValue, $"{what} list index"),
            WildcardPathFlags = (uint?)ImDecode.OptionalUnsigned(c, 6, uint.MaxValue, $"{what} wildcard flags"),
        };
    }

    internal static void WriteOptional(TlvWriter w, byte tag, ulong? value)
    {
        if (value is { } v)
        {
            w.WriteUnsigned(TlvTag.Context(tag), v);
        }
    }

    public override string ToString()
    {
        static string Part(ulong? v) => v?.ToString(CultureInfo.InvariantCulture) ?? "*";
        var text = $"{Part(Endpoint)}/{Part(Cluster)}/{Part(Attribute)}";
        return HasListIndex ? $"{text}[{(ListIndex is { } i ? i.ToString(CultureInfo.InvariantCulture) : "append")}]" : text;
    }
}

/// <summary>CommandPathIB (a TLV list): 0 Endpoint, 1 Cluster, 2 Command.</summary>
public sealed record CommandPath(ushort Endpoint, uint Cluster, uint Command) : ITlvWritable
{
    public void Write(TlvWriter w, TlvTag tag) => w.StartList(tag)
        .WriteUnsigned(TlvTag.Context(0), Endpoint)
        .WriteUnsigned(TlvTag.Context(1), Cluster)
        .WriteUnsigned(TlvTag.Context(2), Command)
        .EndContainer();

    internal static CommandPath Read(TlvElement element, string what)
    {
        var c = ImDecode.Container(element, TlvContainerKind.List, what);
        return new CommandPath(
            (ushort)ImDecode.RequiredUnsigned(c, 0, ushort.MaxValue, $"{what} endpoint"),
            (uint)ImDecode.RequiredUnsigned(c, 1, uint.MaxValue, $"{what} cluster"),
            (uint)ImDecode.RequiredUnsigned(c, 2, uint.MaxValue, $"{what} command"));
    }

    public override string ToString() => $"{Endpoint}/0x{Cluster:X4}/0x{Command:X2}";
}

/// <summary>EventPathIB (a TLV list): 0 Node, 1 Endpoint, 2 Cluster, 3 Event, 4 IsUrgent. Only written, for completeness.</summary>
public sealed record EventPath(ushort? Endpoint, uint? Cluster, uint? Event, bool IsUrgent = false) : ITlvWritable
{
    public ulong? Node { get; init; }

    public void Write(TlvWriter w, TlvTag tag)
    {
        w.StartList(tag);
        AttributePath.WriteOptional(w, 0, Node);
        AttributePath.WriteOptional(w, 1, Endpoint);
        AttributePath.WriteOptional(w, 2, Cluster);
        AttributePath.WriteOptional(w, 3, Event);
        if (IsUrgent)
        {
            w.WriteBool(TlvTag.Context(4), true);
        }

        w.EndContainer();
    }

    internal static EventPath Read(TlvElement element, string what)
    {
        var c = ImDecode.Container(element, TlvContainerKind.List, what);
        return new EventPath(
            (ushort?)ImDecode.OptionalUnsigned(c, 1, ushort.MaxValue, $"{what} endpoint"),
            (uint?)ImDecode.OptionalUnsigned(c, 2, uint.MaxValue, $"{what} cluster"),
            (uint?)ImDecode.OptionalUnsigned(c, 3, uint.MaxValue, $"{what} event"),
            ImDecode.OptionalBool(c, 4, $"{what} urgent") ?? false)
        {
            Node = ImDecode.OptionalUnsigned(c, 0, ulong.MaxValue, $"{what} node"),
        };
    }
}
