using System.Diagnostics;
using CommissioningActors.Core.Matter.Transport;
using CommissioningActors.Protocol.Matter.Messages;
using CommissioningActors.Protocol.Matter.SecureChannel;
using CommissioningActors.Protocol.Matter.Transport;

namespace CommissioningActors.Core.Matter.Sessions;

/// <summary>
/// One session's message layer inside its actor: the pure exchange manager (MRP) plus, once secured, the
/// AES-CCM codec, wired to the channel. Transmissions go straight out; every other exchange output is
/// returned for the actor to act on. Not thread-safe: only its actor calls it.
/// </summary>
internal sealed class SessionLink : IDisposable
{
    private readonly IMatterChannel _channel;
    private readonly SecureMessageCodec? _codec;
    private readonly ushort _localSessionId;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private SessionLink(IMatterChannel channel, SecureMessageCodec? codec, ushort localSessionId, Func<Func<TimeSpan>, MatterExchangeManager> manager)
    {
        _channel = channel;
        _codec = codec;
        _localSessionId = localSessionId;
        Exchanges = manager(() => _clock.Elapsed);
    }

    public MatterExchangeManager Exchanges { get; }

    public TimeSpan Now => _clock.Elapsed;

    /// <summary>The unsecured session PASE runs on, with a random ephemeral source node id.</summary>
    public static SessionLink Unsecured(IMatterChannel channel)
    {
        var ephemeral = BitConverter.ToUInt64(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));
        return new SessionLink(channel, null, 0, clock => new MatterExchangeManager(
            new ExchangeManagerOptions(new MessageAddressing(0, SourceNodeId: ephemeral), UseMrp: !channel.IsReliable),
            MessageCounter.ForUnsecured(), ReceptionWindow.ForUnsecured(), clock, new Random()));
    }

    /// <summary>
    /// The secured session PASE or CASE established. Nonces carry the sender's node id: 0 on PASE, our and the
    /// peer's operational node ids on CASE.
    /// </summary>
    public static SessionLink Secured(IMatterChannel channel, SessionEstablished session, ulong localNodeId = 0)
    {
        var codec = new SecureMessageCodec(session.EncryptKey, session.DecryptKey, localNodeId, session.PeerNodeId ?? 0);
        return new SessionLink(channel, codec, session.LocalSessionId, clock => new MatterExchangeManager(
            new ExchangeManagerOptions(new MessageAddressing(session.PeerSessionId), UseMrp: !channel.IsReliable, session.PeerParameters.Mrp),
            MessageCounter.ForSecureSession(), ReceptionWindow.ForSecureUnicast(), clock, new Random()));
    }

    /// <summary>Decodes (and authenticates) one datagram and feeds it to the exchange layer; null when it is dropped.</summary>
    public IReadOnlyList<ExchangeOutput> Inbound(ReadOnlyMemory<byte> datagram)
    {
        var message = Decode(datagram);
        return message is null ? [] : Carry(Exchanges.Receive(message));
    }

    public IReadOnlyList<ExchangeOutput> Send(ExchangeKey key, byte opcode, ReadOnlyMemory<byte> payload, bool reliable = true) =>
        Carry(Exchanges.Send(key, opcode, payload, reliable));

    public IReadOnlyList<ExchangeOutput> Close(ExchangeKey key) => Carry(Exchanges.Close(key));

    public IReadOnlyList<ExchangeOutput> Tick() => Carry(Exchanges.OnTimer());

    /// <summary>How long until the exchange layer next needs a tick, or null.</summary>
    public TimeSpan? UntilNextDeadline =>
        Exchanges.NextDeadline is { } deadline ? TimeSpan.FromTicks(Math.Max(0, (deadline - Now).Ticks)) : null;

    private IReadOnlyList<ExchangeOutput> Carry(IReadOnlyList<ExchangeOutput> outputs)
    {
        List<ExchangeOutput>? rest = null;
        foreach (var output in outputs)
        {
            if (output is TransmitMessage { Message: var message })
            {
                _channel.Send(_codec is null
                    ? MessageCodec.Encode(message)
                    : _codec.Seal(message.Header, message.Exchange, message.Payload.Span));
            }
            else
            {
                (rest ??= []).Add(output);
            }
        }

        return rest ?? (IReadOnlyList<ExchangeOutput>)[];
    }

    private MatterMessage? Decode(ReadOnlyMemory<byte> datagram)
    {
        var packet = MessageCodec.DecodePacket(datagram);
        if (!packet.IsOk || packet.Value!.Header.SessionId != _localSessionId)
        {
            return null;
        }

        if (_codec is null)
        {
            var plain = MessageCodec.DecodeUnsecured(datagram);
            return plain.IsOk ? plain.Value : null;
        }

        var opened = _codec.Open(packet.Value);
        return opened.IsOk ? opened.Value : null;
    }

    public void Dispose() => _codec?.Dispose();
}
