using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CommissioningActors.Protocol.Matter.Certificates;
using CommissioningActors.Protocol.Matter.Crypto;
using CommissioningActors.Protocol.Matter.Tlv;
using static CommissioningActors.Protocol.Tests.Matter.Certificates.AttestationVectors;

namespace CommissioningActors.Protocol.Tests.Matter.Certificates;

/// <summary>The flow actor's view: each commissioning step as one call, run end to end on a test device.</summary>
public sealed class CommissioningCredentialsTests : IDisposable
{
    private static readonly byte[] Challenge = Enumerable.Range(7, 16).Select(i => (byte)i).ToArray();
    private static readonly byte[] AttestationNonce = RandomNumberGenerator.GetBytes(32);
    private static readonly byte[] CsrNonce = RandomNumberGenerator.GetBytes(32);
    private readonly PaaTrustStore _paas = PaaTrustStore.Load();
    private readonly FabricAuthority _fabric = FabricAuthority.Create(0xFAB000000000001D, 1);
    private readonly byte[] _ipk = CommissioningCredentials.NewIpkEpochKey();
    private readonly ECDsa _operationalKey = EcdsaP256.CreateKey();

    public void Dispose()
    {
        _paas.Dispose();
        _fabric.Dispose();
        _operationalKey.Dispose();
    }

    private static byte[] Dac => MatterCertificateVectors.Der(DacPem);

    private byte[] NocsrElements(byte[] nonce) => new TlvWriter().StartStructure(TlvTag.Anonymous)
        .WriteBytes(TlvTag.Context(1), new CertificateRequest("O=CSR", _operationalKey, HashAlgorithmName.SHA256).CreateSigningRequest())
        .WriteBytes(TlvTag.Context(2), nonce)
        .EndContainer().ToArray();

    [Fact]
    public void A_test_device_is_attested_issued_a_noc_and_then_accepted_by_case_validation()
    {
        var credentials = new CommissioningCredentials(_paas);

        var elements = AttestationVerifierTests.Elements(AttestationVerifierTests.Cms01, AttestationNonce);
        var attestation = credentials.VerifyAttestation(Dac, MatterCertificateVectors.Der(PaiPem), elements,
            AttestationVerifierTests.SignWithDac(elements, Challenge), Challenge, AttestationNonce, new DeviceBasicInformation(0xFFF1, 0x8000));
        Assert.True(attestation.IsOk, attestation.Error?.ToString());
        Assert.NotEmpty(attestation.Value!.Warnings);

        var rcac = CommissioningCredentials.BuildAddTrustedRoot(_fabric);
        Assert.Equal(_fabric.RootCertificate.ToDer(), MatterCertificateTlv.ToDer(rcac).Value);

        var nocsr = NocsrElements(CsrNonce);
        var issued = CommissioningCredentials.IssueNocFor(nocsr, AttestationVerifierTests.SignWithDac(nocsr, Challenge),
            nodeId: 1, _fabric, _ipk, CsrNonce, Challenge, Dac);
        Assert.True(issued.IsOk, issued.Error?.ToString());
        Assert.Equal(_ipk, issued.Value!.IpkEpochKey);
        Assert.DoesNotContain(Convert.ToHexString(_ipk), issued.Value.ToString(), StringComparison.OrdinalIgnoreCase);

        // Later, CASE with the device: it presents the NOC we issued.
        var peer = credentials.CaseValidatorFor(_fabric)(issued.Value.NocTlv, ReadOnlyMemory<byte>.Empty);
        Assert.True(peer.IsOk, peer.Error?.ToString());
        Assert.Equal(1ul, peer.Value!.NodeId);
        Assert.Equal(EcdsaP256.PublicKeyOf(_operationalKey), peer.Value.PublicKey);
    }

    [Fact]
    public void Nocsr_elements_not_signed_by_the_dac_get_no_noc()
    {
        var nocsr = NocsrElements(CsrNonce);
        using var otherKey = EcdsaP256.CreateKey();
        var forged = otherKey.SignData([.. nocsr, .. Challenge], HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

        var issued = CommissioningCredentials.IssueNocFor(nocsr, forged, 1, _fabric, _ipk, CsrNonce, Challenge, Dac);

        Assert.Equal(CryptoErrorKind.InvalidSignature, issued.Error?.Kind);
    }

    [Fact]
    public void Nocsr_elements_with_another_nonce_get_no_noc()
    {
        var nocsr = NocsrElements(new byte[32]);

        var issued = CommissioningCredentials.IssueNocFor(nocsr, AttestationVerifierTests.SignWithDac(nocsr, Challenge),
            1, _fabric, _ipk, CsrNonce, Challenge, Dac);

        Assert.Equal(CryptoErrorKind.ConfirmationFailed, issued.Error?.Kind);
    }

    [Fact]
    public void A_garbage_dac_is_a_signature_failure_not_an_exception()
    {
        var nocsr = NocsrElements(CsrNonce);

        var issued = CommissioningCredentials.IssueNocFor(nocsr, new byte[64], 1, _fabric, _ipk, CsrNonce, Challenge, [0x30, 0x03, 0x02, 0x01, 0x01]);

        Assert.Equal(CryptoErrorKind.InvalidSignature, issued.Error?.Kind);
    }
}
