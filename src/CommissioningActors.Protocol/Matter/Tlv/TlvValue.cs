namespace CommissioningActors.Protocol.Matter.Tlv;

/// <summary>A decoded TLV value. Equality is structural (byte strings and containers compare contents).</summary>
public abstract record TlvValue;

public sealed record TlvSigned(long Value) : TlvValue;

public sealed record TlvUnsigned(ulong Value) : TlvValue;

public sealed record TlvBool(bool Value) : TlvValue
{
    public static readonly TlvBool True = new(true);
    public static readonly TlvBool False = new(false);
}

public sealed record TlvFloat(float Value) : TlvValue;

public sealed record TlvDouble(double Value) : TlvValue;

public sealed record TlvUtf8(string Value) : TlvValue;

public sealed record TlvNull : TlvValue
{
    public static readonly TlvNull Instance = new();
}

public sealed record TlvBytes(ReadOnlyMemory<byte> Value) : TlvValue
{
    public bool Equals(TlvBytes? other) => other is not null && Value.Span.SequenceEqual(other.Value.Span);

    public override int GetHashCode() => Value.Length;

    public override string ToString() => $"TlvBytes({Convert.ToHexString(Value.Span)})";
}

public enum TlvContainerKind : byte
{
    Structure = TlvControl.Structure,
    Array = TlvControl.Array,
    List = TlvControl.List,
}

/// <summary>A structure, array or list with its members in wire order.</summary>
public sealed record TlvContainer(TlvContainerKind Kind, IReadOnlyList<TlvElement> Members) : TlvValue
{
    public bool Equals(TlvContainer? other) =>
        other is not null && Kind == other.Kind && Members.SequenceEqual(other.Members);

    public override int GetHashCode() => HashCode.Combine(Kind, Members.Count);

    /// <summary>The first member with the given context tag, or null.</summary>
    public TlvElement? Member(byte contextTag)
    {
        foreach (var member in Members)
        {
            if (member.Tag.IsContext(contextTag))
            {
                return member;
            }
        }

        return null;
    }

    public override string ToString() => $"{Kind}[{string.Join(", ", Members)}]";
}

/// <summary>One element of the decoded tree: a tag and its value.</summary>
public sealed record TlvElement(TlvTag Tag, TlvValue Value)
{
    public static TlvElement Structure(TlvTag tag, params TlvElement[] members) =>
        new(tag, new TlvContainer(TlvContainerKind.Structure, members));

    public static TlvElement Array(TlvTag tag, params TlvElement[] members) =>
        new(tag, new TlvContainer(TlvContainerKind.Array, members));

    public static TlvElement List(TlvTag tag, params TlvElement[] members) =>
        new(tag, new TlvContainer(TlvContainerKind.List, members));

    /// <summary>The context-tagged member of this structure/list, or null (also when this is not a container).</summary>
    public TlvElement? this[byte contextTag] => (Value as TlvContainer)?.Member(contextTag);

    public ulong? AsUnsigned() => Value switch
    {
        TlvUnsigned u => u.Value,
        TlvSigned { Value: >= 0 } s => (ulong)s.Value,
        _ => null,
    };

    public long? AsSigned() => Value switch
    {
        TlvSigned s => s.Value,
        TlvUnsigned { Value: <= long.MaxValue } u => (long)u.Value,
        _ => null,
    };

    public double? AsDouble() => Value switch
    {
        TlvDouble d => d.Value,
        TlvFloat f => f.Value,
        _ => null,
    };

    public bool IsNull => Value is TlvNull;

    public bool? AsBool() => (Value as TlvBool)?.Value;

    public string? AsString() => (Value as TlvUtf8)?.Value;

    public ReadOnlyMemory<byte>? AsBytes() => Value is TlvBytes b ? b.Value : null;

    public IReadOnlyList<TlvElement>? AsContainer() => (Value as TlvContainer)?.Members;

    public override string ToString() => Tag.IsAnonymous ? $"{Value}" : $"{Tag}={Value}";
}
