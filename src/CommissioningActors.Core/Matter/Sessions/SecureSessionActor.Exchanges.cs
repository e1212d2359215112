using Akka.Actor;
using CommissioningActors.Protocol.Matter.Messages;
using CommissioningActors.Protocol.Matter.SecureChannel;
using CommissioningActors.Protocol.Matter.Transport;

namespace CommissioningActors.Core.Matter.Sessions;

/// <summary>PASE steps and secured request/response exchanges.</summary>
public sealed partial class SecureSessionActor
{
    /// <summary>A PASE or CASE step on the unsecured session; the only exchange we take is our own handshake.</summary>
    private void OnEstablishmentMessage(DeliverMessage deliver)
    {
        if (deliver.Exchange != _paseExchange || deliver.Message.Exchange.Protocol != MatterProtocolId.SecureChannel)
        {
            Handle(_link!.Close(deliver.Exchange));
            return;
        }

        var step = _case?.Receive(deliver.Message.Exchange.Opcode, deliver.Message.Payload)
            ?? _pase!.Receive(deliver.Message.Exchange.Opcode, deliver.Message.Payload);
        if (step.Send is { } send)
        {
            // Our last message (a StatusReport after a failure) gets no answer to piggy-back its ack on.
            Handle(_link!.Send(_paseExchange, (byte)send.Opcode, send.Payload, reliable: step.Outcome is null));
        }

        switch (step.Outcome)
        {
            case SessionEstablished established:
                BecomeSecured(established);
                break;
            case SessionFailed failed:
                FailEstablishment(failed.Kind, failed.Reason, failed.PeerStatus);
                break;
        }
    }

    private void BecomeSecured(SessionEstablished established)
    {
        Handle(_link!.Close(_paseExchange));
        _channel.Unbind(0, Self);
        _link.Dispose();
        _pase = null;
        DisposeCase();
        Timers.Cancel(EstablishTimer);
        _link = SessionLink.Secured(_channel, established, _localNodeId); // 0 under PASE: no operational node id yet
        _channel.Bind(_localSessionId, Self);
        Become(Secured);
        _owner.Tell(new SessionReady(established.LocalSessionId, established.PeerSessionId, established.PeerParameters, established.Keys.AttestationChallenge));
    }

    private void FailEstablishment(SessionFailureKind? kind, string reason, StatusReport? peerStatus = null)
    {
        _owner.Tell(new SessionEstablishmentFailed(kind, reason, peerStatus));
        Context.Stop(Self);
    }

    private void OnSendRequest(SendRequest request)
    {
        var exchange = _link!.Exchanges.StartExchange(request.Protocol);
        _pending[exchange] = new PendingRequest(request, Sender);
        Timers.StartSingleTimer(exchange, new RequestTimedOut(exchange), request.Timeout ?? _options.DefaultRequestTimeout);
        Handle(_link.Send(exchange, request.Opcode, request.Payload));
    }

    private void OnSecuredMessage(DeliverMessage deliver)
    {
        var header = deliver.Message.Exchange;
        if (!_pending.ContainsKey(deliver.Exchange))
        {
            Handle(_link!.Close(deliver.Exchange));
            if (header.Is(SecureChannelOpcode.StatusReport)
                && StatusReport.Decode(deliver.Message.Payload) is { IsOk: true, Value: var report }
                && report!.Protocol == MatterProtocolId.SecureChannel
                && report.ProtocolCode == (ushort)SecureChannelStatusCode.CloseSession)
            {
                Context.Stop(Self);
            }

            return;
        }

        if (header.Is(SecureChannelOpcode.StatusReport)
            && StatusReport.Decode(deliver.Message.Payload) is { IsOk: true, Value: { IsSuccess: false } failure })
        {
            Complete(deliver.Exchange, p => new RequestFailed(p.Request.RequestId, RequestFailureKind.StatusReport,
                $"the device answered {failure}", failure));
            return;
        }

        if (_conversations.TryGetValue(deliver.Exchange, out var conversation))
        {
            OnConversationMessage(deliver.Exchange, conversation, deliver);
            return;
        }

        Complete(deliver.Exchange, p => new RequestSucceeded(p.Request.RequestId, header.Protocol, header.Opcode, deliver.Message.Payload));
    }

    private void OnRequestTimedOut(RequestTimedOut timeout)
    {
        if (_pending.TryGetValue(timeout.Exchange, out var pending))
        {
            var seconds = (pending.Request.Timeout ?? _options.DefaultRequestTimeout).TotalSeconds;
            Complete(timeout.Exchange, p => new RequestFailed(p.Request.RequestId, RequestFailureKind.Timeout,
                $"{_channel.PeerDescription} did not answer within {seconds:0.#} s"));
        }
    }

    /// <summary>Answers the request on <paramref name="exchange"/> once and closes the exchange (its ack goes out now).</summary>
    private void Complete(ExchangeKey exchange, Func<PendingRequest, object> reply)
    {
        _conversations.Remove(exchange);
        if (!_pending.Remove(exchange, out var pending))
        {
            return;
        }

        Timers.Cancel(exchange);
        pending.Requester.Tell(reply(pending));
        Handle(_link!.Close(exchange));
    }
}
