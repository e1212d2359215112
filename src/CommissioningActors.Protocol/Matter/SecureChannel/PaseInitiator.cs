using System.Security.Cryptography;
using CommissioningActors.Protocol.Matter.Crypto;
using CommissioningActors.Protocol.Matter.Messages;

namespace CommissioningActors.Protocol.Matter.SecureChannel;

/// <summary>
/// The commissioner's side of PASE (spec 4.14.1) as a pure state machine over one exchange: <see cref="Start"/>
/// gives PBKDFParamRequest; each received message goes to <see cref="Receive"/>, which answers with Pake1,
/// Pake3, and finally the established session (keys, the device's session id and parameters) or a
/// <see cref="SessionFailed"/>. Transport, retransmission and timeouts belong to the caller.
/// The passcode is used once (PBKDF2) and never appears in any output.
/// </summary>
public sealed class PaseInitiator
{
    public const ushort DefaultPasscodeId = 0;

    private readonly ushort _localSessionId;
    private readonly SecureSessionParameters _localParameters;
    private readonly Func<int, byte[]> _random;
    private uint _passcode;
    private byte[]? _request;
    private byte[]? _initiatorRandom;
    private Spake2pProver? _prover;
    private byte[]? _ke;
    private ushort _peerSessionId;
    private SecureSessionParameters _peerParameters = SecureSessionParameters.Defaults;
    private State _state = State.New;

    /// <param name="random">Random bytes of the given length (tests fix it); default a CSPRNG.</param>
    public PaseInitiator(uint passcode, ushort localSessionId, SecureSessionParameters? localParameters = null, Func<int, byte[]>? random = null)
    {
        if (localSessionId == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(localSessionId), "Session id 0 is reserved for unsecured messages");
        }

        if (!SetupCode.IsValidPasscode(passcode))
        {
            // The value stays out of the message: it is a secret even when it is wrong.
            throw new ArgumentOutOfRangeException(nameof(passcode), "Not a valid Matter setup passcode");
        }

        _passcode = passcode;
        _localSessionId = localSessionId;
        _localParameters = localParameters ?? SecureSessionParameters.Ours;
        _random = random ?? RandomNumberGenerator.GetBytes;
    }

    private enum State
    {
        New,
        AwaitingPbkdfResponse,
        AwaitingPake2,
        AwaitingStatus,
        Finished,
    }

    public bool IsFinished => _state == State.Finished;

    /// <summary>The first message: PBKDFParamRequest asking the device for its PBKDF parameters.</summary>
    public SecureChannelSend Start()
    {
        if (_state != State.New)
        {
            throw new InvalidOperationException("PASE has already started");
        }

        _initiatorRandom = _random(PaseSizes.Random);
        _request = new PbkdfParamRequest(_initiatorRandom, _localSessionId, DefaultPasscodeId, false, _localParameters).Encode();
        _state = State.AwaitingPbkdfResponse;
        return new SecureChannelSend(SecureChannelOpcode.PbkdfParamRequest, _request);
    }

    /// <summary>Feeds one message received on the PASE exchange (Secure Channel protocol).</summary>
    public SessionStep Receive(byte opcode, ReadOnlyMemory<byte> payload)
    {
        var step = _state switch
        {
            State.AwaitingPbkdfResponse => Expect(opcode, payload, SecureChannelOpcode.PbkdfParamResponse, OnPbkdfResponse),
            State.AwaitingPake2 => Expect(opcode, payload, SecureChannelOpcode.Pake2, OnPake2),
            State.AwaitingStatus => Expect(opcode, payload, SecureChannelOpcode.StatusReport, _ => OnPeerStatus(payload)),
            State.New => throw new InvalidOperationException("Call Start first"),
            _ => new SessionStep(null, new SessionFailed(SessionFailureKind.InvalidMessage, "PASE has already finished")),
        };
        if (step.Outcome is not null)
        {
            Finish();
        }

        return step;
    }

    private SessionStep OnPbkdfResponse(ReadOnlyMemory<byte> payload)
    {
        var decoded = PbkdfParamResponse.Decode(payload);
        if (!decoded.IsOk)
        {
            return Invalid(decoded.Error!.Message);
        }

        var response = decoded.Value!;
        if (!CryptographicOperations.FixedTimeEquals(response.InitiatorRandom, _initiatorRandom))
        {
            return Invalid("PBKDFParamResponse does not echo our initiatorRandom");
        }

        if (response.Pbkdf is not { } pbkdf)
        {
            return Invalid("PBKDFParamResponse lacks the PBKDF parameters we asked for");
        }

        var secrets = Spake2p.DeriveSecrets(_passcode, pbkdf.Salt, pbkdf.Iterations);
        _passcode = 0;
        if (!secrets.IsOk)
        {
            return Invalid($"PBKDFParamResponse: {secrets.Error!.Message}");
        }

        _peerSessionId = response.ResponderSessionId;
        _peerParameters = response.SessionParameters ?? SecureSessionParameters.Defaults;
        _prover = new Spake2pProver(PaseKeys.ContextHash(_request, payload.Span), secrets.Value!);
        _state = State.AwaitingPake2;
        return SessionStep.Sending(new SecureChannelSend(SecureChannelOpcode.Pake1, new Pake1(_prover.ShareX).Encode()));
    }

    private SessionStep OnPake2(ReadOnlyMemory<byte> payload)
    {
        var decoded = Pake2.Decode(payload);
        if (!decoded.IsOk)
        {
            return Invalid(decoded.Error!.Message);
        }

        var finish = _prover!.Finish(decoded.Value!.PB, decoded.Value.CB);
        if (!finish.IsOk)
        {
            return finish.Error!.Kind == CryptoErrorKind.ConfirmationFailed
                ? Abort(SessionFailureKind.WrongPasscode,
                    "the device rejected the passcode: its key confirmation (cB) does not match ours")
                : Invalid($"Pake2: {finish.Error.Message}");
        }

        _ke = finish.Value!.Ke;
        _state = State.AwaitingStatus;
        return SessionStep.Sending(new SecureChannelSend(SecureChannelOpcode.Pake3, new Pake3(finish.Value.ConfirmationA).Encode()));
    }

    private SessionStep OnPeerStatus(ReadOnlyMemory<byte> payload)
    {
        var decoded = StatusReport.Decode(payload);
        if (!decoded.IsOk)
        {
            return Invalid($"StatusReport: {decoded.Error!.Message}");
        }

        var status = decoded.Value!;
        if (!IsEstablishmentSuccess(status))
        {
            return new SessionStep(null, PeerFailure(status, afterPake3: true));
        }

        var keys = PaseKeys.DeriveSessionKeys(_ke);
        return new SessionStep(null, new SessionEstablished(_localSessionId, _peerSessionId, true, keys, _peerParameters));
    }

    private SessionStep Expect(byte opcode, ReadOnlyMemory<byte> payload, SecureChannelOpcode expected, Func<ReadOnlyMemory<byte>, SessionStep> handle)
    {
        if (opcode == (byte)expected)
        {
            return handle(payload);
        }

        if (opcode == (byte)SecureChannelOpcode.StatusReport)
        {
            var status = StatusReport.Decode(payload);
            return status.IsOk
                ? new SessionStep(null, PeerFailure(status.Value!, afterPake3: false))
                : Invalid($"StatusReport: {status.Error!.Message}");
        }

        return Invalid($"expected {expected}, got opcode 0x{opcode:X2}");
    }

    internal static bool IsEstablishmentSuccess(StatusReport status) =>
        status.GeneralCode == GeneralStatusCode.Success
        && status.Protocol == MatterProtocolId.SecureChannel
        && status.ProtocolCode == (ushort)SecureChannelStatusCode.SessionEstablishmentSuccess;

    private static SessionFailed PeerFailure(StatusReport status, bool afterPake3)
    {
        var invalidParameter = status.Protocol == MatterProtocolId.SecureChannel
            && status.ProtocolCode == (ushort)SecureChannelStatusCode.InvalidParameter;
        if (afterPake3 && invalidParameter)
        {
            return new SessionFailed(SessionFailureKind.WrongPasscode,
                "the device rejected the passcode: it answered our key confirmation with InvalidParameter", status);
        }

        var busy = status.Protocol == MatterProtocolId.SecureChannel && status.ProtocolCode == (ushort)SecureChannelStatusCode.Busy;
        return new SessionFailed(SessionFailureKind.PeerRejected,
            busy ? $"the device is busy: {status}" : $"the device ended PASE: {status}", status);
    }

    /// <summary>A failure we tell the device about (StatusReport InvalidParameter), as the spec asks.</summary>
    private static SessionStep Abort(SessionFailureKind kind, string reason) => new(
        SecureChannelSend.Status(InvalidParameterReport),
        new SessionFailed(kind, reason));

    private static SessionStep Invalid(string reason) => Abort(SessionFailureKind.InvalidMessage, reason);

    internal static StatusReport InvalidParameterReport { get; } =
        new(GeneralStatusCode.Failure, MatterProtocolId.SecureChannel, (ushort)SecureChannelStatusCode.InvalidParameter);

    private void Finish()
    {
        _state = State.Finished;
        _passcode = 0;
        _prover = null;
        if (_ke is not null)
        {
            CryptographicOperations.ZeroMemory(_ke);
        }
    }

    public override string ToString() => $"PaseInitiator(session {_localSessionId}, {_state})";
}
