using System.Security.Cryptography;
using CommissioningActors.Protocol.Matter.Crypto;
using CommissioningActors.Protocol.Matter.Messages;
using Org.BouncyCastle.Math;

namespace CommissioningActors.Protocol.Matter.SecureChannel;

/// <summary>
/// The device's side of PASE (for simulated devices): holds the verifier w0 and L = w1*G and the PBKDF
/// parameters, never the passcode. Answers PBKDFParamRequest, Pake1 and Pake3; on a good Pake3 sends
/// StatusReport success and yields the session, on a bad one StatusReport InvalidParameter.
/// </summary>
public sealed class PaseResponder
{
    private readonly byte[] _w0;
    private readonly byte[] _l;
    private readonly PbkdfParameters _pbkdf;
    private readonly ushort _localSessionId;
    private readonly SecureSessionParameters? _localParameters;
    private readonly Func<int, byte[]> _random;
    private readonly BigInteger? _fixedY;
    private Spake2pVerifier? _verifier;
    private ushort _peerSessionId;
    private SecureSessionParameters _peerParameters = SecureSessionParameters.Defaults;
    private State _state = State.AwaitingRequest;

    public PaseResponder(
        ReadOnlySpan<byte> w0,
        ReadOnlySpan<byte> l,
        PbkdfParameters pbkdf,
        ushort localSessionId,
        SecureSessionParameters? localParameters = null,
        Func<int, byte[]>? random = null)
        : this(w0, l, pbkdf, localSessionId, localParameters ?? SecureSessionParameters.Ours, random, null)
    {
    }

    /// <summary>With a fixed SPAKE2+ y and <paramref name="localParameters"/> null sending none: for published vectors only.</summary>
    internal PaseResponder(
        ReadOnlySpan<byte> w0,
        ReadOnlySpan<byte> l,
        PbkdfParameters pbkdf,
        ushort localSessionId,
        SecureSessionParameters? localParameters,
        Func<int, byte[]>? random,
        BigInteger? y)
    {
        if (localSessionId == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(localSessionId), "Session id 0 is reserved for unsecured messages");
        }

        _w0 = w0.ToArray();
        _l = l.ToArray();
        _pbkdf = pbkdf;
        _localSessionId = localSessionId;
        _localParameters = localParameters;
        _random = random ?? RandomNumberGenerator.GetBytes;
        _fixedY = y;
    }

    /// <summary>A responder for a passcode (derives w0 and L; keeps neither the passcode nor w1).</summary>
    public static PaseResponder FromPasscode(uint passcode, PbkdfParameters pbkdf, ushort localSessionId, SecureSessionParameters? localParameters = null)
    {
        var secrets = Spake2p.DeriveSecrets(passcode, pbkdf.Salt, pbkdf.Iterations);
        if (!secrets.IsOk)
        {
            throw new ArgumentException(secrets.Error!.Message, nameof(pbkdf));
        }

        return new PaseResponder(secrets.Value!.W0, secrets.Value.ComputeL(), pbkdf, localSessionId, localParameters);
    }

    private enum State
    {
        AwaitingRequest,
        AwaitingPake1,
        AwaitingPake3,
        Finished,
    }

    public bool IsFinished => _state == State.Finished;

    public SessionStep Receive(byte opcode, ReadOnlyMemory<byte> payload)
    {
        var expected = _state switch
        {
            State.AwaitingRequest => SecureChannelOpcode.PbkdfParamRequest,
            State.AwaitingPake1 => SecureChannelOpcode.Pake1,
            State.AwaitingPake3 => SecureChannelOpcode.Pake3,
            _ => (SecureChannelOpcode?)null,
        };
        SessionStep step;
        if (expected is null)
        {
            step = new SessionStep(null, new SessionFailed(SessionFailureKind.InvalidMessage, "PASE has already finished"));
        }
        else if (opcode == (byte)SecureChannelOpcode.StatusReport)
        {
            var status = StatusReport.Decode(payload);
            step = new SessionStep(null, new SessionFailed(SessionFailureKind.PeerRejected,
                status.IsOk ? $"the commissioner ended PASE: {status.Value}" : "the commissioner ended PASE", status.Value));
        }
        else if (opcode != (byte)expected)
        {
            step = Invalid($"expected {expected}, got opcode 0x{opcode:X2}");
        }
        else
        {
            step = _state switch
            {
                State.AwaitingRequest => OnRequest(payload),
                State.AwaitingPake1 => OnPake1(payload),
                _ => OnPake3(payload),
            };
        }

        if (step.Outcome is not null)
        {
            _state = State.Finished;
            _verifier = null;
        }

        return step;
    }

    private SessionStep OnRequest(ReadOnlyMemory<byte> payload)
    {
        var decoded = PbkdfParamRequest.Decode(payload);
        if (!decoded.IsOk)
        {
            return Invalid(decoded.Error!.Message);
        }

        var request = decoded.Value!;
        if (request.PasscodeId != PaseInitiator.DefaultPasscodeId)
        {
            return Invalid($"PBKDFParamRequest: passcode id {request.PasscodeId} is not supported");
        }

        _peerSessionId = request.InitiatorSessionId;
        _peerParameters = request.SessionParameters ?? SecureSessionParameters.Defaults;
        var response = new PbkdfParamResponse(
            request.InitiatorRandom,
            _random(PaseSizes.Random),
            _localSessionId,
            request.HasPbkdfParameters ? null : _pbkdf,
            _localParameters).Encode();
        var context = PaseKeys.ContextHash(payload.Span, response);
        _verifier = _fixedY is { } y ? new Spake2pVerifier(context, _w0, _l, y, [], []) : new Spake2pVerifier(context, _w0, _l);
        _state = State.AwaitingPake1;
        return SessionStep.Sending(new SecureChannelSend(SecureChannelOpcode.PbkdfParamResponse, response));
    }

    private SessionStep OnPake1(ReadOnlyMemory<byte> payload)
    {
        var decoded = Pake1.Decode(payload);
        if (!decoded.IsOk)
        {
            return Invalid(decoded.Error!.Message);
        }

        var confirmation = _verifier!.Respond(decoded.Value!.PA);
        if (!confirmation.IsOk)
        {
            return Invalid($"Pake1: {confirmation.Error!.Message}");
        }

        _state = State.AwaitingPake3;
        return SessionStep.Sending(new SecureChannelSend(SecureChannelOpcode.Pake2, new Pake2(_verifier.ShareY, confirmation.Value!).Encode()));
    }

    private SessionStep OnPake3(ReadOnlyMemory<byte> payload)
    {
        var decoded = Pake3.Decode(payload);
        if (!decoded.IsOk)
        {
            return Invalid(decoded.Error!.Message);
        }

        var ke = _verifier!.Confirm(decoded.Value!.CA);
        if (!ke.IsOk)
        {
            return new SessionStep(
                SecureChannelSend.Status(PaseInitiator.InvalidParameterReport),
                new SessionFailed(SessionFailureKind.WrongPasscode, "the commissioner's key confirmation (cA) does not match: wrong passcode"));
        }

        var keys = PaseKeys.DeriveSessionKeys(ke.Value!);
        return new SessionStep(
            SecureChannelSend.Status(StatusReport.SessionEstablishmentSuccess),
            new SessionEstablished(_localSessionId, _peerSessionId, false, keys, _peerParameters));
    }

    private static SessionStep Invalid(string reason) => new(
        SecureChannelSend.Status(PaseInitiator.InvalidParameterReport),
        new SessionFailed(SessionFailureKind.InvalidMessage, reason));

    public override string ToString() => $"PaseResponder(session {_localSessionId}, {_state})";
}
