using System.Globalization;

namespace CommissioningActors.Protocol.Matter.Certificates;

/// <summary>
/// The DN attributes a Matter operational certificate may carry. The values are the Matter TLV context tags
/// (a PrintableString standard attribute adds 0x80 to its tag in TLV: see <see cref="DnAttribute.PrintableString"/>).
/// </summary>
public enum DnAttributeType : byte
{
    CommonName = 1,
    Surname = 2,
    SerialNumber = 3,
    CountryName = 4,
    LocalityName = 5,
    StateOrProvinceName = 6,
    OrganizationName = 7,
    OrganizationalUnitName = 8,
    Title = 9,
    Name = 10,
    GivenName = 11,
    Initials = 12,
    GenerationQualifier = 13,
    DnQualifier = 14,
    Pseudonym = 15,
    DomainComponent = 16,
    MatterNodeId = 17,
    MatterFirmwareSigningId = 18,
    MatterIcacId = 19,
    MatterRcacId = 20,
    MatterFabricId = 21,
    MatterCaseAuthenticatedTag = 22,
}

/// <summary>
/// One DN attribute, in its own RDN (Matter never groups attributes). Matter ids carry <see cref="Id"/>;
/// standard attributes carry <see cref="Text"/>, as UTF8String unless <see cref="PrintableString"/>.
/// </summary>
public sealed record DnAttribute(DnAttributeType Type, ulong Id = 0, string? Text = null, bool PrintableString = false)
{
    public bool IsMatterId => Type >= DnAttributeType.MatterNodeId;

    public static DnAttribute NodeId(ulong id) => new(DnAttributeType.MatterNodeId, id);
    public static DnAttribute FabricId(ulong id) => new(DnAttributeType.MatterFabricId, id);
    public static DnAttribute RcacId(ulong id) => new(DnAttributeType.MatterRcacId, id);
    public static DnAttribute IcacId(ulong id) => new(DnAttributeType.MatterIcacId, id);
    public static DnAttribute CaseAuthenticatedTag(uint tag) => new(DnAttributeType.MatterCaseAuthenticatedTag, tag);
    public static DnAttribute Standard(DnAttributeType type, string text, bool printable = false) => new(type, 0, text, printable);

    /// <summary>The X.509 attribute value text: Matter ids as 16 (CATs 8) uppercase hex digits.</summary>
    internal string X509Text => Type switch
    {
        DnAttributeType.MatterCaseAuthenticatedTag => ((uint)Id).ToString("X8", CultureInfo.InvariantCulture),
        _ when IsMatterId => Id.ToString("X16", CultureInfo.InvariantCulture),
        _ => Text ?? "",
    };

    internal string Oid => Type switch
    {
        DnAttributeType.CommonName => "2.5.4.3",
        DnAttributeType.Surname => "2.5.4.4",
        DnAttributeType.SerialNumber => "2.5.4.5",
        DnAttributeType.CountryName => "2.5.4.6",
        DnAttributeType.LocalityName => "2.5.4.7",
        DnAttributeType.StateOrProvinceName => "2.5.4.8",
        DnAttributeType.OrganizationName => "2.5.4.10",
        DnAttributeType.OrganizationalUnitName => "2.5.4.11",
        DnAttributeType.Title => "2.5.4.12",
        DnAttributeType.Name => "2.5.4.41",
        DnAttributeType.GivenName => "2.5.4.42",
        DnAttributeType.Initials => "2.5.4.43",
        DnAttributeType.GenerationQualifier => "2.5.4.44",
        DnAttributeType.DnQualifier => "2.5.4.46",
        DnAttributeType.Pseudonym => "2.5.4.65",
        DnAttributeType.DomainComponent => MatterOids.DomainComponent,
        DnAttributeType.MatterNodeId => MatterOids.NodeId,
        DnAttributeType.MatterFirmwareSigningId => MatterOids.FirmwareSigningId,
        DnAttributeType.MatterIcacId => MatterOids.IcacId,
        DnAttributeType.MatterRcacId => MatterOids.RcacId,
        DnAttributeType.MatterFabricId => MatterOids.FabricId,
        DnAttributeType.MatterCaseAuthenticatedTag => MatterOids.CaseAuthenticatedTag,
        _ => throw new ArgumentOutOfRangeException(nameof(Type), Type, "unknown DN attribute type"),
    };

    internal static DnAttributeType? TypeOf(string oid)
    {
        foreach (var type in Enum.GetValues<DnAttributeType>())
        {
            if (new DnAttribute(type).Oid == oid)
            {
                return type;
            }
        }

        return null;
    }
}
