using CommissioningActors.Protocol.Matter.Crypto;
using CommissioningActors.Protocol.Matter.Messages;
using CommissioningActors.Protocol.Matter.SecureChannel;
using BigInteger = Org.BouncyCastle.Math.BigInteger;

namespace CommissioningActors.Protocol.Tests.Matter.SecureChannel;

public sealed class PaseStateMachineTests
{
    private const uint Passcode = 20202021;
    private static readonly PbkdfParameters Pbkdf = new(1000, Convert.FromHexString("2bb41e9d75f30c2e6b2f059410c56965717cc2bf14ed6c73a169435326a89652"));

    [Fact]
    public void Initiator_and_responder_establish_the_same_keys_and_learn_each_others_session()
    {
        var initiator = new PaseInitiator(Passcode, 0x1234);
        var responder = PaseResponder.FromPasscode(Passcode, Pbkdf, 0x4321);

        var (initiatorOutcome, responderOutcome, messages) = Run(initiator, responder);

        var ours = Assert.IsType<SessionEstablished>(initiatorOutcome);
        var theirs = Assert.IsType<SessionEstablished>(responderOutcome);
        Assert.Equal(
            [SecureChannelOpcode.PbkdfParamRequest, SecureChannelOpcode.PbkdfParamResponse, SecureChannelOpcode.Pake1,
                SecureChannelOpcode.Pake2, SecureChannelOpcode.Pake3, SecureChannelOpcode.StatusReport],
            messages);
        Assert.Equal((ushort)0x4321, ours.PeerSessionId);
        Assert.Equal((ushort)0x1234, theirs.PeerSessionId);
        Assert.Equal(ours.Keys.I2RKey, theirs.Keys.I2RKey);
        Assert.Equal(ours.Keys.R2IKey, theirs.Keys.R2IKey);
        Assert.Equal(ours.Keys.AttestationChallenge, theirs.Keys.AttestationChallenge);
        Assert.Equal(ours.EncryptKey, theirs.DecryptKey);
        Assert.NotEqual(ours.Keys.I2RKey, ours.Keys.R2IKey);
        Assert.Equal(SecureSessionParameters.Ours, ours.PeerParameters);
        Assert.True(initiator.IsFinished);
        Assert.True(responder.IsFinished);
    }

    [Fact]
    public void A_wrong_passcode_fails_on_the_devices_confirmation_with_a_reason_that_never_names_the_passcode()
    {
        const uint wrong = 20202022;
        var initiator = new PaseInitiator(wrong, 1);
        var responder = PaseResponder.FromPasscode(Passcode, Pbkdf, 2);

        var (initiatorOutcome, responderOutcome, messages) = Run(initiator, responder);

        var failed = Assert.IsType<SessionFailed>(initiatorOutcome);
        Assert.Equal(SessionFailureKind.WrongPasscode, failed.Kind);
        Assert.Contains("rejected the passcode", failed.Reason);
        Assert.DoesNotContain(wrong.ToString(), failed.ToString());
        Assert.DoesNotContain(Passcode.ToString(), failed.ToString());
        Assert.DoesNotContain("2020", failed.ToString());

        // We tell the device (StatusReport InvalidParameter) instead of sending Pake3.
        Assert.Equal(SecureChannelOpcode.StatusReport, messages[^1]);
        var peer = Assert.IsType<SessionFailed>(responderOutcome);
        Assert.Equal(SessionFailureKind.PeerRejected, peer.Kind);
        Assert.Equal((ushort)SecureChannelStatusCode.InvalidParameter, peer.PeerStatus!.ProtocolCode);
    }

    [Fact]
    public void A_device_answering_pake3_with_invalid_parameter_is_read_as_a_rejected_passcode()
    {
        var initiator = new PaseInitiator(Passcode, 1);
        var responder = PaseResponder.FromPasscode(Passcode, Pbkdf, 2);
        var pbkdf = responder.Receive((byte)SecureChannelOpcode.PbkdfParamRequest, initiator.Start().Payload).Send!;
        var pake1 = initiator.Receive((byte)pbkdf.Opcode, pbkdf.Payload).Send!;
        var pake2 = responder.Receive((byte)pake1.Opcode, pake1.Payload).Send!;
        Assert.Equal(SecureChannelOpcode.Pake3, initiator.Receive((byte)pake2.Opcode, pake2.Payload).Send!.Opcode);

        var step = initiator.Receive((byte)SecureChannelOpcode.StatusReport, PaseInitiator.InvalidParameterReport.Encode());

        var failed = Assert.IsType<SessionFailed>(step.Outcome);
        Assert.Equal(SessionFailureKind.WrongPasscode, failed.Kind);
        Assert.Contains("the device rejected the passcode", failed.Reason);
        Assert.Null(step.Send);
    }

    [Fact]
    public void A_busy_device_is_a_peer_rejection_and_gets_no_answer()
    {
        var initiator = new PaseInitiator(Passcode, 1);
        initiator.Start();
        var busy = new StatusReport(GeneralStatusCode.Busy, MatterProtocolId.SecureChannel, (ushort)SecureChannelStatusCode.Busy);

        var step = initiator.Receive((byte)SecureChannelOpcode.StatusReport, busy.Encode());

        var failed = Assert.IsType<SessionFailed>(step.Outcome);
        Assert.Equal(SessionFailureKind.PeerRejected, failed.Kind);
        Assert.Contains("busy", failed.Reason);
        Assert.Null(step.Send);
    }

    [Fact]
    public void A_response_that_does_not_echo_our_random_or_comes_out_of_order_fails_and_tells_the_device()
    {
        var initiator = new PaseInitiator(Passcode, 1, random: n => new byte[n]);
        initiator.Start();
        var forged = new PbkdfParamResponse(Enumerable.Repeat((byte)1, 32).ToArray(), new byte[32], 9, Pbkdf, null).Encode();
        var step = initiator.Receive((byte)SecureChannelOpcode.PbkdfParamResponse, forged);
        Assert.Equal(SessionFailureKind.InvalidMessage, Assert.IsType<SessionFailed>(step.Outcome).Kind);
        Assert.Contains("initiatorRandom", ((SessionFailed)step.Outcome!).Reason);
        Assert.Equal(SecureChannelOpcode.StatusReport, step.Send!.Opcode);

        var other = new PaseInitiator(Passcode, 1);
        other.Start();
        var outOfOrder = other.Receive((byte)SecureChannelOpcode.Pake2, new Pake2(new byte[65], new byte[32]).Encode());
        Assert.Contains("expected PbkdfParamResponse", Assert.IsType<SessionFailed>(outOfOrder.Outcome).Reason);
        Assert.True(other.IsFinished);
    }

    [Fact]
    public void A_pake2_point_off_the_curve_is_an_invalid_message_not_a_wrong_passcode()
    {
        var initiator = new PaseInitiator(Passcode, 1);
        var responder = PaseResponder.FromPasscode(Passcode, Pbkdf, 2);
        var pbkdf = responder.Receive((byte)SecureChannelOpcode.PbkdfParamRequest, initiator.Start().Payload).Send!;
        initiator.Receive((byte)pbkdf.Opcode, pbkdf.Payload);
        var offCurve = new byte[65];
        offCurve[0] = 0x04;
        offCurve[64] = 0x05;

        var step = initiator.Receive((byte)SecureChannelOpcode.Pake2, new Pake2(offCurve, new byte[32]).Encode());

        var failed = Assert.IsType<SessionFailed>(step.Outcome);
        Assert.Equal(SessionFailureKind.InvalidMessage, failed.Kind);
        Assert.Contains("pB", failed.Reason);
    }

    /// <summary>The responder reproduces matter.js's captured PBKDFParamResponse and Pake2 (w0 with a leading zero byte).</summary>
    [Fact]
    public void Responder_reproduces_the_matter_js_pase_vector()
    {
        var salt = Convert.FromHexString("03959ebc20b8fcbda262d97f9a7a9e76e32d7a1b9c5166b6a3721e88acad8808");
        var secrets = Spake2p.DeriveSecrets(Passcode, salt, 1000).Value!;
        var responderRandom = Convert.FromHexString("22820a42684102fd4a92c0bad66ad1f21f3c5366f5a6d84203035e2c7caf3bae");
        var responder = new PaseResponder(
            secrets.W0, secrets.ComputeL(), new PbkdfParameters(1000, salt), 56919, null, _ => responderRandom,
            new BigInteger("de583b5685529de9544b92c9c8cba696751b14d65092d13458879b3bc9814b53", 16));

        var response = responder.Receive((byte)SecureChannelOpcode.PbkdfParamRequest, Convert.FromHexString(PaseMessagesTests.RequestVector));
        Assert.Equal(PaseMessagesTests.ResponseVector, PaseMessagesTests.Hex(response.Send!.Payload));

        var x = Convert.FromHexString(
            "04cce1e192a645d54a3ac9a3a3f0b334f37c03400b826b14d873124dfb96a35815f80202f05c72d055b6da24942d0a6cac18caf310100ecef23248ac8fd2ced196");
        var pake2 = Pake2.Decode(responder.Receive((byte)SecureChannelOpcode.Pake1, new Pake1(x).Encode()).Send!.Payload).Value!;
        Assert.Equal(
            "0404f972c7232cde8911de7d93e37ad752b90ad095888ac83da5f3a1d5a7eb063288ed6d358e9092a8606dac6cd6b8fdfc0b3960df85434ed60c6b6091d23da7bb",
            PaseMessagesTests.Hex(pake2.PB));
        Assert.Equal("d6a13c26b6c5b7c514033a0370b1830dff5116fd53de43eb2374737e9b64e4bb", PaseMessagesTests.Hex(pake2.CB));
    }

    [Fact]
    public void Outputs_print_without_keys()
    {
        var (outcome, _, _) = Run(new PaseInitiator(Passcode, 1), PaseResponder.FromPasscode(Passcode, Pbkdf, 2));
        var established = Assert.IsType<SessionEstablished>(outcome);
        Assert.Contains("redacted", established.ToString());
        Assert.DoesNotContain(Convert.ToHexString(established.Keys.I2RKey), established.ToString(), StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Plays the two state machines against each other until both have an outcome.</summary>
    private static (SessionOutcome? Initiator, SessionOutcome? Responder, List<SecureChannelOpcode> Messages) Run(
        PaseInitiator initiator, PaseResponder responder)
    {
        var messages = new List<SecureChannelOpcode>();
        SessionOutcome? initiatorOutcome = null, responderOutcome = null;
        var send = initiator.Start();
        var toResponder = true;
        while (send is not null)
        {
            messages.Add(send.Opcode);
            var step = toResponder ? responder.Receive((byte)send.Opcode, send.Payload) : initiator.Receive((byte)send.Opcode, send.Payload);
            if (toResponder)
            {
                responderOutcome ??= step.Outcome;
            }
            else
            {
                initiatorOutcome ??= step.Outcome;
            }

            send = step.Send;
            toResponder = !toResponder;
            if (send is null && initiatorOutcome is null && responderOutcome is not null)
            {
                break;
            }
        }

        return (initiatorOutcome, responderOutcome, messages);
    }
}
