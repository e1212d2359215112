using System.Security.Cryptography;
using CommissioningActors.Protocol.Matter.Crypto;
using CommissioningActors.Protocol.Matter.Messages;
using CommissioningActors.Protocol.Matter.SecureChannel;

namespace CommissioningActors.Protocol.Tests.Matter.SecureChannel;

/// <summary>Our CASE initiator against our CASE responder (what simulated devices will run).</summary>
public sealed class CaseResponderTests : IDisposable
{
    private const ulong FabricId = 0xFAB;
    private const ulong ControllerNodeId = 0x1122;
    private const ulong DeviceNodeId = 0x33;

    private readonly ECDsa _controllerKey = EcdsaP256.CreateKey();
    private readonly ECDsa _deviceKey = EcdsaP256.CreateKey();
    private readonly byte[] _rootPublicKey = EcdsaP256.PublicKeyOf(EcdsaP256.CreateKey());
    private readonly byte[] _ipk = RandomNumberGenerator.GetBytes(16);

    public void Dispose()
    {
        _controllerKey.Dispose();
        _deviceKey.Dispose();
    }

    [Fact]
    public void Both_sides_establish_matching_sessions_and_learn_each_others_node()
    {
        using var initiator = Initiator(DeviceNodeId);
        using var responder = Responder();

        var (ours, theirs) = Run(initiator, responder);

        var a = Assert.IsType<SessionEstablished>(ours);
        var b = Assert.IsType<SessionEstablished>(theirs);
        Assert.Equal(a.EncryptKey, b.DecryptKey);
        Assert.Equal(a.DecryptKey, b.EncryptKey);
        Assert.Equal(a.Keys.AttestationChallenge, b.Keys.AttestationChallenge);
        Assert.Equal((a.LocalSessionId, a.PeerSessionId), (b.PeerSessionId, b.LocalSessionId));
        Assert.Equal(DeviceNodeId, a.PeerNodeId);
        Assert.Equal(ControllerNodeId, b.PeerNodeId);
    }

    [Fact]
    public void A_sigma1_for_another_node_is_answered_with_no_shared_trust_roots()
    {
        using var initiator = Initiator(DeviceNodeId + 1);
        using var responder = Responder();

        var step = responder.Receive((byte)SecureChannelOpcode.Sigma1, initiator.Start().Payload);

        Assert.Equal(SessionFailureKind.AuthenticationFailed, Assert.IsType<SessionFailed>(step.Outcome).Kind);
        var status = StatusReport.Decode(step.Send!.Payload).Value!;
        Assert.Equal((ushort)SecureChannelStatusCode.NoSharedTrustRoots, status.ProtocolCode);
        var answer = initiator.Receive((byte)step.Send.Opcode, step.Send.Payload);
        Assert.Contains("no trusted root", Assert.IsType<SessionFailed>(answer.Outcome).Reason);
    }

    [Fact]
    public void An_initiator_whose_certificates_the_device_rejects_fails_at_sigma3()
    {
        using var initiator = Initiator(DeviceNodeId);
        using var responder = Responder(initiatorValidator: (_, _) =>
            CryptoResult<CasePeerIdentity>.Fail(CryptoErrorKind.InvalidParameter, "NOC expired"));

        var (ours, theirs) = Run(initiator, responder);

        Assert.Contains("NOC expired", Assert.IsType<SessionFailed>(theirs).Reason);
        var failed = Assert.IsType<SessionFailed>(ours);
        Assert.Equal(SessionFailureKind.PeerRejected, failed.Kind);
        Assert.Equal((ushort)SecureChannelStatusCode.InvalidParameter, failed.PeerStatus!.ProtocolCode);
    }

    private CaseInitiator Initiator(ulong peerNodeId) =>
        new(new CaseFabric(_ipk, _rootPublicKey, FabricId, [1, 2], null, _controllerKey), peerNodeId, 0x0101,
            (_, _) => CryptoResult<CasePeerIdentity>.Ok(new CasePeerIdentity(EcdsaP256.PublicKeyOf(_deviceKey), DeviceNodeId, FabricId)));

    private CaseResponder Responder(CaseCertificateValidator? initiatorValidator = null) =>
        new(new CaseFabric(_ipk, _rootPublicKey, FabricId, [3, 4], [5], _deviceKey), DeviceNodeId, 0x0202,
            initiatorValidator ?? ((_, _) => CryptoResult<CasePeerIdentity>.Ok(
                new CasePeerIdentity(EcdsaP256.PublicKeyOf(_controllerKey), ControllerNodeId, FabricId))));

    private static (SessionOutcome? Initiator, SessionOutcome? Responder) Run(CaseInitiator initiator, CaseResponder responder)
    {
        var sigma2 = responder.Receive((byte)SecureChannelOpcode.Sigma1, initiator.Start().Payload);
        var sigma3 = initiator.Receive((byte)sigma2.Send!.Opcode, sigma2.Send.Payload);
        var status = responder.Receive((byte)sigma3.Send!.Opcode, sigma3.Send.Payload);
        var final = initiator.Receive((byte)status.Send!.Opcode, status.Send.Payload);
        return (final.Outcome, status.Outcome);
    }
}
