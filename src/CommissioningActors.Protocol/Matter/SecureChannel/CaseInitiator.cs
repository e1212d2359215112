using System.Security.Cryptography;
using CommissioningActors.Protocol.Matter.Crypto;
using CommissioningActors.Protocol.Matter.Messages;

namespace CommissioningActors.Protocol.Matter.SecureChannel;

/// <summary>Our side of a fabric for CASE: operational IPK, root key, fabric id, our NOC (and ICAC) and its key. Secret: never log.</summary>
public sealed record CaseFabric(byte[] OperationalIpk, byte[] RootPublicKey, ulong FabricId, byte[] Noc, byte[]? Icac, ECDsa NocKey)
{
    public override string ToString() => $"CaseFabric(fabric {FabricId:X16})";
}

/// <summary>Who a peer's NOC says it is, once its chain verified to our root.</summary>
public sealed record CasePeerIdentity(byte[] PublicKey, ulong NodeId, ulong FabricId);

/// <summary>
/// Checks the peer's NOC (and ICAC) against our fabric's root and returns the NOC's subject and public key, or
/// an error whose message says why (no certificate bytes in it). Supplied by the certificates layer.
/// </summary>
public delegate CryptoResult<CasePeerIdentity> CaseCertificateValidator(ReadOnlyMemory<byte> noc, ReadOnlyMemory<byte>? icac);

/// <summary>
/// The CASE initiator (spec 4.14.2) as a pure state machine over one exchange: Sigma1, then Sigma2 in (decrypt,
/// validate the peer's certificates through the delegate, verify its signature), Sigma3 out, then the peer's
/// StatusReport gives the session. No resumption (always a full Sigma1).
/// </summary>
public sealed class CaseInitiator : CaseHandshake
{
    private readonly ulong _peerNodeId;
    private byte[]? _sigma1;
    private byte[]? _sigma2;
    private byte[]? _sigma3;
    private byte[]? _sharedSecret;
    private State _state = State.New;

    public CaseInitiator(
        CaseFabric fabric,
        ulong peerNodeId,
        ushort localSessionId,
        CaseCertificateValidator validator,
        SecureSessionParameters? localParameters = null,
        Func<int, byte[]>? random = null)
        : base(fabric, localSessionId, validator, localParameters, random)
    {
        _peerNodeId = peerNodeId;
    }

    private enum State
    {
        New,
        AwaitingSigma2,
        AwaitingStatus,
        Finished,
    }

    public bool IsFinished => _state == State.Finished;

    public SecureChannelSend Start()
    {
        if (_state != State.New)
        {
            throw new InvalidOperationException("CASE has already started");
        }

        var random = _random(CaseSizes.Random);
        var destination = CaseKeySchedule.DestinationId(_fabric.OperationalIpk, random, _fabric.RootPublicKey, _fabric.FabricId, _peerNodeId);
        _sigma1 = new Sigma1(random, _localSessionId, destination, _ephemeralPublic, _localParameters).Encode();
        _state = State.AwaitingSigma2;
        return new SecureChannelSend(SecureChannelOpcode.Sigma1, _sigma1);
    }

    public SessionStep Receive(byte opcode, ReadOnlyMemory<byte> payload)
    {
        var expected = _state switch
        {
            State.AwaitingSigma2 => SecureChannelOpcode.Sigma2,
            State.AwaitingStatus => SecureChannelOpcode.StatusReport,
            State.New => throw new InvalidOperationException("Call Start first"),
            _ => (SecureChannelOpcode?)null,
        };
        SessionStep step;
        if (expected is null)
        {
            step = new SessionStep(null, new SessionFailed(SessionFailureKind.InvalidMessage, "CASE has already finished"));
        }
        else if (opcode == (byte)SecureChannelOpcode.StatusReport)
        {
            step = OnStatus(payload);
        }
        else
        {
            step = opcode == (byte)expected ? OnSigma2(payload) : Invalid($"expected {expected}, got opcode 0x{opcode:X2}");
        }

        if (step.Outcome is not null)
        {
            _state = State.Finished;
            if (_sharedSecret is not null)
            {
                CryptographicOperations.ZeroMemory(_sharedSecret);
            }
        }

        return step;
    }

    private SessionStep OnSigma2(ReadOnlyMemory<byte> payload)
    {
        var decoded = Sigma2.Decode(payload);
        if (!decoded.IsOk)
        {
            return Invalid(decoded.Error!.Message);
        }

        var sigma2 = decoded.Value!;
        var shared = CaseEcdh.SharedSecret(_ephemeral, sigma2.ResponderEphPubKey);
        if (!shared.IsOk)
        {
            return Invalid($"Sigma2: {shared.Error!.Message}");
        }

        _sharedSecret = shared.Value!;
        var s2k = CaseKeySchedule.Sigma2Key(_sharedSecret, _fabric.OperationalIpk, sigma2.ResponderRandom, sigma2.ResponderEphPubKey, _sigma1);
        var plain = CaseKeySchedule.Decrypt(s2k, CaseKeySchedule.Sigma2Nonce, sigma2.Encrypted2);
        CryptographicOperations.ZeroMemory(s2k);
        if (plain is null)
        {
            return Fail(SessionFailureKind.AuthenticationFailed, "Sigma2 does not decrypt: the device does not share our IPK or the message was altered");
        }

        var tbe = CaseTbeData.Decode(plain, sigma2: true);
        if (!tbe.IsOk)
        {
            return Invalid(tbe.Error!.Message);
        }

        var identity = _validator(tbe.Value!.Noc, tbe.Value.Icac);
        if (!identity.IsOk)
        {
            return Fail(SessionFailureKind.AuthenticationFailed, $"the device's certificates are not trusted: {identity.Error!.Message}");
        }

        var peer = identity.Value!;
        if (peer.FabricId != _fabric.FabricId || peer.NodeId != _peerNodeId)
        {
            return Fail(SessionFailureKind.AuthenticationFailed,
                $"the device's NOC names node {peer.NodeId:X16} on fabric {peer.FabricId:X16}, not the node {_peerNodeId:X16} we asked for");
        }

        var signed = CaseTbeData.SignedData(tbe.Value.Noc, tbe.Value.Icac, sigma2.ResponderEphPubKey, _ephemeralPublic);
        if (!EcdsaP256.VerifyRaw(peer.PublicKey, signed, tbe.Value.Signature))
        {
            return Fail(SessionFailureKind.AuthenticationFailed, "the device's Sigma2 signature does not verify with its NOC's key");
        }

        _sigma2 = payload.ToArray();
        _peerSessionId = sigma2.ResponderSessionId;
        _peerParameters = sigma2.SessionParameters ?? SecureSessionParameters.Defaults;

        var ours = CaseTbeData.SignedData(_fabric.Noc, _fabric.Icac, _ephemeralPublic, sigma2.ResponderEphPubKey);
        var tbe3 = new CaseTbeData(_fabric.Noc, _fabric.Icac, EcdsaP256.SignRaw(_fabric.NocKey, ours), null).Encode();
        var s3k = CaseKeySchedule.Sigma3Key(_sharedSecret, _fabric.OperationalIpk, _sigma1, _sigma2);
        _sigma3 = new Sigma3(CaseKeySchedule.Encrypt(s3k, CaseKeySchedule.Sigma3Nonce, tbe3)).Encode();
        CryptographicOperations.ZeroMemory(s3k);
        _state = State.AwaitingStatus;
        return SessionStep.Sending(new SecureChannelSend(SecureChannelOpcode.Sigma3, _sigma3));
    }

    private SessionStep OnStatus(ReadOnlyMemory<byte> payload)
    {
        var decoded = StatusReport.Decode(payload);
        if (!decoded.IsOk)
        {
            return Invalid($"StatusReport: {decoded.Error!.Message}");
        }

        var status = decoded.Value!;
        if (_state != State.AwaitingStatus || !PaseInitiator.IsEstablishmentSuccess(status))
        {
            var noRoot = status.Protocol == MatterProtocolId.SecureChannel
                && status.ProtocolCode == (ushort)SecureChannelStatusCode.NoSharedTrustRoots;
            return new SessionStep(null, new SessionFailed(SessionFailureKind.PeerRejected,
                noRoot ? $"the device shares no trusted root with us: {status}" : $"the device ended CASE: {status}", status));
        }

        var keys = CaseKeySchedule.SessionKeys(_sharedSecret, _fabric.OperationalIpk, _sigma1, _sigma2, _sigma3);
        return new SessionStep(null, new SessionEstablished(_localSessionId, _peerSessionId, true, keys, _peerParameters, _peerNodeId));
    }

    public override string ToString() => $"CaseInitiator(session {_localSessionId}, {_state})";
}

/// <summary>P-256 ECDH with keys as 65-byte uncompressed points.</summary>
public static class CaseEcdh
{
    public static byte[] PublicKeyOf(ECDiffieHellman key)
    {
        var q = key.ExportParameters(false).Q;
        return [0x04, .. q.X!, .. q.Y!];
    }

    /// <summary>The raw shared secret (the x coordinate), after checking the peer's point.</summary>
    public static CryptoResult<byte[]> SharedSecret(ECDiffieHellman ours, ReadOnlySpan<byte> peerPublicKey)
    {
        var point = P256.DecodePeerPoint(peerPublicKey, "the peer's ephemeral key");
        if (!point.IsOk)
        {
            return point.Error!;
        }

        using var peer = ECDiffieHellman.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = peerPublicKey.Slice(1, 32).ToArray(), Y = peerPublicKey.Slice(33, 32).ToArray() },
        });
        return CryptoResult<byte[]>.Ok(ours.DeriveRawSecretAgreement(peer.PublicKey));
    }
}
