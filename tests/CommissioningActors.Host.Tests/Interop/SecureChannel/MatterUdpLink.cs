using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using CommissioningActors.Protocol;
using CommissioningActors.Protocol.Matter.Messages;
using CommissioningActors.Protocol.Matter.SecureChannel;
using CommissioningActors.Protocol.Matter.Transport;

namespace CommissioningActors.Host.Tests.Interop.SecureChannel;

/// <summary>
/// Test-only glue: one Matter session over a UDP socket on 127.0.0.1, driven by the real pure pieces
/// (<see cref="MatterExchangeManager"/> for MRP, <see cref="SecureMessageCodec"/> once a session exists).
/// It pumps datagrams and timer ticks until the wanted exchange delivers a message. No actors here: the
/// production session actor replaces this.
/// </summary>
internal sealed class MatterUdpLink : IDisposable
{
    private readonly Socket _socket;
    private readonly Stopwatch _clock;
    private readonly byte[] _buffer = new byte[2048];
    private readonly ushort? _localSessionId;
    private readonly SecureMessageCodec? _codec;

    private MatterUdpLink(Socket socket, Stopwatch clock, MatterExchangeManager exchanges, ushort? localSessionId, SecureMessageCodec? codec)
    {
        _socket = socket;
        _clock = clock;
        Exchanges = exchanges;
        _localSessionId = localSessionId;
        _codec = codec;
    }

    public MatterExchangeManager Exchanges { get; }

    public List<string> Trace { get; } = [];

    /// <summary>An unsecured session (PASE/CASE establishment) from a new socket, with a random ephemeral node id.</summary>
    public static MatterUdpLink Unsecured(IPEndPoint device)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        socket.Connect(device);
        var ephemeral = BitConverter.ToUInt64(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));
        var clock = Stopwatch.StartNew();
        var manager = new MatterExchangeManager(
            new ExchangeManagerOptions(new MessageAddressing(0, SourceNodeId: ephemeral), UseMrp: true),
            MessageCounter.ForUnsecured(), ReceptionWindow.ForUnsecured(), () => clock.Elapsed, new Random());
        return new MatterUdpLink(socket, clock, manager, null, null);
    }

    /// <summary>The secure session PASE established, on the same socket (the device answers the address PASE came from).</summary>
    public MatterUdpLink Secured(SessionEstablished session)
    {
        var clock = Stopwatch.StartNew();
        var manager = new MatterExchangeManager(
            new ExchangeManagerOptions(new MessageAddressing(session.PeerSessionId), UseMrp: true, session.PeerParameters.Mrp),
            MessageCounter.ForSecureSession(), ReceptionWindow.ForSecureUnicast(), () => clock.Elapsed, new Random());
        var codec = new SecureMessageCodec(session.EncryptKey, session.DecryptKey, 0, 0);
        return new MatterUdpLink(_socket, clock, manager, session.LocalSessionId, codec);
    }

    public async Task SendAsync(IReadOnlyList<ExchangeOutput> outputs)
    {
        foreach (var output in outputs)
        {
            if (output is TransmitMessage { Message: var message } transmit)
            {
                var datagram = _codec is null
                    ? MessageCodec.Encode(message)
                    : _codec.Seal(message.Header, message.Exchange, message.Payload.Span);
                Trace.Add($"> {Describe(message.Exchange)} #{transmit.Transmission}");
                await _socket.SendAsync(datagram, SocketFlags.None);
            }
            else if (output is DeliveryFailed or CounterExhausted)
            {
                throw new InvalidOperationException($"transport gave up: {output}; trace: {string.Join(", ", Trace)}");
            }
        }
    }

    /// <summary>Pumps until <paramref name="exchange"/> delivers a message (acks and retransmissions handled on the way).</summary>
    public async Task<MatterMessage> ReceiveAsync(ExchangeKey exchange, TimeSpan timeout)
    {
        var giveUp = _clock.Elapsed + timeout;
        while (true)
        {
            var now = _clock.Elapsed;
            if (now >= giveUp)
            {
                throw new TimeoutException($"no message on exchange {exchange} within {timeout}; trace: {string.Join(", ", Trace)}");
            }

            var wait = giveUp - now;
            if (Exchanges.NextDeadline is { } deadline)
            {
                wait = TimeSpan.FromTicks(Math.Clamp((deadline - now).Ticks, 0, wait.Ticks));
            }

            using var cancel = new CancellationTokenSource(wait);
            int length;
            try
            {
                length = await _socket.ReceiveAsync(_buffer, SocketFlags.None, cancel.Token);
            }
            catch (OperationCanceledException)
            {
                await SendAsync(Exchanges.OnTimer());
                continue;
            }

            var message = Decode(_buffer.AsMemory(0, length).ToArray());
            if (message is null)
            {
                continue;
            }

            Trace.Add($"< {Describe(message.Exchange)}");
            var outputs = Exchanges.Receive(message);
            await SendAsync(outputs);
            foreach (var output in outputs)
            {
                if (output is DeliverMessage deliver && deliver.Exchange == exchange)
                {
                    return deliver.Message;
                }
            }
        }
    }

    private MatterMessage? Decode(byte[] datagram)
    {
        var packet = MessageCodec.DecodePacket(datagram);
        if (!packet.IsOk)
        {
            Trace.Add($"< undecodable: {packet.Error}");
            return null;
        }

        if (_codec is null)
        {
            if (!packet.Value!.Header.IsUnsecured)
            {
                return null;
            }

            var plain = MessageCodec.DecodeUnsecured(datagram);
            return plain.IsOk ? plain.Value : null;
        }

        if (packet.Value!.Header.SessionId != _localSessionId)
        {
            return null;
        }

        var opened = _codec.Open(packet.Value);
        if (!opened.IsOk)
        {
            Trace.Add($"< not authentic: {opened.Error}");
            return null;
        }

        return opened.Value;
    }

    private static string Describe(ExchangeHeader header) =>
        $"{header.Protocol}/0x{header.Opcode:X2} x{header.ExchangeId}{(header.RequiresAck ? " R" : "")}{(header.AckedCounter is null ? "" : " A")}";

    public void Dispose()
    {
        _codec?.Dispose();
        if (_localSessionId is null)
        {
            _socket.Dispose();
        }
    }
}
