using Akka.Actor;
using CommissioningActors.Protocol.Matter.Transport;

namespace CommissioningActors.Core.Matter.Sessions;

/// <summary>
/// Conversations: exchanges of more than one request and answer (chunked ReportData acknowledged with a
/// StatusResponse each, TimedRequest then InvokeRequest). A conversation is also a pending request, so
/// timeouts, MRP give-ups and the session's end fail it through the same paths as <see cref="SendRequest"/>.
/// </summary>
public sealed partial class SecureSessionActor
{
    private readonly Dictionary<ExchangeKey, Conversation> _conversations = [];

    private void ReceiveConversations()
    {
        Receive<StartConversation>(OnStartConversation);
        Receive<ContinueConversation>(OnContinueConversation);
        Receive<EndConversation>(end =>
        {
            if (FindConversation(end.RequestId) is not { } exchange)
            {
                return;
            }

            // A final message goes out only when the exchange can take it (nothing of ours unacknowledged).
            if (end.Opcode is { } opcode && !_link!.Exchanges.AwaitsAck(exchange))
            {
                Handle(_link.Send(exchange, opcode, end.Payload ?? []));
            }

            Drop(exchange);
        });
    }

    private void RefuseConversations() => Receive<StartConversation>(r =>
        Sender.Tell(new RequestFailed(r.RequestId, RequestFailureKind.SessionUnavailable, "the session is not established yet")));

    private void OnStartConversation(StartConversation start)
    {
        var exchange = _link!.Exchanges.StartExchange(start.Protocol);
        var timeout = start.Timeout ?? _options.DefaultRequestTimeout;
        // The pending entry carries no payload: the conversation's messages are not kept once sent.
        _pending[exchange] = new PendingRequest(new SendRequest(start.RequestId, start.Protocol, start.Opcode, [], timeout), Sender);
        _conversations[exchange] = new Conversation(start.RequestId, start.Limits ?? ConversationLimits.Default);
        Timers.StartSingleTimer(exchange, new RequestTimedOut(exchange), timeout);
        Handle(_link.Send(exchange, start.Opcode, start.Payload));
    }

    private void OnContinueConversation(ContinueConversation next)
    {
        if (FindConversation(next.RequestId) is not { } exchange)
        {
            Sender.Tell(new RequestFailed(next.RequestId, RequestFailureKind.SessionUnavailable, "the conversation has ended"));
            return;
        }

        if (_link!.Exchanges.AwaitsAck(exchange))
        {
            // Our previous message is unacknowledged although the device answered after it: not a usable exchange.
            Complete(exchange, p => new RequestFailed(p.Request.RequestId, RequestFailureKind.Timeout,
                $"{_channel.PeerDescription} answered without acknowledging our last message"));
            return;
        }

        var pending = _pending[exchange];
        Timers.StartSingleTimer(exchange, new RequestTimedOut(exchange), pending.Request.Timeout ?? _options.DefaultRequestTimeout);
        Handle(_link.Send(exchange, next.Opcode, next.Payload));
    }

    /// <summary>Hands the device's message to the conversation's owner, within the conversation's limits.</summary>
    private void OnConversationMessage(ExchangeKey exchange, Conversation conversation, DeliverMessage deliver)
    {
        conversation.Messages++;
        conversation.Bytes += deliver.Message.Payload.Length;
        if (conversation.Messages > conversation.Limits.MaxMessages || conversation.Bytes > conversation.Limits.MaxBytes)
        {
            Complete(exchange, p => new RequestFailed(p.Request.RequestId, RequestFailureKind.LimitExceeded,
                $"{_channel.PeerDescription} sent more than {conversation.Limits.MaxMessages} messages or {conversation.Limits.MaxBytes} bytes on one exchange"));
            return;
        }

        var pending = _pending[exchange];
        // The same deadline now bounds the owner's next step, so an abandoned conversation cannot hold the exchange.
        Timers.StartSingleTimer(exchange, new RequestTimedOut(exchange), pending.Request.Timeout ?? _options.DefaultRequestTimeout);
        var header = deliver.Message.Exchange;
        pending.Requester.Tell(new ConversationMessage(conversation.RequestId, header.Protocol, header.Opcode, deliver.Message.Payload));
    }

    private ExchangeKey? FindConversation(long requestId)
    {
        foreach (var (exchange, conversation) in _conversations)
        {
            if (conversation.RequestId == requestId && _pending.TryGetValue(exchange, out var pending) && pending.Requester.Equals(Sender))
            {
                return exchange;
            }
        }

        return null;
    }

    /// <summary>Forgets a conversation without answering its owner (it asked to end it) and closes its exchange.</summary>
    private void Drop(ExchangeKey key)
    {
        _conversations.Remove(key);
        _pending.Remove(key);
        Timers.Cancel(key);
        Handle(_link!.Close(key));
    }

    private sealed class Conversation(long requestId, ConversationLimits limits)
    {
        public long RequestId { get; } = requestId;
        public ConversationLimits Limits { get; } = limits;
        public int Messages { get; set; }
        public long Bytes { get; set; }
    }
}
