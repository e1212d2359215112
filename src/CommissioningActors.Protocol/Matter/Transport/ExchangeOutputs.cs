using CommissioningActors.Protocol.Matter.Messages;

namespace CommissioningActors.Protocol.Matter.Transport;

/// <summary>An exchange of one session: its id and which side opened it.</summary>
public readonly record struct ExchangeKey(ushort Id, bool WeInitiated)
{
    public override string ToString() => $"{Id}{(WeInitiated ? "i" : "r")}";
}

/// <summary>What the exchange layer asks its host to do, or tells it happened.</summary>
public abstract record ExchangeOutput;

/// <summary>Seal (if the session is secured) and send this message; <see cref="Transmission"/> is 1 for a first send.</summary>
public sealed record TransmitMessage(MatterMessage Message, int Transmission) : ExchangeOutput;

/// <summary>A new (non-duplicate, non-ack-only) message for the exchange's owner.</summary>
public sealed record DeliverMessage(ExchangeKey Exchange, MatterMessage Message, bool OpensExchange) : ExchangeOutput;

/// <summary>The peer acknowledged our reliable message.</summary>
public sealed record MessageAcknowledged(ExchangeKey Exchange, uint Counter) : ExchangeOutput;

/// <summary>Every transmission went unacknowledged: the exchange is closed and its owner should fail.</summary>
public sealed record DeliveryFailed(ExchangeKey Exchange, uint Counter, int Transmissions) : ExchangeOutput;

public enum DropReason
{
    Duplicate,
    UnknownExchange,
    TooManyExchanges,
}

/// <summary>A received message that was not delivered (duplicates are still acknowledged when they ask).</summary>
public sealed record MessageDropped(ExchangeKey Exchange, uint Counter, DropReason Reason) : ExchangeOutput;

/// <summary>The session's message counter is spent: nothing more can be sent and the session must end.</summary>
public sealed record CounterExhausted : ExchangeOutput;
