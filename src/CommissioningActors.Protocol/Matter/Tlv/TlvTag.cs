namespace CommissioningActors.Protocol.Matter.Tlv;

/// <summary>The five tag forms of Matter TLV (spec A.2); wire widths are chosen by the writer.</summary>
public enum TlvTagForm : byte
{
    Anonymous,
    Context,
    CommonProfile,
    ImplicitProfile,
    FullyQualified,
}

/// <summary>
/// A TLV tag. <see cref="Number"/> is the context/profile tag number; vendor and profile are only meaningful
/// for <see cref="TlvTagForm.FullyQualified"/>.
/// </summary>
public readonly record struct TlvTag
{
    private TlvTag(TlvTagForm form, uint number, ushort vendorId, ushort profileNumber)
    {
        Form = form;
        Number = number;
        VendorId = vendorId;
        ProfileNumber = profileNumber;
    }

    public TlvTagForm Form { get; }
    public uint Number { get; }
    public ushort VendorId { get; }
    public ushort ProfileNumber { get; }

    public static TlvTag Anonymous => default;

    public static TlvTag Context(byte number) => new(TlvTagForm.Context, number, 0, 0);

    public static TlvTag CommonProfile(uint number) => new(TlvTagForm.CommonProfile, number, 0, 0);

    public static TlvTag ImplicitProfile(uint number) => new(TlvTagForm.ImplicitProfile, number, 0, 0);

    public static TlvTag FullyQualified(ushort vendorId, ushort profileNumber, uint number) =>
        new(TlvTagForm.FullyQualified, number, vendorId, profileNumber);

    public bool IsAnonymous => Form == TlvTagForm.Anonymous;

    public bool IsContext(byte number) => Form == TlvTagForm.Context && Number == number;

    /// <summary>How the tag is keyed in JSON: a context tag is its number, the others name their form.</summary>
    public string ToKey() => Form switch
    {
        TlvTagForm.Anonymous => "",
        TlvTagForm.Context => Number.ToString(System.Globalization.CultureInfo.InvariantCulture),
        TlvTagForm.CommonProfile => $"common:{Number}",
        TlvTagForm.ImplicitProfile => $"implicit:{Number}",
        _ => $"{VendorId}:{ProfileNumber}:{Number}",
    };

    public override string ToString() => Form == TlvTagForm.Anonymous ? "anonymous" : ToKey();
}
