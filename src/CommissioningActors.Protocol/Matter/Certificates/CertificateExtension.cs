namespace CommissioningActors.Protocol.Matter.Certificates;

/// <summary>Key usage bits, numbered as Matter TLV certificates number them (bit 0 = digitalSignature).</summary>
[Flags]
public enum KeyUsages : ushort
{
    None = 0,
    DigitalSignature = 0x0001,
    NonRepudiation = 0x0002,
    KeyEncipherment = 0x0004,
    DataEncipherment = 0x0008,
    KeyAgreement = 0x0010,
    KeyCertSign = 0x0020,
    CrlSign = 0x0040,
    EncipherOnly = 0x0080,
    DecipherOnly = 0x0100,
}

/// <summary>Extended key usage purposes, with the values Matter TLV certificates use.</summary>
public enum KeyPurpose : byte
{
    ServerAuth = 1,
    ClientAuth = 2,
    CodeSigning = 3,
    EmailProtection = 4,
    TimeStamping = 5,
    OcspSigning = 6,
}

/// <summary>
/// A certificate extension. Order matters: Matter keeps the TLV order in the DER it signs, so a certificate
/// holds its extensions as an ordered list.
/// </summary>
public abstract record CertificateExtension;

public sealed record BasicConstraintsExtension(bool IsCa, byte? PathLength = null) : CertificateExtension;

public sealed record KeyUsageExtension(KeyUsages Usages) : CertificateExtension;

public sealed record ExtendedKeyUsageExtension(IReadOnlyList<KeyPurpose> Purposes) : CertificateExtension;

public sealed record SubjectKeyIdExtension(byte[] KeyId) : CertificateExtension;

public sealed record AuthorityKeyIdExtension(byte[] KeyId) : CertificateExtension;

/// <summary>Any other extension, kept as its whole DER Extension SEQUENCE (Matter TLV tag 6).</summary>
public sealed record FutureExtension(byte[] Der) : CertificateExtension;

internal static class KeyPurposeOids
{
    public static string Oid(KeyPurpose purpose) => purpose switch
    {
        KeyPurpose.ServerAuth => "1.3.6.1.5.5.7.3.1",
        KeyPurpose.ClientAuth => "1.3.6.1.5.5.7.3.2",
        KeyPurpose.CodeSigning => "1.3.6.1.5.5.7.3.3",
        KeyPurpose.EmailProtection => "1.3.6.1.5.5.7.3.4",
        KeyPurpose.TimeStamping => "1.3.6.1.5.5.7.3.8",
        KeyPurpose.OcspSigning => "1.3.6.1.5.5.7.3.9",
        _ => throw new ArgumentOutOfRangeException(nameof(purpose), purpose, "unknown key purpose"),
    };

    public static KeyPurpose? FromOid(string oid)
    {
        foreach (var purpose in Enum.GetValues<KeyPurpose>())
        {
            if (Oid(purpose) == oid)
            {
                return purpose;
            }
        }

        return null;
    }
}
