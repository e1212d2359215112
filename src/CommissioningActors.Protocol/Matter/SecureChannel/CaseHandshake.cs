using System.Security.Cryptography;
using CommissioningActors.Protocol.Matter.Crypto;

namespace CommissioningActors.Protocol.Matter.SecureChannel;

/// <summary>
/// What both CASE roles hold for one handshake: our fabric, our session id and parameters, the certificate
/// validator, the randomness source and a fresh ephemeral P-256 key pair; plus what they learn of the peer.
/// </summary>
public abstract class CaseHandshake : IDisposable
{
    private protected readonly CaseFabric _fabric;
    private protected readonly ushort _localSessionId;
    private protected readonly CaseCertificateValidator _validator;
    private protected readonly SecureSessionParameters _localParameters;
    private protected readonly Func<int, byte[]> _random;
    private protected readonly ECDiffieHellman _ephemeral;
    private protected readonly byte[] _ephemeralPublic;
    private protected ushort _peerSessionId;
    private protected SecureSessionParameters _peerParameters = SecureSessionParameters.Defaults;

    private protected CaseHandshake(
        CaseFabric fabric,
        ushort localSessionId,
        CaseCertificateValidator validator,
        SecureSessionParameters? localParameters,
        Func<int, byte[]>? random)
    {
        if (localSessionId == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(localSessionId), "Session id 0 is reserved for unsecured messages");
        }

        _fabric = fabric;
        _localSessionId = localSessionId;
        _validator = validator;
        _localParameters = localParameters ?? SecureSessionParameters.Ours;
        _random = random ?? RandomNumberGenerator.GetBytes;
        _ephemeral = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        _ephemeralPublic = CaseEcdh.PublicKeyOf(_ephemeral);
    }

    /// <summary>Our last word after a failure: a StatusReport InvalidParameter to the peer, and why.</summary>
    private protected static SessionStep Fail(SessionFailureKind kind, string reason) =>
        new(SecureChannelSend.Status(PaseInitiator.InvalidParameterReport), new SessionFailed(kind, reason));

    private protected static SessionStep Invalid(string reason) => Fail(SessionFailureKind.InvalidMessage, reason);

    public void Dispose()
    {
        _ephemeral.Dispose();
        GC.SuppressFinalize(this);
    }
}
