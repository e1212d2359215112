using CommissioningActors.Protocol.Matter.Messages;
using CommissioningActors.Protocol.Matter.SecureChannel;

namespace CommissioningActors.Protocol.Tests.Matter.SecureChannel;

public sealed class PaseResponderTests
{
    private const uint Passcode = 20202021;
    private static readonly PbkdfParameters Pbkdf = new(1000, new byte[16]);

    [Fact]
    public void A_wrong_key_confirmation_in_pake3_is_answered_with_invalid_parameter()
    {
        var initiator = new PaseInitiator(Passcode, 1);
        var responder = PaseResponder.FromPasscode(Passcode, Pbkdf, 2);
        var response = responder.Receive((byte)SecureChannelOpcode.PbkdfParamRequest, initiator.Start().Payload).Send!;
        var pake1 = initiator.Receive((byte)response.Opcode, response.Payload).Send!;
        responder.Receive((byte)pake1.Opcode, pake1.Payload);

        var step = responder.Receive((byte)SecureChannelOpcode.Pake3, new Pake3(new byte[32]).Encode());

        Assert.Equal(SessionFailureKind.WrongPasscode, Assert.IsType<SessionFailed>(step.Outcome).Kind);
        var status = StatusReport.Decode(step.Send!.Payload).Value!;
        Assert.Equal(GeneralStatusCode.Failure, status.GeneralCode);
        Assert.Equal((ushort)SecureChannelStatusCode.InvalidParameter, status.ProtocolCode);
        Assert.True(responder.IsFinished);
    }

    [Fact]
    public void Unsupported_passcode_ids_and_off_curve_shares_are_refused()
    {
        var responder = PaseResponder.FromPasscode(Passcode, Pbkdf, 2);
        var request = new PbkdfParamRequest(new byte[32], 1, 7, false, null).Encode();
        var refused = responder.Receive((byte)SecureChannelOpcode.PbkdfParamRequest, request);
        Assert.Contains("passcode id 7 is not supported", Assert.IsType<SessionFailed>(refused.Outcome).Reason);

        var other = PaseResponder.FromPasscode(Passcode, Pbkdf, 2);
        other.Receive((byte)SecureChannelOpcode.PbkdfParamRequest, new PbkdfParamRequest(new byte[32], 1, 0, false, null).Encode());
        var offCurve = new byte[65];
        offCurve[0] = 0x04;
        var step = other.Receive((byte)SecureChannelOpcode.Pake1, new Pake1(offCurve).Encode());
        var failed = Assert.IsType<SessionFailed>(step.Outcome);
        Assert.Equal(SessionFailureKind.InvalidMessage, failed.Kind);
        Assert.Contains("pA", failed.Reason);
    }

    [Fact]
    public void An_initiator_that_already_has_the_parameters_gets_none_and_the_context_still_matches()
    {
        var responder = PaseResponder.FromPasscode(Passcode, Pbkdf, 2);
        var step = responder.Receive((byte)SecureChannelOpcode.PbkdfParamRequest, new PbkdfParamRequest(new byte[32], 1, 0, true, null).Encode());
        Assert.Null(PbkdfParamResponse.Decode(step.Send!.Payload).Value!.Pbkdf);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(11111111u)]
    [InlineData(12345678u)]
    [InlineData(134217728u)]
    public void An_invalid_passcode_is_refused_up_front_without_echoing_it(uint passcode)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new PaseInitiator(passcode, 1));
        Assert.DoesNotContain(passcode.ToString(), error.Message.Replace("passcode", ""));
    }
}
