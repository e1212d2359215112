using System.Security.Cryptography;
using CommissioningActors.Protocol.Matter.Crypto;
using CommissioningActors.Protocol.Matter.Messages;
using CommissioningActors.Protocol.Matter.SecureChannel;

namespace CommissioningActors.Protocol.Tests.Matter.SecureChannel;

/// <summary>
/// The CASE initiator against a responder written here from the spec (the device side, with opaque stand-in
/// certificates: the validator delegate is where the certificates layer plugs in).
/// </summary>
public sealed class CaseInitiatorTests : IDisposable
{
    private const ulong FabricId = 0x2906C908D115D362;
    private const ulong DeviceNodeId = 0x55;
    private const ulong ControllerNodeId = 0x1122;

    private readonly ECDsa _rootKey = EcdsaP256.CreateKey();
    private readonly ECDsa _controllerKey = EcdsaP256.CreateKey();
    private readonly ECDsa _deviceKey = EcdsaP256.CreateKey();
    private readonly byte[] _ipk = CaseKeySchedule.OperationalIpk(RandomNumberGenerator.GetBytes(16), new byte[8]);

    public void Dispose()
    {
        _rootKey.Dispose();
        _controllerKey.Dispose();
        _deviceKey.Dispose();
    }

    [Fact]
    public void Initiator_and_responder_agree_on_session_keys_and_sessions()
    {
        using var initiator = NewInitiator(Validator());
        var device = new TestCaseResponder(this, 0x0BEE);

        var sigma2 = device.OnSigma1(initiator.Start().Payload);
        var sigma3 = initiator.Receive((byte)SecureChannelOpcode.Sigma2, sigma2).Send!;
        Assert.Equal(SecureChannelOpcode.Sigma3, sigma3.Opcode);
        var deviceKeys = device.OnSigma3(sigma3.Payload);
        var step = initiator.Receive((byte)SecureChannelOpcode.StatusReport, StatusReport.SessionEstablishmentSuccess.Encode());

        var session = Assert.IsType<SessionEstablished>(step.Outcome);
        Assert.Equal((ushort)0x0BEE, session.PeerSessionId);
        Assert.Equal((ushort)0x0ACE, session.LocalSessionId);
        Assert.Equal(deviceKeys.I2RKey, session.Keys.I2RKey);
        Assert.Equal(deviceKeys.R2IKey, session.Keys.R2IKey);
        Assert.Equal(deviceKeys.AttestationChallenge, session.Keys.AttestationChallenge);
        Assert.True(device.InitiatorSignatureVerified);
        Assert.Equal(SecureSessionParameters.Ours, session.PeerParameters);
    }

    [Fact]
    public void Certificates_the_validator_rejects_fail_authentication_with_its_reason()
    {
        using var initiator = NewInitiator((_, _) => CryptoResult<CasePeerIdentity>.Fail(CryptoErrorKind.InvalidParameter, "NOC is not signed by our root"));
        var device = new TestCaseResponder(this, 1);

        var step = initiator.Receive((byte)SecureChannelOpcode.Sigma2, device.OnSigma1(initiator.Start().Payload));

        var failed = Assert.IsType<SessionFailed>(step.Outcome);
        Assert.Equal(SessionFailureKind.AuthenticationFailed, failed.Kind);
        Assert.Contains("NOC is not signed by our root", failed.Reason);
        Assert.Equal(SecureChannelOpcode.StatusReport, step.Send!.Opcode);
    }

    [Fact]
    public void A_noc_for_another_node_or_a_signature_by_another_key_fails_authentication()
    {
        using (var initiator = NewInitiator(Validator(nodeId: DeviceNodeId + 1)))
        {
            var step = initiator.Receive((byte)SecureChannelOpcode.Sigma2, new TestCaseResponder(this, 1).OnSigma1(initiator.Start().Payload));
            Assert.Contains("not the node", Assert.IsType<SessionFailed>(step.Outcome).Reason);
        }

        using var impostorKey = EcdsaP256.CreateKey();
        using var other = NewInitiator(Validator());
        var impostor = new TestCaseResponder(this, 1) { SigningKey = impostorKey };
        var result = other.Receive((byte)SecureChannelOpcode.Sigma2, impostor.OnSigma1(other.Start().Payload));
        var failed = Assert.IsType<SessionFailed>(result.Outcome);
        Assert.Equal(SessionFailureKind.AuthenticationFailed, failed.Kind);
        Assert.Contains("signature does not verify", failed.Reason);
    }

    [Fact]
    public void A_tampered_sigma2_or_a_device_without_our_ipk_does_not_decrypt()
    {
        using var initiator = NewInitiator(Validator());
        var sigma2 = Sigma2.Decode(new TestCaseResponder(this, 1).OnSigma1(initiator.Start().Payload)).Value!;
        sigma2.Encrypted2[3] ^= 0x40;

        var step = initiator.Receive((byte)SecureChannelOpcode.Sigma2, sigma2.Encode());

        var failed = Assert.IsType<SessionFailed>(step.Outcome);
        Assert.Equal(SessionFailureKind.AuthenticationFailed, failed.Kind);
        Assert.Contains("does not decrypt", failed.Reason);
    }

    [Fact]
    public void A_device_without_our_root_answers_sigma1_with_no_shared_trust_roots()
    {
        using var initiator = NewInitiator(Validator());
        initiator.Start();
        var noRoot = new StatusReport(GeneralStatusCode.Failure, MatterProtocolId.SecureChannel, (ushort)SecureChannelStatusCode.NoSharedTrustRoots);

        var step = initiator.Receive((byte)SecureChannelOpcode.StatusReport, noRoot.Encode());

        var failed = Assert.IsType<SessionFailed>(step.Outcome);
        Assert.Equal(SessionFailureKind.PeerRejected, failed.Kind);
        Assert.Contains("no trusted root", failed.Reason);
        Assert.Null(step.Send);
        Assert.True(initiator.IsFinished);
    }

    [Fact]
    public void Sigma_codecs_round_trip_and_refuse_bad_fields()
    {
        var key = EcdsaP256.PublicKeyOf(_deviceKey);
        var sigma1 = new Sigma1(new byte[32], 9, new byte[32], key, SecureSessionParameters.Ours);
        var decoded = Sigma1.Decode(sigma1.Encode()).Value!;
        Assert.Equal(sigma1.InitiatorSessionId, decoded.InitiatorSessionId);
        Assert.Equal(SecureSessionParameters.Ours, decoded.SessionParameters);

        Assert.Contains("come together", Sigma1.Decode((sigma1 with { ResumptionId = new byte[16] }).Encode()).Error!.Message);
        Assert.Contains("destinationId must be 32 bytes", Sigma1.Decode((sigma1 with { DestinationId = new byte[31] }).Encode()).Error!.Message);
        Assert.Contains("encrypted2 must be 17..1024 bytes, got 2000",
            Sigma2.Decode(new Sigma2(new byte[32], 1, key, new byte[2000], null).Encode()).Error!.Message);
        Assert.Contains("responderSessionId 0", Sigma2.Decode(new Sigma2(new byte[32], 0, key, new byte[40], null).Encode()).Error!.Message);
        Assert.Contains("NOC must be 1..400 bytes, got 401",
            CaseTbeData.Decode(new CaseTbeData(new byte[401], null, new byte[64], new byte[16]).Encode(), sigma2: true).Error!.Message);
        Assert.Contains("resumptionId (tag 4) is missing",
            CaseTbeData.Decode(new CaseTbeData(new byte[10], null, new byte[64], null).Encode(), sigma2: true).Error!.Message);
        Assert.True(CaseTbeData.Decode(new CaseTbeData(new byte[10], new byte[5], new byte[64], null).Encode(), sigma2: false).IsOk);

        var resume = Sigma2Resume.Decode(new Sigma2Resume(new byte[16], new byte[16], 77, SecureSessionParameters.Ours).Encode()).Value!;
        Assert.Equal((ushort)77, resume.ResponderSessionId);
        Assert.Contains("sigma2ResumeMIC must be 16 bytes, got 15",
            Sigma2Resume.Decode(new Sigma2Resume(new byte[16], new byte[15], 77, null).Encode()).Error!.Message);
    }

    private CaseInitiator NewInitiator(CaseCertificateValidator validator) =>
        new(new CaseFabric(_ipk, EcdsaP256.PublicKeyOf(_rootKey), FabricId, NocOf(ControllerNodeId), null, _controllerKey),
            DeviceNodeId, 0x0ACE, validator);

    /// <summary>Stand-in for the certificates layer: a "NOC" is its node id; the key is whose NOC it is.</summary>
    private CaseCertificateValidator Validator(ulong nodeId = DeviceNodeId) =>
        (noc, _) => CryptoResult<CasePeerIdentity>.Ok(new CasePeerIdentity(EcdsaP256.PublicKeyOf(_deviceKey), nodeId, FabricId));

    private static byte[] NocOf(ulong nodeId) => BitConverter.GetBytes(nodeId);

    /// <summary>The device's side of CASE from the spec, just enough to drive the initiator.</summary>
    private sealed class TestCaseResponder(CaseInitiatorTests test, ushort sessionId)
    {
        private readonly ECDiffieHellman _ephemeral = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        private byte[] _sigma1 = [];
        private byte[] _sigma2 = [];
        private byte[] _shared = [];
        private byte[] _initiatorKey = [];

        public ECDsa? SigningKey { get; init; }

        public bool InitiatorSignatureVerified { get; private set; }

        public byte[] OnSigma1(byte[] payload)
        {
            _sigma1 = payload;
            var sigma1 = Sigma1.Decode(payload).Value!;
            var expected = CaseKeySchedule.DestinationId(test._ipk, sigma1.InitiatorRandom, EcdsaP256.PublicKeyOf(test._rootKey), FabricId, DeviceNodeId);
            Assert.Equal(expected, sigma1.DestinationId);
            _initiatorKey = sigma1.InitiatorEphPubKey;
            _shared = CaseEcdh.SharedSecret(_ephemeral, sigma1.InitiatorEphPubKey).Value!;
            var ours = CaseEcdh.PublicKeyOf(_ephemeral);
            var random = RandomNumberGenerator.GetBytes(32);
            var noc = NocOf(DeviceNodeId);
            var signature = EcdsaP256.SignRaw(SigningKey ?? test._deviceKey, CaseTbeData.SignedData(noc, null, ours, _initiatorKey));
            var tbe = new CaseTbeData(noc, null, signature, RandomNumberGenerator.GetBytes(16)).Encode();
            var s2k = CaseKeySchedule.Sigma2Key(_shared, test._ipk, random, ours, _sigma1);
            _sigma2 = new Sigma2(random, sessionId, ours, CaseKeySchedule.Encrypt(s2k, CaseKeySchedule.Sigma2Nonce, tbe), SecureSessionParameters.Ours).Encode();
            return _sigma2;
        }

        public SessionKeys OnSigma3(byte[] payload)
        {
            var s3k = CaseKeySchedule.Sigma3Key(_shared, test._ipk, _sigma1, _sigma2);
            var tbe = CaseTbeData.Decode(CaseKeySchedule.Decrypt(s3k, CaseKeySchedule.Sigma3Nonce, Sigma3.Decode(payload).Value!.Encrypted3)!, sigma2: false).Value!;
            Assert.Equal(NocOf(ControllerNodeId), tbe.Noc);
            var signed = CaseTbeData.SignedData(tbe.Noc, tbe.Icac, _initiatorKey, CaseEcdh.PublicKeyOf(_ephemeral));
            InitiatorSignatureVerified = EcdsaP256.VerifyRaw(EcdsaP256.PublicKeyOf(test._controllerKey), signed, tbe.Signature);
            return CaseKeySchedule.SessionKeys(_shared, test._ipk, _sigma1, _sigma2, payload);
        }
    }
}
