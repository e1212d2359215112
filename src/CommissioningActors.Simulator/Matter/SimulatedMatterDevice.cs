using System.Security.Cryptography;
using CommissioningActors.Protocol.Matter.Crypto;
using CommissioningActors.Protocol.Matter.Messages;
using CommissioningActors.Protocol.Matter.SecureChannel;
using CommissioningActors.Protocol.Matter.Transport;

namespace CommissioningActors.Simulator.Matter;

/// <summary>
/// A simulated Matter device, transport-agnostic: whole Matter messages in from a link (<see cref="Receive"/>),
/// whole messages out through the link. PASE with its passcode, CASE for the fabrics it joined, and the
/// Interaction Model over <see cref="DeviceDataModel"/>. Thread-safe: every entry point takes one lock.
/// Call <see cref="Tick"/> every few tens of milliseconds for MRP and the fail-safe timer.
/// </summary>
public sealed partial class SimulatedMatterDevice : IDisposable
{
    public const int MaxSecureSessions = 16;
    public const int MaxUnsecuredPeers = 8;

    private readonly object _gate = new();
    private readonly byte[] _w0;
    private readonly byte[] _l;
    private readonly PbkdfParameters _pbkdf;
    private readonly Dictionary<ushort, DeviceSession> _secure = [];
    private readonly Dictionary<(IMatterDeviceTransport Link, ulong Node), DeviceSession> _unsecured = [];
    private readonly Action<string> _log;
    private readonly HashSet<ushort> _closing = [];

    public SimulatedMatterDevice(SimulatedDeviceOptions options, DeviceAttestationCredentials? attestation = null)
    {
        Options = options;
        State = new DeviceState(options, attestation ?? DeviceAttestationCredentials.For(options.VendorId, options.ProductId));
        Model = new DeviceDataModel(State);
        _log = options.Log ?? (_ => { });
        _pbkdf = new PbkdfParameters(options.PbkdfIterations, RandomNumberGenerator.GetBytes(32));
        var secrets = Spake2p.DeriveSecrets(options.Passcode, _pbkdf.Salt, _pbkdf.Iterations);
        if (!secrets.IsOk)
        {
            throw new ArgumentException("the passcode or PBKDF parameters are invalid", nameof(options));
        }

        _w0 = secrets.Value!.W0;
        _l = secrets.Value.ComputeL();
        State.FabricRemoved += OnFabricRemoved;
        State.FailSafeExpired += OnFailSafeExpired;
    }

    public SimulatedDeviceOptions Options { get; }
    public DeviceState State { get; }
    public DeviceDataModel Model { get; }

    public int SecureSessionCount
    {
        get
        {
            lock (_gate)
            {
                return _secure.Count;
            }
        }
    }

    /// <summary>Runs <paramref name="action"/> under the device's lock (tests and hosts reading state).</summary>
    public T Inspect<T>(Func<DeviceState, T> action)
    {
        lock (_gate)
        {
            return action(State);
        }
    }

    /// <summary>Handles one whole Matter message from <paramref name="link"/>. Malformed or unknown input is dropped.</summary>
    public void Receive(IMatterDeviceTransport link, ReadOnlyMemory<byte> message)
    {
        lock (_gate)
        {
            var packet = MessageCodec.DecodePacket(message);
            if (!packet.IsOk)
            {
                return;
            }

            if (packet.Value!.Header.IsUnsecured)
            {
                ReceiveUnsecured(link, message);
            }
            else if (_secure.TryGetValue(packet.Value.Header.SessionId, out var session) && session.Codec is { } codec)
            {
                var opened = codec.Open(packet.Value);
                if (opened.IsOk)
                {
                    session.Link = link;
                    session.LastUsed = DeviceSession.Now;
                    Handle(session, session.Exchanges.Receive(opened.Value!));
                }
            }

            CloseDeferred();
        }
    }

    /// <summary>MRP retransmissions and standalone acks, then the fail-safe timer.</summary>
    public void Tick()
    {
        lock (_gate)
        {
            foreach (var session in _secure.Values.Concat(_unsecured.Values).ToList())
            {
                Handle(session, session.Exchanges.OnTimer());
            }

            State.CheckFailSafe();
            CloseDeferred();
        }
    }

    /// <summary>The link is gone (BTP closed): its sessions go with it.</summary>
    public void Forget(IMatterDeviceTransport link)
    {
        lock (_gate)
        {
            foreach (var key in _unsecured.Keys.Where(k => k.Link == link).ToList())
            {
                _unsecured.Remove(key, out var s);
                s?.Dispose();
            }

            foreach (var id in _secure.Where(p => p.Value.Link == link).Select(p => p.Key).ToList())
            {
                CloseSession(id);
            }
        }
    }

    private void ReceiveUnsecured(IMatterDeviceTransport link, ReadOnlyMemory<byte> datagram)
    {
        var message = MessageCodec.DecodeUnsecured(datagram);
        if (!message.IsOk || message.Value!.Header.SourceNodeId is not { } initiator)
        {
            return;
        }

        var key = (link, initiator);
        if (!_unsecured.TryGetValue(key, out var session))
        {
            if (_unsecured.Count >= MaxUnsecuredPeers)
            {
                var oldest = _unsecured.MinBy(p => p.Value.LastUsed);
                _unsecured.Remove(oldest.Key);
                oldest.Value.Dispose();
            }

            session = DeviceSession.Unsecured(link, initiator);
            _unsecured[key] = session;
        }

        session.LastUsed = DeviceSession.Now;
        Handle(session, session.Exchanges.Receive(message.Value));
    }

    private void Handle(DeviceSession session, IReadOnlyList<ExchangeOutput> outputs)
    {
        foreach (var output in session.Carry(outputs))
        {
            switch (output)
            {
                case DeliverMessage deliver when session.Codec is null:
                    OnEstablishmentMessage(session, deliver);
                    break;
                case DeliverMessage deliver:
                    OnSecureMessage(session, deliver);
                    break;
                case DeliveryFailed failed:
                    session.Interactions?.Forget(failed.Exchange);
                    break;
                case CounterExhausted when session.Codec is not null:
                    CloseSession(session.LocalSessionId);
                    return;
            }
        }
    }

    private void OnSecureMessage(DeviceSession session, DeliverMessage deliver)
    {
        var message = deliver.Message;
        if (message.Exchange.Protocol == MatterProtocolId.SecureChannel)
        {
            if (message.Exchange.Is(SecureChannelOpcode.StatusReport) && StatusReport.Decode(message.Payload) is { IsOk: true } report
                && report.Value!.ProtocolCode == (ushort)SecureChannelStatusCode.CloseSession)
            {
                // Acknowledge first (MRP): the peer would otherwise retransmit into a session that is gone.
                Handle(session, session.Exchanges.Close(deliver.Exchange));
                CloseSession(session.LocalSessionId);
                return;
            }

            Handle(session, session.Exchanges.Close(deliver.Exchange));
            return;
        }

        if (message.Exchange.Protocol != MatterProtocolId.InteractionModel)
        {
            Handle(session, session.Exchanges.Close(deliver.Exchange));
            return;
        }

        var context = new InteractionContext(session.IsCase, session.FabricIndex, session.PeerNodeId, session.LocalSessionId, session.AttestationChallenge)
        {
            BindToFabric = index => session.FabricIndex = index,
        };
        var replies = session.Interactions!.OnMessage(deliver.Exchange, message.Exchange.Opcode, message.Payload, context);
        foreach (var reply in replies)
        {
            if (!session.Exchanges.IsOpen(deliver.Exchange) || session.Exchanges.AwaitsAck(deliver.Exchange))
            {
                break;
            }

            Handle(session, session.Exchanges.Send(deliver.Exchange, (byte)reply.Opcode, reply.Payload, protocol: MatterProtocolId.InteractionModel));
            if (reply.Ends)
            {
                session.Interactions.Forget(deliver.Exchange);
                Handle(session, session.Exchanges.Close(deliver.Exchange));
            }
        }

        if (replies.Count == 0)
        {
            Handle(session, session.Exchanges.Close(deliver.Exchange));
        }
    }

    /// <summary>
    /// A fabric's CASE sessions close once the current message is handled: the command that removed the fabric
    /// (RemoveFabric, ArmFailSafe 0) still gets its response on one of them.
    /// </summary>
    private void OnFabricRemoved(byte index)
    {
        foreach (var session in _secure.Values.Where(s => s.FabricIndex == index).ToList())
        {
            if (session.IsCase)
            {
                _closing.Add(session.LocalSessionId);
            }
            else
            {
                session.FabricIndex = 0;
            }
        }
    }

    /// <summary>Fail-safe expiry ends every PASE session (core spec 11.10.7.2.2).</summary>
    private void OnFailSafeExpired()
    {
        _log("fail-safe expired: commissioning state reverted, PASE sessions closed");
        foreach (var session in _secure.Values.Where(s => !s.IsCase).ToList())
        {
            _closing.Add(session.LocalSessionId);
        }
    }

    private void CloseDeferred()
    {
        foreach (var id in _closing)
        {
            CloseSession(id);
        }

        _closing.Clear();
    }

    private void CloseSession(ushort id)
    {
        if (_secure.Remove(id, out var session))
        {
            session.Dispose();
        }
    }

    private ushort NewSessionId()
    {
        while (true)
        {
            var id = (ushort)RandomNumberGenerator.GetInt32(1, 65536);
            if (!_secure.ContainsKey(id))
            {
                return id;
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var session in _secure.Values.Concat(_unsecured.Values))
            {
                session.Dispose();
            }

            _secure.Clear();
            _unsecured.Clear();
            State.Dispose();
            State.Attestation.Dispose();
        }
    }

    public override string ToString() => Options.ToString();
}
