using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CommissioningActors.Protocol.Matter.Crypto;

namespace CommissioningActors.Protocol.Matter.Certificates;

/// <summary>What a verified device attestation established. Warnings must reach the job's output.</summary>
public sealed record AttestationInfo(
    ushort VendorId,
    ushort? ProductId,
    bool IsDevelopmentDevice,
    IReadOnlyList<string> Warnings,
    byte[]? PaaKeyId = null);

/// <summary>
/// Device attestation, byte-oriented (the TLV around it is the caller's): the DAC -> PAI -> PAA chain against a
/// <see cref="PaaTrustStore"/>, the vendor/product ids along it, and the device's signature over
/// attestation elements || attestation challenge with the DAC key (raw r || s). The certification declaration
/// inside the attestation elements is not checked here.
/// </summary>
public static class DeviceAttestation
{
    public const int MaxCertificateLength = 600;

    /// <summary>The vendor ids the spec reserves for test devices.</summary>
    private const ushort FirstTestVendorId = 0xFFF1;
    private const ushort LastTestVendorId = 0xFFF4;

    public static CryptoResult<AttestationInfo> Verify(
        PaaTrustStore trustStore,
        ReadOnlySpan<byte> dac,
        ReadOnlySpan<byte> pai,
        ReadOnlySpan<byte> attestationElements,
        ReadOnlySpan<byte> attestationChallenge,
        ReadOnlySpan<byte> signature,
        DateTimeOffset? at = null)
    {
        using var dacCert = Load(dac);
        using var paiCert = Load(pai);
        if (dacCert is null || paiCert is null)
        {
            return Fail(CryptoErrorKind.Malformed, $"the {(dacCert is null ? "DAC" : "PAI")} is not an X.509 certificate of at most {MaxCertificateLength} bytes");
        }

        var shape = CheckShape(dacCert, paiCert);
        if (shape is not null)
        {
            return Fail(CryptoErrorKind.UntrustedChain, shape);
        }

        var chain = BuildChain(trustStore, dacCert, paiCert, at ?? DateTimeOffset.UtcNow);
        if (!chain.IsOk)
        {
            return chain.Error!;
        }

        var ids = CheckIds(dacCert, paiCert, chain.Value!.Certificate);
        if (!ids.IsOk)
        {
            return ids.Error!;
        }

        using var key = dacCert.GetECDsaPublicKey()!;
        var signed = new byte[attestationElements.Length + attestationChallenge.Length];
        attestationElements.CopyTo(signed);
        attestationChallenge.CopyTo(signed.AsSpan(attestationElements.Length));
        if (signature.Length != EcdsaP256.RawSignatureLength ||
            !key.VerifyData(signed, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
        {
            return Fail(CryptoErrorKind.InvalidSignature, "the attestation signature does not verify with the DAC key");
        }

        var (vendorId, productId) = ids.Value;
        var warnings = new List<string>();
        if (chain.Value.IsDevelopment)
        {
            warnings.Add($"development/test device: its attestation chains to the development PAA {chain.Value.Source}");
        }

        if (vendorId is >= FirstTestVendorId and <= LastTestVendorId)
        {
            warnings.Add($"test vendor id 0x{vendorId:X4}");
        }

        var paaKeyId = chain.Value.Certificate.Extensions.OfType<X509SubjectKeyIdentifierExtension>().FirstOrDefault()?.SubjectKeyIdentifierBytes.ToArray();
        return CryptoResult<AttestationInfo>.Ok(new AttestationInfo(vendorId, productId, chain.Value.IsDevelopment, warnings, paaKeyId));
    }

    /// <summary>An X.509 certificate with a P-256 key, or null.</summary>
    private static X509Certificate2? Load(ReadOnlySpan<byte> der)
    {
        if (der.IsEmpty || der.Length > MaxCertificateLength)
        {
            return null;
        }

        X509Certificate2? certificate = null;
        try
        {
            certificate = X509CertificateLoader.LoadCertificate(der);
            using var key = certificate.GetECDsaPublicKey();
            if (key is { KeySize: 256 })
            {
                return certificate;
            }
        }
        catch (CryptographicException)
        {
        }

        certificate?.Dispose();
        return null;
    }

    private static string? CheckShape(X509Certificate2 dac, X509Certificate2 pai)
    {
        var dacConstraints = dac.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault();
        var paiConstraints = pai.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault();
        if (dacConstraints is not { CertificateAuthority: false })
        {
            return "the DAC must not be a CA certificate";
        }

        if (dac.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault() is not { } usage ||
            !usage.KeyUsages.HasFlag(X509KeyUsageFlags.DigitalSignature))
        {
            return "the DAC must allow digital signatures";
        }

        if (paiConstraints is not { CertificateAuthority: true, HasPathLengthConstraint: true, PathLengthConstraint: 0 })
        {
            return "the PAI must be a CA certificate with path length 0";
        }

        return null;
    }

    private static CryptoResult<TrustedPaa> BuildChain(PaaTrustStore trustStore, X509Certificate2 dac, X509Certificate2 pai, DateTimeOffset at)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationTime = at.UtcDateTime;
        chain.ChainPolicy.ExtraStore.Add(pai);
        foreach (var root in trustStore.Roots)
        {
            chain.ChainPolicy.CustomTrustStore.Add(root.Certificate);
        }

        var built = chain.Build(dac);
        var elements = chain.ChainElements;
        if (!built || elements.Count != 3 || !elements[1].Certificate.RawData.AsSpan().SequenceEqual(pai.RawData))
        {
            var reasons = string.Join(", ", chain.ChainStatus.Select(s => s.Status).Distinct());
            return Fail<TrustedPaa>(
                CryptoErrorKind.UntrustedChain,
                $"the DAC does not chain through the PAI to a trusted PAA ({(reasons.Length == 0 ? "wrong chain length" : reasons)})");
        }

        var paa = elements[2].Certificate;
        var trusted = trustStore.Roots.First(r => r.Certificate.RawData.AsSpan().SequenceEqual(paa.RawData));
        return CryptoResult<TrustedPaa>.Ok(trusted);
    }

    private static CryptoResult<(ushort VendorId, ushort? ProductId)> CheckIds(X509Certificate2 dac, X509Certificate2 pai, X509Certificate2 paa)
    {
        var (dacVendor, dacProduct) = MatterIds(dac.SubjectName);
        var (paiVendor, paiProduct) = MatterIds(pai.SubjectName);
        var (paaVendor, _) = MatterIds(paa.SubjectName);
        if (dacVendor is not { } vendorId || dacProduct is null)
        {
            return Fail<(ushort, ushort?)>(CryptoErrorKind.UntrustedChain, "the DAC carries no Matter vendor id and product id");
        }

        if (paiVendor is null || paiVendor != vendorId || (paiProduct is not null && paiProduct != dacProduct))
        {
            return Fail<(ushort, ushort?)>(CryptoErrorKind.UntrustedChain, "the PAI's vendor/product id does not match the DAC's");
        }

        if (paaVendor is not null && paaVendor != vendorId)
        {
            return Fail<(ushort, ushort?)>(CryptoErrorKind.UntrustedChain, "the PAA's vendor id does not match the DAC's");
        }

        return CryptoResult<(ushort, ushort?)>.Ok((vendorId, dacProduct));
    }

    /// <summary>
    /// Vendor and product id from the Matter OIDs, or from a legacy "Mvid:FFF1 Mpid:8000" common name.
    /// Unparsable values count as absent.
    /// </summary>
    internal static (ushort? VendorId, ushort? ProductId) MatterIds(X500DistinguishedName name)
    {
        ushort? vendor = null, product = null;
        string? commonName = null;
        foreach (var rdn in name.EnumerateRelativeDistinguishedNames())
        {
            var oid = rdn.GetSingleElementType().Value;
            var value = rdn.GetSingleElementValue() ?? "";
            switch (oid)
            {
                case MatterOids.VendorId:
                    vendor = Hex16(value);
                    break;
                case MatterOids.ProductId:
                    product = Hex16(value);
                    break;
                case "2.5.4.3":
                    commonName = value;
                    break;
            }
        }

        if (commonName is not null)
        {
            vendor ??= Hex16(After(commonName, "Mvid:"));
            product ??= Hex16(After(commonName, "Mpid:"));
        }

        return (vendor, product);
    }

    private static string After(string text, string marker)
    {
        var at = text.IndexOf(marker, StringComparison.Ordinal);
        return at < 0 || at + marker.Length + 4 > text.Length ? "" : text.Substring(at + marker.Length, 4);
    }

    private static ushort? Hex16(string text) =>
        text.Length == 4 && text.All(char.IsAsciiHexDigitUpper) &&
        ushort.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value)
            ? value
            : null;

    private static CryptoResult<AttestationInfo> Fail(CryptoErrorKind kind, string message) => CryptoResult<AttestationInfo>.Fail(kind, message);

    private static CryptoResult<T> Fail<T>(CryptoErrorKind kind, string message) => CryptoResult<T>.Fail(kind, message);
}
