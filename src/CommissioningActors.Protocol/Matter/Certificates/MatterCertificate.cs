using CommissioningActors.Protocol.Matter.Crypto;

namespace CommissioningActors.Protocol.Matter.Certificates;

/// <summary>
/// A Matter operational certificate (RCAC, ICAC or NOC): exactly the fields the Matter TLV form carries,
/// so that TLV and X.509 DER are two encodings of one value. The signature is over the X.509 DER TBS
/// (see <see cref="MatterCertificateDer"/>), stored raw (r || s) as TLV stores it.
/// </summary>
public sealed record MatterCertificate(
    byte[] SerialNumber,
    IReadOnlyList<DnAttribute> Issuer,
    DateTimeOffset NotBefore,
    DateTimeOffset? NotAfter,
    IReadOnlyList<DnAttribute> Subject,
    byte[] PublicKey,
    IReadOnlyList<CertificateExtension> Extensions,
    byte[]? Signature = null)
{
    public const int MaxSerialNumberLength = 20;

    /// <summary>The Matter epoch: TLV certificates count seconds from here.</summary>
    public static readonly DateTimeOffset MatterEpoch = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>X.509's "no well-defined expiration date", which TLV writes as 0.</summary>
    public static readonly DateTimeOffset NoWellDefinedExpiration = new(9999, 12, 31, 23, 59, 59, TimeSpan.Zero);

    /// <summary>TLV's validity field: seconds since <see cref="MatterEpoch"/>; 0 for "no expiration" (null).</summary>
    public static uint ToMatterEpochSeconds(DateTimeOffset? time) =>
        time is { } t ? checked((uint)(t - MatterEpoch).TotalSeconds) : 0;

    public static DateTimeOffset? FromMatterEpochSeconds(uint seconds) =>
        seconds == 0 ? null : MatterEpoch.AddSeconds(seconds);

    public BasicConstraintsExtension? BasicConstraints => Extensions.OfType<BasicConstraintsExtension>().FirstOrDefault();
    public KeyUsages KeyUsage => Extensions.OfType<KeyUsageExtension>().FirstOrDefault()?.Usages ?? KeyUsages.None;
    public byte[]? SubjectKeyId => Extensions.OfType<SubjectKeyIdExtension>().FirstOrDefault()?.KeyId;
    public byte[]? AuthorityKeyId => Extensions.OfType<AuthorityKeyIdExtension>().FirstOrDefault()?.KeyId;

    public ulong? SubjectId(DnAttributeType type) => Find(Subject, type);
    public ulong? IssuerId(DnAttributeType type) => Find(Issuer, type);

    /// <summary>The signed X.509 DER; the certificate must carry a signature.</summary>
    public byte[] ToDer() => MatterCertificateDer.Encode(this);

    /// <summary>The to-be-signed part: what the issuer's key signs.</summary>
    public byte[] ToTbsDer() => MatterCertificateDer.EncodeTbs(this);

    /// <summary>Signs with the issuer's key (P-256), returning a signed copy.</summary>
    public MatterCertificate SignWith(System.Security.Cryptography.ECDsa issuerKey) =>
        this with { Signature = EcdsaP256.SignRaw(issuerKey, ToTbsDer()) };

    /// <summary>True when the signature verifies under the given issuer public key.</summary>
    public bool IsSignedBy(ReadOnlySpan<byte> issuerPublicKey) =>
        Signature is not null && EcdsaP256.VerifyRaw(issuerPublicKey, ToTbsDer(), Signature);

    private static ulong? Find(IReadOnlyList<DnAttribute> dn, DnAttributeType type) =>
        dn.FirstOrDefault(a => a.Type == type)?.Id;
}
