using CommissioningActors.Protocol.Matter.Messages;
using CommissioningActors.Protocol.Matter.Tlv;

namespace CommissioningActors.Protocol.Matter.InteractionModel;

/// <summary>A successful invoke: the response command's path and fields, or both null for a status-only success.</summary>
public sealed record InvokeResult(CommandPath? ResponsePath, TlvElement? Fields)
{
    public bool IsStatusOnly => ResponsePath is null;
}

/// <summary>What the caller does after feeding the invoke client a message.</summary>
public abstract record InvokeStep
{
    /// <summary>Send <see cref="Message"/> on the same exchange and wait for the next message.</summary>
    public sealed record Send(ImOutgoing Message) : InvokeStep;

    public sealed record Completed(InvokeResult Result) : InvokeStep;

    /// <summary>The invoke failed; send <see cref="Reply"/> when not null so the device ends the interaction too.</summary>
    public sealed record Failed(ImError Error, ImOutgoing? Reply) : InvokeStep;
}

/// <summary>
/// One command invocation as a pure state machine. A timed invoke first sends TimedRequest(timeout), waits
/// for StatusResponse success, then sends the InvokeRequest with its TimedRequest flag set.
/// </summary>
public sealed class InvokeClient
{
    /// <summary>A single command's response never needs many chunks; more is a misbehaving peer.</summary>
    public const int MaxResponseChunks = 4;

    private readonly CommandPath _path;
    private readonly TlvElement? _fields;
    private readonly ushort? _timedTimeoutMs;
    private State _state = State.NotStarted;
    private int _chunks;

    public InvokeClient(CommandPath path, TlvElement? fields, ushort? timedTimeoutMs = null)
    {
        _path = path;
        _fields = fields;
        _timedTimeoutMs = timedTimeoutMs;
    }

    private enum State
    {
        NotStarted,
        AwaitingTimedStatus,
        AwaitingResponse,
        Finished,
    }

    public bool IsFinished => _state == State.Finished;

    public ImOutgoing Start()
    {
        if (_state != State.NotStarted)
        {
            throw new InvalidOperationException("the invoke has already started");
        }

        if (_timedTimeoutMs is { } timeout)
        {
            _state = State.AwaitingTimedStatus;
            return new ImOutgoing(InteractionModelOpcode.TimedRequest, new TimedRequestMessage(timeout).Encode());
        }

        return Invoke(timed: false);
    }

    public InvokeStep Receive(InteractionModelOpcode opcode, ReadOnlySpan<byte> payload)
    {
        switch (_state)
        {
            case State.AwaitingTimedStatus when opcode == InteractionModelOpcode.StatusResponse:
                var status = StatusResponseMessage.Decode(payload);
                if (!status.IsOk)
                {
                    return Fail(new ImError(ImErrorKind.Malformed, status.Error!.Message), null);
                }

                return status.Value!.Status == ImStatusCode.Success
                    ? new InvokeStep.Send(Invoke(timed: true))
                    : Fail(ImError.FromStatus($"the device refused the timed request for {_path}", new StatusIB(status.Value.Status)), null);
            case State.AwaitingResponse when opcode == InteractionModelOpcode.InvokeResponse:
                return OnResponse(payload);
            case State.AwaitingResponse when opcode == InteractionModelOpcode.StatusResponse:
                var refused = StatusResponseMessage.Decode(payload);
                return refused.IsOk
                    ? Fail(ImError.FromStatus($"the device refused command {_path}", new StatusIB(refused.Value!.Status)), null)
                    : Fail(new ImError(ImErrorKind.Malformed, refused.Error!.Message), null);
            case State.NotStarted or State.Finished:
                return new InvokeStep.Failed(new ImError(ImErrorKind.Finished, $"invoke is {_state}; {opcode} not accepted"), null);
            default:
                return Fail(new ImError(ImErrorKind.UnexpectedMessage, $"{opcode} while {_state}"), ImStatusCode.InvalidAction);
        }
    }

    private ImOutgoing Invoke(bool timed)
    {
        _state = State.AwaitingResponse;
        var request = new InvokeRequestMessage([new CommandDataIB(_path, _fields)], TimedRequest: timed);
        return new ImOutgoing(InteractionModelOpcode.InvokeRequest, request.Encode());
    }

    private InvokeStep OnResponse(ReadOnlySpan<byte> payload)
    {
        if (++_chunks > MaxResponseChunks)
        {
            return Fail(new ImError(ImErrorKind.LimitExceeded, $"the device sent more than {MaxResponseChunks} invoke response chunks"),
                ImStatusCode.ResourceExhausted);
        }

        var parsed = InvokeResponseMessage.Decode(payload);
        if (!parsed.IsOk)
        {
            return Fail(new ImError(ImErrorKind.Malformed, parsed.Error!.Message), ImStatusCode.InvalidAction);
        }

        var message = parsed.Value!;
        // The response names the response command id, so only endpoint and cluster identify ours.
        var ours = message.Responses.FirstOrDefault(r => r.Path.Endpoint == _path.Endpoint && r.Path.Cluster == _path.Cluster);
        if (ours is null)
        {
            if (message.MoreChunkedMessages)
            {
                return new InvokeStep.Send(new ImOutgoing(InteractionModelOpcode.StatusResponse, StatusResponseMessage.Success.Encode()));
            }

            return Fail(new ImError(ImErrorKind.Malformed, $"the invoke response holds nothing for {_path}"), null);
        }

        _state = State.Finished;
        if (ours.Command is { } command)
        {
            return new InvokeStep.Completed(new InvokeResult(command.Path,
                command.Fields ?? TlvElement.Structure(TlvTag.Anonymous)));
        }

        var status = ours.Status!.Status;
        return status.IsSuccess
            ? new InvokeStep.Completed(new InvokeResult(null, null))
            : new InvokeStep.Failed(ImError.FromStatus($"command {_path}", status), null);
    }

    private InvokeStep.Failed Fail(ImError error, ImStatusCode? reply)
    {
        _state = State.Finished;
        return new InvokeStep.Failed(error, reply is { } code
            ? new ImOutgoing(InteractionModelOpcode.StatusResponse, new StatusResponseMessage(code).Encode())
            : null);
    }
}
