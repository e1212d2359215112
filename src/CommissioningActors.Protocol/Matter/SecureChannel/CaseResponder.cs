using System.Security.Cryptography;
using CommissioningActors.Protocol.Matter.Crypto;
using CommissioningActors.Protocol.Matter.Messages;

namespace CommissioningActors.Protocol.Matter.SecureChannel;

/// <summary>
/// The device's side of CASE (for simulated devices): answers a Sigma1 addressed to us (destination id under our
/// IPK, root, fabric and node id) with Sigma2, then checks Sigma3 (the initiator's certificates through the
/// validator, its signature) and ends with StatusReport success. A Sigma1 for someone else gets
/// NoSharedTrustRoots. Resumption is not offered: a resumption request is answered with a full Sigma2.
/// </summary>
public sealed class CaseResponder : CaseHandshake
{
    private readonly ulong _localNodeId;
    private byte[] _sigma1 = [];
    private byte[] _sigma2 = [];
    private byte[] _sharedSecret = [];
    private byte[] _initiatorEphPubKey = [];
    private State _state = State.AwaitingSigma1;

    public CaseResponder(
        CaseFabric fabric,
        ulong localNodeId,
        ushort localSessionId,
        CaseCertificateValidator validator,
        SecureSessionParameters? localParameters = null,
        Func<int, byte[]>? random = null)
        : base(fabric, localSessionId, validator, localParameters, random)
    {
        _localNodeId = localNodeId;
    }

    private enum State
    {
        AwaitingSigma1,
        AwaitingSigma3,
        Finished,
    }

    public bool IsFinished => _state == State.Finished;

    public SessionStep Receive(byte opcode, ReadOnlyMemory<byte> payload)
    {
        var expected = _state switch
        {
            State.AwaitingSigma1 => SecureChannelOpcode.Sigma1,
            State.AwaitingSigma3 => SecureChannelOpcode.Sigma3,
            _ => (SecureChannelOpcode?)null,
        };
        SessionStep step;
        if (expected is null)
        {
            step = new SessionStep(null, new SessionFailed(SessionFailureKind.InvalidMessage, "CASE has already finished"));
        }
        else if (opcode == (byte)SecureChannelOpcode.StatusReport)
        {
            var status = StatusReport.Decode(payload);
            step = new SessionStep(null, new SessionFailed(SessionFailureKind.PeerRejected,
                status.IsOk ? $"the initiator ended CASE: {status.Value}" : "the initiator ended CASE", status.Value));
        }
        else if (opcode != (byte)expected)
        {
            step = Invalid($"expected {expected}, got opcode 0x{opcode:X2}");
        }
        else
        {
            step = _state == State.AwaitingSigma1 ? OnSigma1(payload) : OnSigma3(payload);
        }

        if (step.Outcome is not null)
        {
            _state = State.Finished;
            CryptographicOperations.ZeroMemory(_sharedSecret);
        }

        return step;
    }

    private SessionStep OnSigma1(ReadOnlyMemory<byte> payload)
    {
        var decoded = Sigma1.Decode(payload);
        if (!decoded.IsOk)
        {
            return Invalid(decoded.Error!.Message);
        }

        var sigma1 = decoded.Value!;
        var ours = CaseKeySchedule.DestinationId(_fabric.OperationalIpk, sigma1.InitiatorRandom, _fabric.RootPublicKey, _fabric.FabricId, _localNodeId);
        if (!CryptographicOperations.FixedTimeEquals(ours, sigma1.DestinationId))
        {
            return new SessionStep(
                SecureChannelSend.Status(new StatusReport(GeneralStatusCode.Failure, MatterProtocolId.SecureChannel, (ushort)SecureChannelStatusCode.NoSharedTrustRoots)),
                new SessionFailed(SessionFailureKind.AuthenticationFailed, "Sigma1 is addressed to a node or fabric we are not"));
        }

        var shared = CaseEcdh.SharedSecret(_ephemeral, sigma1.InitiatorEphPubKey);
        if (!shared.IsOk)
        {
            return Invalid($"Sigma1: {shared.Error!.Message}");
        }

        _sigma1 = payload.ToArray();
        _sharedSecret = shared.Value!;
        _initiatorEphPubKey = sigma1.InitiatorEphPubKey;
        _peerSessionId = sigma1.InitiatorSessionId;
        _peerParameters = sigma1.SessionParameters ?? SecureSessionParameters.Defaults;

        var random = _random(CaseSizes.Random);
        var signed = CaseTbeData.SignedData(_fabric.Noc, _fabric.Icac, _ephemeralPublic, _initiatorEphPubKey);
        var tbe = new CaseTbeData(_fabric.Noc, _fabric.Icac, EcdsaP256.SignRaw(_fabric.NocKey, signed), _random(CaseSizes.ResumptionId)).Encode();
        var s2k = CaseKeySchedule.Sigma2Key(_sharedSecret, _fabric.OperationalIpk, random, _ephemeralPublic, _sigma1);
        _sigma2 = new Sigma2(random, _localSessionId, _ephemeralPublic, CaseKeySchedule.Encrypt(s2k, CaseKeySchedule.Sigma2Nonce, tbe), _localParameters).Encode();
        CryptographicOperations.ZeroMemory(s2k);
        _state = State.AwaitingSigma3;
        return SessionStep.Sending(new SecureChannelSend(SecureChannelOpcode.Sigma2, _sigma2));
    }

    private SessionStep OnSigma3(ReadOnlyMemory<byte> payload)
    {
        var decoded = Sigma3.Decode(payload);
        if (!decoded.IsOk)
        {
            return Invalid(decoded.Error!.Message);
        }

        var s3k = CaseKeySchedule.Sigma3Key(_sharedSecret, _fabric.OperationalIpk, _sigma1, _sigma2);
        var plain = CaseKeySchedule.Decrypt(s3k, CaseKeySchedule.Sigma3Nonce, decoded.Value!.Encrypted3);
        CryptographicOperations.ZeroMemory(s3k);
        if (plain is null)
        {
            return Fail(SessionFailureKind.AuthenticationFailed, "Sigma3 does not decrypt");
        }

        var tbe = CaseTbeData.Decode(plain, sigma2: false);
        if (!tbe.IsOk)
        {
            return Invalid(tbe.Error!.Message);
        }

        var identity = _validator(tbe.Value!.Noc, tbe.Value.Icac);
        if (!identity.IsOk)
        {
            return Fail(SessionFailureKind.AuthenticationFailed, $"the initiator's certificates are not trusted: {identity.Error!.Message}");
        }

        if (identity.Value!.FabricId != _fabric.FabricId)
        {
            return Fail(SessionFailureKind.AuthenticationFailed, "the initiator's NOC is for another fabric");
        }

        var signed = CaseTbeData.SignedData(tbe.Value.Noc, tbe.Value.Icac, _initiatorEphPubKey, _ephemeralPublic);
        if (!EcdsaP256.VerifyRaw(identity.Value.PublicKey, signed, tbe.Value.Signature))
        {
            return Fail(SessionFailureKind.AuthenticationFailed, "the initiator's Sigma3 signature does not verify with its NOC's key");
        }

        var keys = CaseKeySchedule.SessionKeys(_sharedSecret, _fabric.OperationalIpk, _sigma1, _sigma2, payload.Span);
        return new SessionStep(
            SecureChannelSend.Status(StatusReport.SessionEstablishmentSuccess),
            new SessionEstablished(_localSessionId, _peerSessionId, false, keys, _peerParameters, identity.Value.NodeId));
    }

    public override string ToString() => $"CaseResponder(session {_localSessionId}, {_state})";
}
