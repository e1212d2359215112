namespace CommissioningActors.Protocol.Matter.Messages;

/// <summary>
/// A datagram split at the end of its message header: <see cref="HeaderBytes"/> (the AAD of a secured
/// message) and <see cref="Payload"/> (the exchange header and application payload, encrypted when secured).
/// </summary>
public sealed record MatterPacket(MessageHeader Header, ReadOnlyMemory<byte> HeaderBytes, ReadOnlyMemory<byte> Payload);

/// <summary>A whole plaintext message: both headers and the application payload.</summary>
public sealed record MatterMessage(MessageHeader Header, ExchangeHeader Exchange, ReadOnlyMemory<byte> Payload);

/// <summary>Encodes and strictly decodes plaintext Matter messages (unsecured sessions and decrypted payloads).</summary>
public static class MessageCodec
{
    public static Parsed<MatterPacket> DecodePacket(ReadOnlyMemory<byte> datagram)
    {
        var header = MessageHeader.Read(datagram, out var length);
        if (!header.IsOk)
        {
            return header.Error!;
        }

        return Parsed<MatterPacket>.Ok(new MatterPacket(header.Value!, datagram[..length], datagram[length..]));
    }

    /// <summary>Splits a plaintext application payload into its exchange header and the rest.</summary>
    public static Parsed<(ExchangeHeader Exchange, ReadOnlyMemory<byte> Payload)> DecodeExchange(ReadOnlyMemory<byte> payload)
    {
        var exchange = ExchangeHeader.Read(payload, out var length);
        if (!exchange.IsOk)
        {
            return exchange.Error!;
        }

        return Parsed<(ExchangeHeader, ReadOnlyMemory<byte>)>.Ok((exchange.Value!, payload[length..]));
    }

    /// <summary>Decodes a message of an unsecured session (session id 0): nothing in it is encrypted.</summary>
    public static Parsed<MatterMessage> DecodeUnsecured(ReadOnlyMemory<byte> datagram)
    {
        var packet = DecodePacket(datagram);
        if (!packet.IsOk)
        {
            return packet.Error!;
        }

        if (!packet.Value!.Header.IsUnsecured)
        {
            return Parsed<MatterMessage>.Fail(ParseErrorKind.InvalidValue,
                $"session {packet.Value.Header.SessionId} is secured; an unsecured message has session id 0");
        }

        return DecodePlainPayload(packet.Value.Header, packet.Value.Payload);
    }

    public static Parsed<MatterMessage> DecodePlainPayload(MessageHeader header, ReadOnlyMemory<byte> payload)
    {
        var exchange = DecodeExchange(payload);
        if (!exchange.IsOk)
        {
            return exchange.Error!;
        }

        return Parsed<MatterMessage>.Ok(new MatterMessage(header, exchange.Value.Exchange, exchange.Value.Payload));
    }

    /// <summary>The plaintext application payload: exchange header followed by the protocol payload.</summary>
    public static byte[] EncodeExchange(ExchangeHeader exchange, ReadOnlySpan<byte> payload)
    {
        var bytes = new byte[exchange.EncodedLength + payload.Length];
        var at = exchange.WriteTo(bytes);
        payload.CopyTo(bytes.AsSpan(at));
        return bytes;
    }

    /// <summary>A whole unencrypted message, as sent on an unsecured session.</summary>
    public static byte[] Encode(MatterMessage message)
    {
        var bytes = new byte[message.Header.EncodedLength + message.Exchange.EncodedLength + message.Payload.Length];
        var at = message.Header.WriteTo(bytes);
        at += message.Exchange.WriteTo(bytes.AsSpan(at));
        message.Payload.Span.CopyTo(bytes.AsSpan(at));
        return bytes;
    }
}
