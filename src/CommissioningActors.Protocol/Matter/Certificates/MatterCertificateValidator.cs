using CommissioningActors.Protocol.Matter.Crypto;
using CommissioningActors.Protocol.Matter.SecureChannel;

namespace CommissioningActors.Protocol.Matter.Certificates;

/// <summary>
/// Checks a CASE peer's NOC (TLV) and optional ICAC (TLV) against our trusted RCAC: NOC -> [ICAC ->] RCAC
/// signatures and issuer names, CA flags, the fabric id (NOC, and every CA that names one, equal to ours) and a
/// valid operational node id. Returns the peer's identity and public key. Plug <see cref="Validate"/> into
/// <see cref="CaseInitiator"/> as its <see cref="CaseCertificateValidator"/>.
/// </summary>
public sealed class MatterCertificateValidator
{
    private readonly MatterCertificate _root;
    private readonly ulong _fabricId;
    private readonly TimeProvider _time;

    public MatterCertificateValidator(MatterCertificate root, ulong fabricId, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(root);
        _root = root;
        _fabricId = fabricId;
        _time = time ?? TimeProvider.System;
    }

    public static MatterCertificateValidator For(FabricAuthority fabric, TimeProvider? time = null) =>
        new(fabric.RootCertificate, fabric.FabricId, time);

    public CaseCertificateValidator AsDelegate() => Validate;

    public CryptoResult<CasePeerIdentity> Validate(ReadOnlyMemory<byte> noc, ReadOnlyMemory<byte>? icac)
    {
        var peer = MatterCertificateTlv.Decode(noc.Span);
        if (!peer.IsOk)
        {
            return Fail(CryptoErrorKind.Malformed, $"peer NOC: {peer.Error!.Message}");
        }

        var issuer = _root;
        if (icac is { Length: > 0 } icacBytes)
        {
            var intermediate = MatterCertificateTlv.Decode(icacBytes.Span);
            if (!intermediate.IsOk)
            {
                return Fail(CryptoErrorKind.Malformed, $"peer ICAC: {intermediate.Error!.Message}");
            }

            var icacProblem = CheckLink(intermediate.Value!, _root, "ICAC", expectCa: true)
                ?? CheckFabric(intermediate.Value!, "ICAC");
            if (icacProblem is not null)
            {
                return icacProblem;
            }

            issuer = intermediate.Value!;
        }

        var certificate = peer.Value!;
        var problem = CheckLink(certificate, issuer, "NOC", expectCa: false) ?? CheckFabric(_root, "RCAC");
        if (problem is not null)
        {
            return problem;
        }

        var nodeId = certificate.SubjectId(DnAttributeType.MatterNodeId);
        var fabricId = certificate.SubjectId(DnAttributeType.MatterFabricId);
        if (nodeId is not { } node || node == 0 || node > FabricAuthority.MaxOperationalNodeId)
        {
            return Fail(CryptoErrorKind.UntrustedChain, "peer NOC has no operational node id");
        }

        if (fabricId != _fabricId)
        {
            return Fail(CryptoErrorKind.UntrustedChain, "peer NOC belongs to another fabric");
        }

        if (!certificate.KeyUsage.HasFlag(KeyUsages.DigitalSignature))
        {
            return Fail(CryptoErrorKind.UntrustedChain, "peer NOC key may not sign");
        }

        return CryptoResult<CasePeerIdentity>.Ok(new CasePeerIdentity(certificate.PublicKey, node, _fabricId));
    }

    private CryptoError? CheckLink(MatterCertificate child, MatterCertificate parent, string what, bool expectCa)
    {
        if ((child.BasicConstraints?.IsCa ?? false) != expectCa)
        {
            return new CryptoError(CryptoErrorKind.UntrustedChain, expectCa ? $"{what} is not a CA" : $"{what} is a CA");
        }

        if (!child.Issuer.SequenceEqual(parent.Subject))
        {
            return new CryptoError(CryptoErrorKind.UntrustedChain, $"{what} issuer does not name its issuing certificate");
        }

        if (child.NotAfter is { } notAfter && notAfter < _time.GetUtcNow())
        {
            return new CryptoError(CryptoErrorKind.UntrustedChain, $"{what} has expired");
        }

        return child.IsSignedBy(parent.PublicKey)
            ? null
            : new CryptoError(CryptoErrorKind.InvalidSignature, $"{what} signature does not verify under its issuer");
    }

    private CryptoError? CheckFabric(MatterCertificate ca, string what) =>
        ca.SubjectId(DnAttributeType.MatterFabricId) is { } id && id != _fabricId
            ? new CryptoError(CryptoErrorKind.UntrustedChain, $"{what} names another fabric")
            : null;

    private static CryptoResult<CasePeerIdentity> Fail(CryptoErrorKind kind, string message) =>
        CryptoResult<CasePeerIdentity>.Fail(kind, message);
}
