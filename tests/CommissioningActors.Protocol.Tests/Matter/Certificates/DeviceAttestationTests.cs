using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CommissioningActors.Protocol.Matter.Certificates;
using CommissioningActors.Protocol.Matter.Crypto;
using static CommissioningActors.Protocol.Tests.Matter.Certificates.AttestationVectors;
using static CommissioningActors.Protocol.Tests.Matter.Certificates.MatterCertificateVectors;

namespace CommissioningActors.Protocol.Tests.Matter.Certificates;

public sealed class DeviceAttestationTests : IDisposable
{
    private static readonly byte[] Elements = Convert.FromHexString("1530011f" + new string('a', 62) + "18");
    private static readonly byte[] Challenge = Convert.FromHexString("00112233445566778899aabbccddeeff");

    private readonly PaaTrustStore _development = PaaTrustStore.Load();
    private readonly ECDsa _dacKey = ECDsa.Create();

    public DeviceAttestationTests() => _dacKey.ImportFromPem(DacKeyPem);

    public void Dispose()
    {
        _development.Dispose();
        _dacKey.Dispose();
    }

    [Fact]
    public void The_service_ships_the_connectedhomeip_development_paas()
    {
        Assert.Equal(2, _development.Roots.Count);
        Assert.All(_development.Roots, r => Assert.True(r.IsDevelopment));
        Assert.Contains(_development.Roots, r => r.Certificate.RawData.AsSpan().SequenceEqual(Der(PaaFff1Pem)));
        Assert.Empty(_development.LoadProblems);
    }

    [Fact]
    public void The_test_chain_is_accepted_with_a_development_warning()
    {
        var result = Verify(_development, Sign(Elements, Challenge));

        Assert.True(result.IsOk, result.Error?.ToString());
        Assert.Equal((ushort)0xFFF1, result.Value!.VendorId);
        Assert.Equal((ushort)0x8000, result.Value.ProductId);
        Assert.True(result.Value.IsDevelopmentDevice);
        Assert.Contains(result.Value.Warnings, w => w.StartsWith("development/test device", StringComparison.Ordinal));
        Assert.Contains("test vendor id 0xFFF1", result.Value.Warnings);
    }

    [Fact]
    public void A_tampered_signature_is_rejected()
    {
        var signature = Sign(Elements, Challenge);
        signature[10] ^= 0x40;

        Assert.Equal(CryptoErrorKind.InvalidSignature, Verify(_development, signature).Error?.Kind);
    }

    [Fact]
    public void A_signature_over_another_challenge_or_other_elements_is_rejected()
    {
        var otherChallenge = (byte[])Challenge.Clone();
        otherChallenge[0] ^= 1;

        Assert.Equal(CryptoErrorKind.InvalidSignature, Verify(_development, Sign(Elements, otherChallenge)).Error?.Kind);
        Assert.Equal(CryptoErrorKind.InvalidSignature, Verify(_development, Sign([.. Elements, 0x00], Challenge)).Error?.Kind);
        Assert.Equal(CryptoErrorKind.InvalidSignature, Verify(_development, Sign(Elements, Challenge)[..63]).Error?.Kind);
    }

    [Fact]
    public void A_chain_to_an_unknown_paa_is_rejected()
    {
        using var productionOnly = PaaTrustStore.Load(includeDevelopment: false);
        using var otherRoot = PaaTrustStore.FromCertificates([Der(SpecRcacPem)], isDevelopment: false);

        Assert.Equal(CryptoErrorKind.UntrustedChain, Verify(productionOnly, Sign(Elements, Challenge)).Error?.Kind);
        Assert.Equal(CryptoErrorKind.UntrustedChain, Verify(otherRoot, Sign(Elements, Challenge)).Error?.Kind);
    }

    [Fact]
    public void A_pai_that_did_not_issue_the_dac_is_rejected()
    {
        var result = DeviceAttestation.Verify(_development, Der(DacPem), Der(SpecIcacPem), Elements, Challenge, Sign(Elements, Challenge));

        Assert.Equal(CryptoErrorKind.UntrustedChain, result.Error?.Kind);
    }

    [Fact]
    public void A_production_paa_folder_is_trusted_without_the_development_warning()
    {
        var folder = Directory.CreateTempSubdirectory("paa-test-");
        try
        {
            File.WriteAllText(Path.Combine(folder.FullName, "vendor-paa.pem"), PaaFff1Pem);
            File.WriteAllText(Path.Combine(folder.FullName, "broken.der"), "not a certificate");
            File.WriteAllText(Path.Combine(folder.FullName, "README.txt"), "ignored");
            using var production = PaaTrustStore.Load(folder.FullName, includeDevelopment: false);

            var result = Verify(production, Sign(Elements, Challenge));

            Assert.True(result.IsOk, result.Error?.ToString());
            Assert.False(result.Value!.IsDevelopmentDevice);
            Assert.DoesNotContain(result.Value.Warnings, w => w.StartsWith("development", StringComparison.Ordinal));
            Assert.Equal(["broken.der: not an X.509 certificate, skipped"], production.LoadProblems);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("3000")]
    [InlineData("deadbeef")]
    public void A_dac_that_is_not_a_certificate_is_malformed(string hex)
    {
        var result = DeviceAttestation.Verify(_development, Convert.FromHexString(hex), Der(PaiPem), Elements, Challenge, new byte[64]);

        Assert.Equal(CryptoErrorKind.Malformed, result.Error?.Kind);
    }

    [Fact]
    public void A_pai_whose_vendor_id_differs_from_the_dacs_is_rejected()
    {
        using var paaKey = EcdsaP256.CreateKey();
        using var paiKey = EcdsaP256.CreateKey();
        using var dacKey = EcdsaP256.CreateKey();
        using var paa = TestChain.Paa(paaKey);
        using var pai = TestChain.Issue(paa, paaKey, paiKey, "PAI", vendorId: "FFF2", productId: null, isCa: true);
        using var dac = TestChain.Issue(pai, paiKey, dacKey, "DAC", vendorId: "FFF1", productId: "8001", isCa: false);
        using var store = PaaTrustStore.FromCertificates([paa.RawData], isDevelopment: false);
        var signature = dacKey.SignData([.. Elements, .. Challenge], HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

        var result = DeviceAttestation.Verify(store, dac.RawData, pai.RawData, Elements, Challenge, signature);

        Assert.Equal(CryptoErrorKind.UntrustedChain, result.Error?.Kind);
        Assert.Contains("vendor/product id", result.Error!.Message);
    }

    [Fact]
    public void A_generated_production_chain_passes_without_warnings()
    {
        using var paaKey = EcdsaP256.CreateKey();
        using var paiKey = EcdsaP256.CreateKey();
        using var dacKey = EcdsaP256.CreateKey();
        using var paa = TestChain.Paa(paaKey);
        using var pai = TestChain.Issue(paa, paaKey, paiKey, "PAI", vendorId: "1234", productId: null, isCa: true);
        using var dac = TestChain.Issue(pai, paiKey, dacKey, "DAC", vendorId: "1234", productId: "00AB", isCa: false);
        using var store = PaaTrustStore.FromCertificates([paa.RawData], isDevelopment: false);
        var signature = dacKey.SignData([.. Elements, .. Challenge], HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

        var result = DeviceAttestation.Verify(store, dac.RawData, pai.RawData, Elements, Challenge, signature);

        Assert.True(result.IsOk, result.Error?.ToString());
        Assert.Equal((ushort)0x1234, result.Value!.VendorId);
        Assert.Equal((ushort)0x00AB, result.Value.ProductId);
        Assert.Empty(result.Value.Warnings);
    }

    /// <summary>
    /// matter.js test devices mint their PAI and DAC at start-up under the shipped "Matter Test PAA" without a
    /// vendor id, whose key matter.js publishes (ChipPAAuthorities.ts). The same shape must pass here.
    /// </summary>
    [Fact]
    public void A_chain_minted_like_a_matterjs_test_device_passes_under_the_novid_development_paa()
    {
        var novid = _development.Roots.Single(r => r.Source.Contains("NoVID", StringComparison.Ordinal)).Certificate;
        using var paaKey = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            D = Convert.FromHexString("e1f073c934853baffb38bf7e8bdad7a0a674107c7769892a0ff2e06c1a2ef7a7"),
            Q = new ECPoint
            {
                X = Convert.FromHexString("10ef02a81a87b68121fba8d31978f807a317e50aa8a828446828914b933de8ed"),
                Y = Convert.FromHexString("d4a5c39c9ff71a4ce3647fd7f62653b7d2495fcba4c0f47f876880039e07204a"),
            },
        });
        using var paiKey = EcdsaP256.CreateKey();
        using var dacKey = EcdsaP256.CreateKey();
        using var pai = TestChain.Issue(novid, paaKey, paiKey, "PAI", vendorId: "FFF1", productId: null, isCa: true);
        using var dac = TestChain.Issue(pai, paiKey, dacKey, "DAC", vendorId: "FFF1", productId: "8000", isCa: false);
        var signature = dacKey.SignData([.. Elements, .. Challenge], HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

        var result = DeviceAttestation.Verify(_development, dac.RawData, pai.RawData, Elements, Challenge, signature);

        Assert.True(result.IsOk, result.Error?.ToString());
        Assert.True(result.Value!.IsDevelopmentDevice);
    }

    private CryptoResult<AttestationInfo> Verify(PaaTrustStore store, byte[] signature) =>
        DeviceAttestation.Verify(store, Der(DacPem), Der(PaiPem), Elements, Challenge, signature);

    private byte[] Sign(byte[] elements, byte[] challenge) =>
        _dacKey.SignData([.. elements, .. challenge], HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    /// <summary>Builds PAA -> PAI -> DAC chains in the attestation certificates' shape.</summary>
    private static class TestChain
    {
        private static readonly DateTimeOffset NotBefore = DateTimeOffset.UtcNow.AddDays(-1);
        private static readonly DateTimeOffset NotAfter = DateTimeOffset.UtcNow.AddYears(1);

        public static X509Certificate2 Paa(ECDsa key)
        {
            var request = new CertificateRequest(Name("PAA", null, null), key, HashAlgorithmName.SHA256);
            AddCaExtensions(request, pathLength: 1);
            return request.CreateSelfSigned(NotBefore, NotAfter);
        }

        public static X509Certificate2 Issue(X509Certificate2 issuer, ECDsa issuerKey, ECDsa key, string cn, string vendorId, string? productId, bool isCa)
        {
            var request = new CertificateRequest(Name(cn, vendorId, productId), key, HashAlgorithmName.SHA256);
            if (isCa)
            {
                AddCaExtensions(request, pathLength: 0);
            }
            else
            {
                request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
                request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
                request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
            }

            request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
            var generator = X509SignatureGenerator.CreateForECDsa(issuerKey);
            return request.Create(issuer.SubjectName, generator, NotBefore, NotAfter, RandomNumberGenerator.GetBytes(8));
        }

        private static void AddCaExtensions(CertificateRequest request, int pathLength)
        {
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, pathLength, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        }

        private static X500DistinguishedName Name(string cn, string? vendorId, string? productId)
        {
            var builder = new X500DistinguishedNameBuilder();
            builder.AddCommonName($"Test {cn}");
            if (vendorId is not null)
            {
                builder.Add(MatterOids.VendorId, vendorId, System.Formats.Asn1.UniversalTagNumber.UTF8String);
            }

            if (productId is not null)
            {
                builder.Add(MatterOids.ProductId, productId, System.Formats.Asn1.UniversalTagNumber.UTF8String);
            }

            return builder.Build();
        }
    }
}
