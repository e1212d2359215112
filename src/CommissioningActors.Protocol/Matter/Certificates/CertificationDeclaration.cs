using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using CommissioningActors.Protocol.Matter.Crypto;
using CommissioningActors.Protocol.Matter.Tlv;

namespace CommissioningActors.Protocol.Matter.Certificates;

/// <summary>The certification declaration's TLV content (core spec 6.3.1).</summary>
public sealed record CertificationDeclaration(
    byte FormatVersion,
    ushort VendorId,
    IReadOnlyList<ushort> ProductIds,
    uint DeviceTypeId,
    string CertificateId,
    byte SecurityLevel,
    ushort SecurityInformation,
    ushort VersionNumber,
    byte CertificationType,
    ushort? DacOriginVendorId,
    ushort? DacOriginProductId,
    IReadOnlyList<byte[]> AuthorizedPaaKeyIds)
{
    /// <summary>Certification type 0: a development/test declaration, not a certified product.</summary>
    public bool IsDevelopmentAndTest => CertificationType == 0;

    /// <summary>Reads the TLV content; refuses what the spec does not allow.</summary>
    public static CryptoResult<CertificationDeclaration> Decode(ReadOnlySpan<byte> tlv)
    {
        var parsed = TlvFields.Read(tlv, "certification declaration", 400, f =>
        {
            var productIds = f.Array(2, "product ids", 1, 100).Select(p => (ushort)TlvFields.Unsigned(p, "product id", ushort.MaxValue)).ToList();
            var paas = f.OptionalArray(11, "authorized PAA list", 10)?.Select(p => TlvFields.Bytes(p, "authorized PAA key id", 20, 20)).ToList();
            return new CertificationDeclaration(
                (byte)f.Unsigned(0, "format version", byte.MaxValue),
                (ushort)f.Unsigned(1, "vendor id", ushort.MaxValue),
                productIds,
                (uint)f.Unsigned(3, "device type id", uint.MaxValue),
                f.Utf8(4, "certificate id", 19, 19),
                (byte)f.Unsigned(5, "security level", byte.MaxValue),
                (ushort)f.Unsigned(6, "security information", ushort.MaxValue),
                (ushort)f.Unsigned(7, "version number", ushort.MaxValue),
                (byte)f.Unsigned(8, "certification type", 2),
                (ushort?)f.OptionalUnsigned(9, "DAC origin vendor id", ushort.MaxValue),
                (ushort?)f.OptionalUnsigned(10, "DAC origin product id", ushort.MaxValue),
                paas ?? []);
        });
        if (!parsed.IsOk || parsed.Value!.DacOriginVendorId.HasValue == parsed.Value.DacOriginProductId.HasValue)
        {
            return parsed;
        }

        return CryptoResult<CertificationDeclaration>.Fail(CryptoErrorKind.Malformed, "certification declaration: DAC origin vendor and product id come together");
    }
}

/// <summary>A certification declaration whose CMS signature verified, and by which kind of signer.</summary>
public sealed record VerifiedCertificationDeclaration(CertificationDeclaration Declaration, bool SignedByTestKey, string Signer);

/// <summary>
/// Verifies the certification declaration envelope: a CMS SignedData over pkcs7-data whose content is the TLV
/// declaration, one signer identified by subject key id, ECDSA-SHA256, signed by a known CD signing key. The
/// signers ship as resources: connectedhomeip's test CD signing certificate and the CSA's published keys.
/// </summary>
public sealed class CertificationDeclarationSigners
{
    public const int MaxCmsLength = 600;
    private const string ResourcePrefix = "CdSigners/";
    private const string TestPrefix = "Test-";
    private const string Pkcs7Data = "1.2.840.113549.1.7.1";

    private static readonly Lazy<CertificationDeclarationSigners> Shipped = new(LoadShipped);

    private readonly List<(X509Certificate2 Certificate, bool IsTest, string Name)> _signers;

    private CertificationDeclarationSigners(List<(X509Certificate2, bool, string)> signers) => _signers = signers;

    /// <summary>The signers shipped with the service (read once; the certificates are shared).</summary>
    public static CertificationDeclarationSigners Default => Shipped.Value;

    public int Count => _signers.Count;

    /// <summary>For tests and deployments adding their own signers.</summary>
    public static CertificationDeclarationSigners From(IEnumerable<(byte[] Der, bool IsTest)> signers) =>
        new(signers.Select(s => (X509CertificateLoader.LoadCertificate(s.Der), s.IsTest, "custom")).ToList());

    public CryptoResult<VerifiedCertificationDeclaration> Verify(ReadOnlySpan<byte> cms)
    {
        if (cms.IsEmpty || cms.Length > MaxCmsLength)
        {
            return Fail(CryptoErrorKind.Malformed, $"the certification declaration must be 1..{MaxCmsLength} bytes");
        }

        var signed = new SignedCms();
        try
        {
            signed.Decode(cms);
        }
        catch (CryptographicException)
        {
            return Fail(CryptoErrorKind.Malformed, "the certification declaration is not a CMS SignedData");
        }

        if (signed.ContentInfo.ContentType.Value != Pkcs7Data || signed.SignerInfos.Count != 1)
        {
            return Fail(CryptoErrorKind.Malformed, "the certification declaration must carry data with exactly one signer");
        }

        var signer = signed.SignerInfos[0];
        if (signer.SignerIdentifier.Type != SubjectIdentifierType.SubjectKeyIdentifier || signer.SignerIdentifier.Value is not string keyId)
        {
            return Fail(CryptoErrorKind.Malformed, "the certification declaration signer must be named by subject key id");
        }

        var known = _signers.FirstOrDefault(s => string.Equals(
            s.Certificate.Extensions.OfType<X509SubjectKeyIdentifierExtension>().FirstOrDefault()?.SubjectKeyIdentifier, keyId, StringComparison.OrdinalIgnoreCase));
        if (known.Certificate is null)
        {
            return Fail(CryptoErrorKind.UntrustedChain, $"the certification declaration is signed by an unknown key (id {Sanitize(keyId)})");
        }

        try
        {
            signer.CheckSignature([known.Certificate], verifySignatureOnly: true);
        }
        catch (CryptographicException)
        {
            return Fail(CryptoErrorKind.InvalidSignature, "the certification declaration signature does not verify");
        }

        var declaration = CertificationDeclaration.Decode(signed.ContentInfo.Content);
        return declaration.IsOk
            ? CryptoResult<VerifiedCertificationDeclaration>.Ok(new VerifiedCertificationDeclaration(declaration.Value!, known.IsTest, known.Name))
            : declaration.Error!;
    }

    private static string Sanitize(string keyId) => new(keyId.Where(Uri.IsHexDigit).Take(40).ToArray());

    private static CryptoResult<VerifiedCertificationDeclaration> Fail(CryptoErrorKind kind, string message) =>
        CryptoResult<VerifiedCertificationDeclaration>.Fail(kind, message);

    private static CertificationDeclarationSigners LoadShipped()
    {
        var assembly = typeof(CertificationDeclarationSigners).Assembly;
        var signers = new List<(X509Certificate2, bool, string)>();
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var file = name[ResourcePrefix.Length..];
            signers.Add((X509CertificateLoader.LoadCertificate(buffer.ToArray()), file.StartsWith(TestPrefix, StringComparison.Ordinal), file));
        }

        return new CertificationDeclarationSigners(signers);
    }
}
