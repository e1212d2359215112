using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CommissioningActors.Protocol.Matter.Certificates;
using CommissioningActors.Protocol.Matter.Crypto;

namespace CommissioningActors.Protocol.Tests.Matter.Certificates;

public sealed class FabricAuthorityTests : IDisposable
{
    private const ulong FabricId = 0x0000_0000_0000_0AB1;
    private const ulong RcacId = 0x0000_0000_0000_0001;
    private readonly FabricAuthority _fabric = FabricAuthority.Create(FabricId, RcacId);

    public void Dispose() => _fabric.Dispose();

    [Fact]
    public void The_root_certificate_is_a_self_signed_ca_that_dotnet_accepts_as_a_trust_anchor()
    {
        var root = _fabric.RootCertificate;

        Assert.True(root.IsSignedBy(root.PublicKey));
        Assert.Equal(new BasicConstraintsExtension(true), root.BasicConstraints);
        Assert.Equal(KeyUsages.KeyCertSign | KeyUsages.CrlSign, root.KeyUsage);
        Assert.Equal(root.SubjectKeyId, root.AuthorityKeyId);
        Assert.Null(root.NotAfter);
        using var x509 = X509CertificateLoader.LoadCertificate(root.ToDer());
        Assert.Equal(root.ToDer(), MatterCertificateDerReader.Decode(x509.RawData).Value!.ToDer());
        Assert.Empty(ChainErrors(x509, x509));
    }

    [Fact]
    public void A_noc_issued_from_a_device_csr_verifies_under_our_root()
    {
        using var deviceKey = EcdsaP256.CreateKey();
        var csr = DeviceCsr(deviceKey);

        var issued = _fabric.IssueNocFromCsr(csr, nodeId: 0x1234, caseAuthenticatedTags: [0x0001_0001]);

        Assert.True(issued.IsOk, issued.Error?.ToString());
        var noc = issued.Value!;
        Assert.Equal(EcdsaP256.PublicKeyOf(deviceKey), noc.PublicKey);
        Assert.Equal(0x1234ul, noc.SubjectId(DnAttributeType.MatterNodeId));
        Assert.Equal(FabricId, noc.SubjectId(DnAttributeType.MatterFabricId));
        Assert.Equal(0x0001_0001ul, noc.SubjectId(DnAttributeType.MatterCaseAuthenticatedTag));
        Assert.Equal(_fabric.RootCertificate.Subject, noc.Issuer);
        Assert.Equal(_fabric.RootCertificate.SubjectKeyId, noc.AuthorityKeyId);
        Assert.True(noc.IsSignedBy(_fabric.RootCertificate.PublicKey));

        using var rootX509 = X509CertificateLoader.LoadCertificate(_fabric.RootCertificate.ToDer());
        using var nocX509 = X509CertificateLoader.LoadCertificate(noc.ToDer());
        Assert.Empty(ChainErrors(nocX509, rootX509));
        Assert.True(MatterCertificateDerReader.Decode(nocX509.RawData).IsOk);
    }

    [Fact]
    public void A_noc_from_another_fabric_does_not_chain_to_our_root()
    {
        using var other = FabricAuthority.Create(FabricId, RcacId);
        using var deviceKey = EcdsaP256.CreateKey();
        var foreign = other.IssueNoc(EcdsaP256.PublicKeyOf(deviceKey), 5);

        Assert.False(foreign.IsSignedBy(_fabric.RootCertificate.PublicKey));
        using var rootX509 = X509CertificateLoader.LoadCertificate(_fabric.RootCertificate.ToDer());
        using var nocX509 = X509CertificateLoader.LoadCertificate(foreign.ToDer());
        Assert.NotEmpty(ChainErrors(nocX509, rootX509));
    }

    [Fact]
    public void A_tampered_csr_is_rejected()
    {
        using var deviceKey = EcdsaP256.CreateKey();
        var csr = DeviceCsr(deviceKey);
        var subject = csr.AsSpan().IndexOf("CSR"u8);
        csr[subject + 2] = (byte)'Q';

        var issued = _fabric.IssueNocFromCsr(csr, 7);

        Assert.Equal(CryptoErrorKind.InvalidSignature, issued.Error?.Kind);
    }

    [Fact]
    public void A_csr_signed_by_a_different_key_than_it_carries_is_rejected()
    {
        using var claimed = EcdsaP256.CreateKey();
        using var signer = EcdsaP256.CreateKey();
        var info = new CertificateRequest("O=CSR", claimed, HashAlgorithmName.SHA256).CreateSigningRequest();
        var forged = new CertificateRequest("O=CSR", signer, HashAlgorithmName.SHA256).CreateSigningRequest();
        // Splice: the claimed key's request info with the signer's signature.
        var spliced = Splice(info, forged);

        Assert.Equal(CryptoErrorKind.InvalidSignature, CertificateSigningRequest.VerifyAndGetPublicKey(spliced).Error?.Kind);
    }

    [Theory]
    [InlineData("")]
    [InlineData("3000")]
    [InlineData("deadbeef")]
    public void Garbage_instead_of_a_csr_is_malformed(string hex)
    {
        Assert.Equal(CryptoErrorKind.Malformed, _fabric.IssueNocFromCsr(Convert.FromHexString(hex), 7).Error?.Kind);
    }

    [Fact]
    public void An_rsa_csr_is_refused()
    {
        using var rsa = RSA.Create(2048);
        var csr = new CertificateRequest("O=CSR", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1).CreateSigningRequest();

        Assert.Equal(CryptoErrorKind.Malformed, CertificateSigningRequest.VerifyAndGetPublicKey(csr).Error?.Kind);
    }

    [Fact]
    public void Our_controller_gets_its_own_key_and_noc()
    {
        using var controller = _fabric.IssueControllerIdentity(nodeId: 0x0000_0000_0001_B669);

        Assert.Equal(EcdsaP256.PublicKeyOf(controller.Key), controller.Noc.PublicKey);
        Assert.True(controller.Noc.IsSignedBy(_fabric.RootCertificate.PublicKey));
        Assert.Equal([KeyPurpose.ClientAuth, KeyPurpose.ServerAuth], controller.Noc.Extensions.OfType<ExtendedKeyUsageExtension>().Single().Purposes);
    }

    [Fact]
    public void A_restored_fabric_keeps_issuing_under_the_same_root()
    {
        var restored = FabricAuthority.Restore(FabricId, _fabric.ExportRootKeyPkcs8(), _fabric.RootCertificate.ToDer());

        Assert.True(restored.IsOk, restored.Error?.ToString());
        using var fabric = restored.Value!;
        using var deviceKey = EcdsaP256.CreateKey();
        Assert.True(fabric.IssueNoc(EcdsaP256.PublicKeyOf(deviceKey), 9).IsSignedBy(_fabric.RootCertificate.PublicKey));
        Assert.Equal(_fabric.RcacId, fabric.RcacId);
    }

    [Fact]
    public void Restoring_with_a_key_from_another_fabric_is_refused()
    {
        using var other = FabricAuthority.Create(FabricId, RcacId);

        var restored = FabricAuthority.Restore(FabricId, other.ExportRootKeyPkcs8(), _fabric.RootCertificate.ToDer());

        Assert.Equal(CryptoErrorKind.InvalidSignature, restored.Error?.Kind);
    }

    [Fact]
    public void Node_ids_and_cats_outside_the_spec_are_programming_errors()
    {
        using var key = EcdsaP256.CreateKey();
        var publicKey = EcdsaP256.PublicKeyOf(key);

        Assert.Throws<ArgumentOutOfRangeException>(() => _fabric.IssueNoc(publicKey, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => _fabric.IssueNoc(publicKey, 0xFFFF_FFFF_0000_0001));
        Assert.Throws<ArgumentException>(() => _fabric.IssueNoc(publicKey, 1, [0x0001_0001, 0x0002_0001, 0x0003_0001, 0x0004_0001]));
        Assert.Throws<ArgumentException>(() => _fabric.IssueNoc(publicKey, 1, [0x0001_0001, 0x0001_0002]));
        Assert.Throws<ArgumentException>(() => _fabric.IssueNoc(publicKey, 1, [0x0001_0000]));
    }

    private static byte[] DeviceCsr(ECDsa key) =>
        new CertificateRequest("O=CSR", key, HashAlgorithmName.SHA256).CreateSigningRequest();

    /// <summary>CertificationRequest = SEQUENCE { info, algorithm, signature }: one's info, the other's signature.</summary>
    private static byte[] Splice(byte[] infoSource, byte[] signatureSource)
    {
        var info = new AsnReader(infoSource, AsnEncodingRules.DER).ReadSequence().ReadEncodedValue();
        var signed = new AsnReader(signatureSource, AsnEncodingRules.DER).ReadSequence();
        signed.ReadEncodedValue();
        var algorithm = signed.ReadEncodedValue();
        var signature = signed.ReadEncodedValue();
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteEncodedValue(info.Span);
            writer.WriteEncodedValue(algorithm.Span);
            writer.WriteEncodedValue(signature.Span);
        }

        return writer.Encode();
    }

    private static List<X509ChainStatusFlags> ChainErrors(X509Certificate2 leaf, X509Certificate2 root)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.Build(leaf);
        return chain.ChainStatus.Select(s => s.Status).Where(s => s != X509ChainStatusFlags.NoError).ToList();
    }
}
