using CommissioningActors.Protocol.Matter.Tlv;

namespace CommissioningActors.Protocol.Matter.InteractionModel;

/// <summary>Bounds a Read puts on its peer (MaxListItems counts list items over the whole read): a device past any of them fails the read with <see cref="ImErrorKind.LimitExceeded"/>.</summary>
public sealed record ReadLimits(int MaxChunks = 64, int MaxAttributes = 1024, int MaxListItems = 4096, int MaxTotalBytes = 1 << 20)
{
    public static readonly ReadLimits Default = new();
}

/// <summary>One attribute of a finished read: its value (lists fully assembled) or the device's status for it.</summary>
public sealed record AttributeResult(AttributePath Path, TlvElement? Value, uint? DataVersion, StatusIB? Status)
{
    public bool IsSuccess => Status is null || Status.IsSuccess;

    /// <summary>The failure as a clear error, e.g. "attribute 0/40/99: UNSUPPORTED_ATTRIBUTE (0x86)"; null on success.</summary>
    public ImError? Error => IsSuccess ? null : ImError.FromStatus($"attribute {Path}", Status!);
}

/// <summary>The outcome of a read, in the order the device first reported each path.</summary>
public sealed class ReadResult(IReadOnlyList<AttributeResult> attributes)
{
    public IReadOnlyList<AttributeResult> Attributes { get; } = attributes;

    public AttributeResult? Find(AttributePath path)
    {
        var key = path.Concrete;
        return Attributes.FirstOrDefault(a => a.Path == key);
    }

    /// <summary>The value at a concrete path, or the error for it (the device's status, or no report at all).</summary>
    public (TlvElement? Value, ImError? Error) Get(AttributePath path)
    {
        var found = Find(path);
        if (found is null)
        {
            return (null, new ImError(ImErrorKind.Malformed, $"the device reported nothing for attribute {path.Concrete}"));
        }

        return found.IsSuccess ? (found.Value, null) : (null, found.Error);
    }
}
