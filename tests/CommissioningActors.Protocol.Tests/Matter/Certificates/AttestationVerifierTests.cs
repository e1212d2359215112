using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using CommissioningActors.Protocol.Matter.Certificates;
using CommissioningActors.Protocol.Matter.Crypto;
using CommissioningActors.Protocol.Matter.Tlv;
using static CommissioningActors.Protocol.Tests.Matter.Certificates.AttestationVectors;

namespace CommissioningActors.Protocol.Tests.Matter.Certificates;

/// <summary>
/// Certification declarations: connectedhomeip src/credentials/tests/TestCertificationDeclaration.cpp
/// (sTestCMS_SignedMessage01/02, signed by the public test CD signing key, key id 62:FA:82:33...).
/// </summary>
public sealed class AttestationVerifierTests : IDisposable
{
    /// <summary>vendor 0xFFF1, products [0x8000], device type 0x1234, "ZIG20141ZB330001-24", type 0.</summary>
    public const string Cms01 =
        "3081e806092a864886f70d010702a081da3081d7020103310d300b0609608648016503040201304506092a864886f70d010701a0380436152400012501f1ff360205008018250334122c04135a494732303134315a423333303030312d32342405002406002507942624080018317c307a020103801462fa823359acfaa9963e1cfa140addf504f37160300b0609608648016503040201300a06082a8648ce3d04030204463044022043a63f2b943df33c38b3e02fcaa75fe3532aebbf5e63f5bbdbc0b1f01d3c4f6002204c1abf5f1807b81894b1576c47e4724e4d966c612ed3fa25c118c3f2b3f90369";

    /// <summary>vendor 0xFFF2, products [0x8001, 0x8002], DAC origin 0xFFF1/0x8000.</summary>
    public const string Cms02 =
        "3081f506092a864886f70d010702a081e73081e4020103310d300b0609608648016503040201305006092a864886f70d010701a0430441152400012501f2ff360205018005028018250334122c04135a494732303134325a423333303030322d3234240500240600250794262408002509f1ff250a008018317e307c020103801462fa823359acfaa9963e1cfa140addf504f37160300b0609608648016503040201300a06082a8648ce3d04030204483046022100926296f7578158be7c459388336ca7383766c9eedd9855cbda6f4cf6bdf43211022100e0dbf4a2bcec4ea274baf0dea208b3365c6ed544086d101afdaf079a2c23e0de";

    private static readonly byte[] Nonce = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
    private static readonly byte[] Challenge = Enumerable.Range(100, 16).Select(i => (byte)i).ToArray();
    private static readonly DateTimeOffset At = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly PaaTrustStore _paas = PaaTrustStore.Load();

    public void Dispose() => _paas.Dispose();

    public static byte[] Elements(string cmsHex, byte[] nonce, bool withVendorField = false)
    {
        var w = new TlvWriter().StartStructure(TlvTag.Anonymous)
            .WriteBytes(TlvTag.Context(1), Convert.FromHexString(cmsHex))
            .WriteBytes(TlvTag.Context(2), nonce)
            .WriteUnsigned(TlvTag.Context(3), 0);
        if (withVendorField)
        {
            w.WriteBytes(TlvTag.FullyQualified(0xFFF1, 1, 7), [1, 2, 3]);
        }

        return w.EndContainer().ToArray();
    }

    public static byte[] SignWithDac(byte[] elements, byte[] challenge)
    {
        using var key = ECDsa.Create();
        key.ImportFromPem(DacKeyPem);
        return key.SignData([.. elements, .. challenge], HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    private CryptoResult<AttestationResult> Verify(byte[] elements, DeviceBasicInformation? basic, byte[]? signature = null, byte[]? nonce = null) =>
        AttestationVerifier.Verify(_paas, CertificationDeclarationSigners.Default, MatterCertificateVectors.Der(DacPem), MatterCertificateVectors.Der(PaiPem), elements,
            signature ?? SignWithDac(elements, Challenge), Challenge, nonce ?? Nonce, basic, At);

    [Fact]
    public void The_published_declarations_decode_to_their_fields()
    {
        var first = CertificationDeclarationSigners.Default.Verify(Convert.FromHexString(Cms01));
        var second = CertificationDeclarationSigners.Default.Verify(Convert.FromHexString(Cms02));

        Assert.True(first.IsOk, first.Error?.ToString());
        Assert.True(first.Value!.SignedByTestKey);
        var cd = first.Value.Declaration;
        Assert.Equal((1, (ushort)0xFFF1, 0x1234u, "ZIG20141ZB330001-24", (ushort)0x2694), (cd.FormatVersion, cd.VendorId, cd.DeviceTypeId, cd.CertificateId, cd.VersionNumber));
        Assert.Equal([(ushort)0x8000], cd.ProductIds);
        Assert.True(cd.IsDevelopmentAndTest);
        Assert.Null(cd.DacOriginVendorId);

        var cd2 = second.Value!.Declaration;
        Assert.Equal([(ushort)0x8001, (ushort)0x8002], cd2.ProductIds);
        Assert.Equal((ushort)0xFFF1, cd2.DacOriginVendorId);
        Assert.Equal((ushort)0x8000, cd2.DacOriginProductId);
    }

    [Fact]
    public void The_service_ships_the_test_and_csa_cd_signers()
    {
        Assert.Equal(6, CertificationDeclarationSigners.Default.Count);
    }

    [Fact]
    public void A_tampered_declaration_does_not_verify()
    {
        var cms = Convert.FromHexString(Cms01);
        cms[70] ^= 0x01; // inside the signed TLV content (the vendor id)

        Assert.Equal(CryptoErrorKind.InvalidSignature, CertificationDeclarationSigners.Default.Verify(cms).Error?.Kind);
    }

    [Fact]
    public void A_declaration_signed_by_an_unknown_key_is_untrusted()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=not the CSA", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        using var cert = request.CreateSelfSigned(At.AddDays(-1), At.AddYears(1));
        var published = new SignedCms();
        published.Decode(Convert.FromHexString(Cms01));
        var cms = new SignedCms(new ContentInfo(published.ContentInfo.Content));
        cms.ComputeSignature(new CmsSigner(SubjectIdentifierType.SubjectKeyIdentifier, cert) { IncludeOption = X509IncludeOption.None });

        var result = CertificationDeclarationSigners.Default.Verify(cms.Encode());

        Assert.Equal(CryptoErrorKind.UntrustedChain, result.Error?.Kind);
        // The same envelope passes once its signer is configured: the failure was the trust, not the format.
        Assert.True(CertificationDeclarationSigners.From([(cert.RawData, false)]).Verify(cms.Encode()).IsOk);
    }

    [Theory]
    [InlineData("")]
    [InlineData("deadbeef")]
    [InlineData("3003020101")]
    public void Garbage_instead_of_a_declaration_is_malformed(string hex)
    {
        Assert.Equal(CryptoErrorKind.Malformed, CertificationDeclarationSigners.Default.Verify(Convert.FromHexString(hex)).Error?.Kind);
    }

    [Fact]
    public void A_test_device_with_a_test_declaration_passes_with_warnings()
    {
        var result = Verify(Elements(Cms01, Nonce, withVendorField: true), new DeviceBasicInformation(0xFFF1, 0x8000));

        Assert.True(result.IsOk, result.Error?.ToString());
        Assert.Equal((ushort)0xFFF1, result.Value!.VendorId);
        Assert.Contains("certification declaration signed by the test CD signing key", result.Value.Warnings);
        Assert.Contains("certification declaration of type development/test", result.Value.Warnings);
        Assert.Contains(result.Value.Warnings, w => w.StartsWith("development/test device", StringComparison.Ordinal));
    }

    [Fact]
    public void A_declaration_with_a_dac_origin_covers_the_origin_dac_and_its_own_products()
    {
        Assert.True(Verify(Elements(Cms02, Nonce), new DeviceBasicInformation(0xFFF2, 0x8002)).IsOk);
        Assert.False(Verify(Elements(Cms02, Nonce), new DeviceBasicInformation(0xFFF1, 0x8000)).IsOk);
    }

    [Theory]
    [InlineData(0xFFF1, 0x8001, "ProductID mismatch: the device reports 0x8001 in Basic Information but its DAC carries 0x8000")]
    [InlineData(0xFFF2, 0x8000, "VendorID mismatch: the device reports 0xFFF2 in Basic Information but its DAC carries 0xFFF1")]
    public void Basic_information_the_dac_does_not_carry_is_refused_naming_both_values(int vendor, int product, string reason)
    {
        var result = Verify(Elements(Cms01, Nonce), new DeviceBasicInformation((ushort)vendor, (ushort)product));

        Assert.Equal(CryptoErrorKind.UntrustedChain, result.Error?.Kind);
        Assert.Equal(reason, result.Error!.Message);
    }

    [Fact]
    public void Elements_echoing_another_nonce_are_refused()
    {
        var other = (byte[])Nonce.Clone();
        other[0] ^= 1;

        Assert.Equal(CryptoErrorKind.ConfirmationFailed, Verify(Elements(Cms01, other), null).Error?.Kind);
    }

    [Fact]
    public void A_signature_not_over_these_elements_is_refused()
    {
        var elements = Elements(Cms01, Nonce);
        var signature = SignWithDac(elements, new byte[16]);

        Assert.Equal(CryptoErrorKind.InvalidSignature, Verify(elements, null, signature).Error?.Kind);
    }

    [Theory]
    [InlineData("1518")]
    [InlineData("15300101001818")]
    [InlineData("1730010118")]
    public void Malformed_elements_are_refused(string hex)
    {
        Assert.Equal(CryptoErrorKind.Malformed, AttestationElements.Parse(Convert.FromHexString(hex), Nonce).Error?.Kind);
    }

    [Fact]
    public void Nocsr_elements_give_the_csr_when_they_echo_our_nonce()
    {
        var tlv = new TlvWriter().StartStructure(TlvTag.Anonymous)
            .WriteBytes(TlvTag.Context(1), [0x30, 0x00])
            .WriteBytes(TlvTag.Context(2), Nonce)
            .EndContainer().ToArray();

        Assert.Equal([0x30, 0x00], NocsrElements.Parse(tlv, Nonce).Value!.Csr);
        Assert.Equal(CryptoErrorKind.ConfirmationFailed, NocsrElements.Parse(tlv, new byte[32]).Error?.Kind);
        Assert.Equal(CryptoErrorKind.Malformed, NocsrElements.Parse(tlv[..^1], Nonce).Error?.Kind);
    }
}
