using System.Diagnostics;
using System.Security.Cryptography;
using CommissioningActors.Protocol.BleProxy;
using CommissioningActors.Protocol.Matter;
using CommissioningActors.Protocol.Matter.Btp;
using CommissioningActors.Protocol.Matter.Certificates;
using CommissioningActors.Protocol.Matter.InteractionModel;
using CommissioningActors.Protocol.Matter.Messages;
using CommissioningActors.Protocol.Matter.SecureChannel;

namespace CommissioningActors.Simulator.Tests.Matter;

/// <summary>
/// A test-side commissioner on one link of a simulated proxy, speaking the /ble protocol as the service does:
/// connect, write_and_subscribe with the BTP handshake, then the service's own BTP (central), PASE initiator and
/// message codecs over WRITE_DATA / notification frames. Matter messages over BTP carry no MRP.
/// </summary>
internal sealed class BleTestCommissioner : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private readonly TestSession _session;
    private readonly BtpSession _btp = BtpSession.Central();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Queue<byte[]> _messages = new();
    private readonly ulong _ephemeralNode = (ulong)RandomNumberGenerator.GetInt32(1, int.MaxValue);
    private uint _counter = 1;
    private ushort _exchange = 1;
    private bool _opened;
    private SecureMessageCodec? _codec;
    private SessionEstablished? _pase;

    private BleTestCommissioner(TestSession session, int handle)
    {
        _session = session;
        Handle = handle;
    }

    public int Handle { get; }

    /// <summary>Why the link ended (BTP close or a `disconnected` event); null while it is up.</summary>
    public string? Ended { get; private set; }

    public byte[] AttestationChallenge => _pase!.Keys.AttestationChallenge;

    public static async Task<BleTestCommissioner> OpenAsync(TestSession session, string address)
    {
        var connected = await session.CommandAsync(new Connect(address));
        Assert.True(connected.Success, $"{connected.Error}: {connected.Message}");
        var handle = Assert.IsType<ConnectResult>(BleProxyCodec.DecodeResult(new Connect(address), connected.Result).Value).ConnectionHandle;
        var commissioner = new BleTestCommissioner(session, handle);
        var request = Assert.IsType<BtpTransmit>(Assert.Single(commissioner._btp.Start(247, commissioner._clock.Elapsed)));
        var subscribed = await session.CommandAsync(new WriteAndSubscribe(handle, MatterBle.C1WriteUuid, request.Packet, true, MatterBle.C2IndicateUuid));
        Assert.True(subscribed.Success, subscribed.Message);
        var deadline = commissioner._clock.Elapsed + Wait;
        while (!commissioner._opened)
        {
            await commissioner.PumpOnceAsync(deadline);
        }

        return commissioner;
    }

    /// <summary>PASE with <paramref name="passcode"/>: the outcome (established or failed).</summary>
    public async Task<SessionOutcome> PaseAsync(uint passcode)
    {
        var initiator = new PaseInitiator(passcode, 0x0101);
        var send = initiator.Start();
        var exchange = _exchange++;
        while (true)
        {
            await SendAsync(MessageCodec.Encode(new MatterMessage(new MessageHeader(0, SessionType.Unicast, _counter++, _ephemeralNode),
                new ExchangeHeader((byte)send.Opcode, exchange, MatterProtocolId.SecureChannel, IsInitiator: true), send.Payload)));
            var reply = MessageCodec.DecodeUnsecured(await NextMessageAsync()).Value!;
            Assert.False(reply.Exchange.RequiresAck);
            var step = initiator.Receive(reply.Exchange.Opcode, reply.Payload);
            if (step.Outcome is SessionEstablished established)
            {
                _pase = established;
                _codec = new SecureMessageCodec(established.EncryptKey, established.DecryptKey, 0, 0);
                return established;
            }

            if (step.Outcome is { } outcome)
            {
                return outcome;
            }

            send = step.Send!;
        }
    }

    /// <summary>One invoke over the PASE session; the single InvokeResponseIB.</summary>
    public async Task<InvokeResponseIB> InvokeAsync(ClusterCommand command, ushort endpoint = 0)
    {
        var payload = new InvokeRequestMessage([new CommandDataIB(new CommandPath(endpoint, command.Cluster, command.Command), command.Fields)]).Encode();
        await SendAsync(_codec!.Seal(new MessageHeader(_pase!.PeerSessionId, SessionType.Unicast, _counter++),
            new ExchangeHeader((byte)InteractionModelOpcode.InvokeRequest, _exchange++, MatterProtocolId.InteractionModel, IsInitiator: true), payload));
        var reply = _codec.Open(MessageCodec.DecodePacket(await NextMessageAsync()).Value!).Value!;
        Assert.False(reply.Exchange.RequiresAck);
        var response = InvokeResponseMessage.Decode(reply.Payload.Span);
        Assert.True(response.IsOk, response.Error?.ToString());
        return Assert.Single(response.Value!.Responses);
    }

    /// <summary>CSRRequest, AddTrustedRootCertificate and AddNOC for <paramref name="nodeId"/> on <paramref name="authority"/>'s fabric.</summary>
    public async Task<InvokeResponseIB> JoinFabricAsync(FabricAuthority authority, byte[] dac, ulong nodeId)
    {
        var nonce = RandomNumberGenerator.GetBytes(32);
        var csr = (await InvokeAsync(OperationalCredentialsCommands.CsrRequest(nonce))).Command!.Fields!.AsContainer()!;
        var ipk = RandomNumberGenerator.GetBytes(16);
        var issued = CommissioningCredentials.IssueNocFor(csr[0].AsBytes()!.Value.Span, csr[1].AsBytes()!.Value.Span, nodeId, authority, ipk,
            nonce, AttestationChallenge, dac);
        Assert.True(issued.IsOk, issued.Error?.Message);
        var root = await InvokeAsync(OperationalCredentialsCommands.AddTrustedRootCertificate(CommissioningCredentials.BuildAddTrustedRoot(authority)));
        Assert.True(root.Status?.Status.IsSuccess, $"AddTrustedRootCertificate: {root.Status}");
        return await InvokeAsync(OperationalCredentialsCommands.AddNoc(issued.Value!.NocTlv, [], ipk, 0x99, 0xFFF1));
    }

    public async Task SendAsync(byte[] message) => await ProcessAsync(_btp.Send(message, _clock.Elapsed));

    public async Task<byte[]> NextMessageAsync()
    {
        var deadline = _clock.Elapsed + Wait;
        while (_messages.Count == 0)
        {
            Assert.True(Ended is null, $"the link ended: {Ended}");
            await PumpOnceAsync(deadline);
        }

        return _messages.Dequeue();
    }

    /// <summary>Waits for the link to end (the device dropped it, or BTP closed).</summary>
    public async Task<string> EndedAsync()
    {
        var deadline = _clock.Elapsed + Wait;
        while (Ended is null)
        {
            await PumpOnceAsync(deadline);
        }

        return Ended;
    }

    // One frame or event of this link, or the BTP timers when nothing came within their deadline.
    private async Task PumpOnceAsync(TimeSpan deadline)
    {
        var now = _clock.Elapsed;
        if (now > deadline)
        {
            throw new TimeoutException("nothing from the simulated device in time");
        }

        var wait = _btp.NextDeadline is { } due ? Max(due - now, TimeSpan.FromMilliseconds(1)) : deadline - now;
        object item;
        try
        {
            item = await _session.NextAsync<object>(o => o is BinaryFrame f && f.ConnectionHandle == Handle || o is Disconnected d && d.ConnectionHandle == Handle,
                Min(wait, deadline - now + TimeSpan.FromMilliseconds(1)));
        }
        catch (OperationCanceledException)
        {
            await ProcessAsync(_btp.OnTimer(_clock.Elapsed));
            return;
        }

        switch (item)
        {
            case BinaryFrame frame:
                await ProcessAsync(_btp.Receive(frame.Payload, _clock.Elapsed));
                break;
            case Disconnected disconnected:
                Ended = $"disconnected: {disconnected.Reason}";
                break;
        }
    }

    private async Task ProcessAsync(IReadOnlyList<BtpOutput> outputs)
    {
        foreach (var output in outputs)
        {
            switch (output)
            {
                case BtpTransmit transmit:
                    await _session.SendBinaryAsync(new BinaryFrame(BinaryOpcode.WriteData, (ushort)Handle, transmit.Packet));
                    break;
                case BtpSessionOpened:
                    _opened = true;
                    break;
                case BtpMessageReceived received:
                    _messages.Enqueue(received.Message);
                    break;
                case BtpSessionClosed closed:
                    Ended = $"btp closed: {closed.Reason}";
                    break;
            }
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    public void Dispose() => _codec?.Dispose();
}
