using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CommissioningActors.Protocol.Matter.Crypto;
using CommissioningActors.Protocol.Matter.SecureChannel;

namespace CommissioningActors.Protocol.Matter.Certificates;

/// <summary>What AddNOC sends: the NOC (TLV), no ICAC (sent as an empty byte string), and the IPK epoch key. Secret: never log.</summary>
public sealed record IssuedNoc(byte[] NocTlv, byte[] IpkEpochKey, MatterCertificate Noc)
{
    public override string ToString() => $"IssuedNoc(node {Noc.SubjectId(DnAttributeType.MatterNodeId):X16}, {NocTlv.Length} B)";
}

/// <summary>
/// One call per commissioning step for the flow actor: the TLV it sends and the checks on what the device
/// answered. Thread-safe (holds only read-only trust stores); results are <see cref="CryptoResult{T}"/>.
/// </summary>
public sealed class CommissioningCredentials(PaaTrustStore paas, CertificationDeclarationSigners? cdSigners = null, TimeProvider? time = null)
{
    public const int IpkEpochKeyLength = 16;

    private readonly CertificationDeclarationSigners _cdSigners = cdSigners ?? CertificationDeclarationSigners.Default;
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>A fresh IPK epoch key for a new fabric (the fabric store keeps it with the root key).</summary>
    public static byte[] NewIpkEpochKey() => RandomNumberGenerator.GetBytes(IpkEpochKeyLength);

    /// <summary>AddTrustedRootCertificate's rootCACertificate: our RCAC in Matter TLV.</summary>
    public static byte[] BuildAddTrustedRoot(FabricAuthority fabric)
    {
        ArgumentNullException.ThrowIfNull(fabric);
        return MatterCertificateTlv.Encode(fabric.RootCertificate);
    }

    /// <summary>
    /// Step "CSR -> AddNOC": the NOCSR elements must echo our CSR nonce and be signed (with the attestation
    /// challenge) by the DAC key; the CSR must be self-signed. Returns the NOC for <paramref name="nodeId"/>.
    /// </summary>
    public static CryptoResult<IssuedNoc> IssueNocFor(
        ReadOnlySpan<byte> nocsrElements,
        ReadOnlySpan<byte> attestationSignature,
        ulong nodeId,
        FabricAuthority fabric,
        ReadOnlySpan<byte> ipkEpochKey,
        ReadOnlySpan<byte> csrNonce,
        ReadOnlySpan<byte> attestationChallenge,
        ReadOnlySpan<byte> dac,
        IReadOnlyList<uint>? caseAuthenticatedTags = null)
    {
        ArgumentNullException.ThrowIfNull(fabric);
        if (ipkEpochKey.Length != IpkEpochKeyLength)
        {
            throw new ArgumentException($"the IPK epoch key must be {IpkEpochKeyLength} bytes", nameof(ipkEpochKey));
        }

        if (nodeId is 0 or > FabricAuthority.MaxOperationalNodeId)
        {
            throw new ArgumentOutOfRangeException(nameof(nodeId), "not an operational node id");
        }

        var elements = NocsrElements.Parse(nocsrElements, csrNonce);
        if (!elements.IsOk)
        {
            return elements.Error!;
        }

        if (!SignedByDac(dac, nocsrElements, attestationChallenge, attestationSignature))
        {
            return CryptoResult<IssuedNoc>.Fail(CryptoErrorKind.InvalidSignature, "the NOCSR elements are not signed by the device's DAC key");
        }

        var noc = fabric.IssueNocFromCsr(elements.Value!.Csr, nodeId, caseAuthenticatedTags);
        return noc.IsOk
            ? CryptoResult<IssuedNoc>.Ok(new IssuedNoc(MatterCertificateTlv.Encode(noc.Value!), ipkEpochKey.ToArray(), noc.Value!))
            : noc.Error!;
    }

    /// <summary>Step "device attestation": chain, signature, nonce, certification declaration, vendor/product.</summary>
    public CryptoResult<AttestationResult> VerifyAttestation(
        ReadOnlySpan<byte> dac,
        ReadOnlySpan<byte> pai,
        ReadOnlySpan<byte> attestationElements,
        ReadOnlySpan<byte> attestationSignature,
        ReadOnlySpan<byte> attestationChallenge,
        ReadOnlySpan<byte> attestationNonce,
        DeviceBasicInformation? basicInformation) =>
        AttestationVerifier.Verify(paas, _cdSigners, dac, pai, attestationElements, attestationSignature,
            attestationChallenge, attestationNonce, basicInformation, _time.GetUtcNow());

    /// <summary>CASE: the validator for peers of <paramref name="fabric"/>.</summary>
    public CaseCertificateValidator CaseValidatorFor(FabricAuthority fabric) => MatterCertificateValidator.For(fabric, _time).AsDelegate();

    private static bool SignedByDac(ReadOnlySpan<byte> dac, ReadOnlySpan<byte> elements, ReadOnlySpan<byte> challenge, ReadOnlySpan<byte> signature)
    {
        if (dac.IsEmpty || dac.Length > DeviceAttestation.MaxCertificateLength || signature.Length != EcdsaP256.RawSignatureLength)
        {
            return false;
        }

        try
        {
            using var certificate = X509CertificateLoader.LoadCertificate(dac);
            using var key = certificate.GetECDsaPublicKey();
            return key is { KeySize: 256 } &&
                key.VerifyData([.. elements, .. challenge], signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
