using System.Diagnostics;
using CommissioningActors.Protocol.Matter.Messages;
using CommissioningActors.Protocol.Matter.SecureChannel;
using CommissioningActors.Protocol.Matter.Transport;

namespace CommissioningActors.Simulator.Matter;

/// <summary>
/// One of the device's sessions: the unsecured one a peer's establishment runs on (keyed by the peer's
/// ephemeral node id), or a secure PASE/CASE session. Holds the exchange layer (MRP unless the link is reliable),
/// the codec once secured, and the session's Interaction Model state.
/// </summary>
internal sealed class DeviceSession : IDisposable
{
    private static readonly Stopwatch Clock = Stopwatch.StartNew();

    private DeviceSession(IMatterDeviceTransport link, ushort localId, MatterExchangeManager exchanges, SecureMessageCodec? codec)
    {
        Link = link;
        LocalSessionId = localId;
        Exchanges = exchanges;
        Codec = codec;
    }

    public IMatterDeviceTransport Link { get; set; }
    public ushort LocalSessionId { get; }
    public MatterExchangeManager Exchanges { get; }
    public SecureMessageCodec? Codec { get; }
    public bool IsCase { get; private init; }
    public byte FabricIndex { get; set; }
    public ulong? PeerNodeId { get; private init; }
    public byte[] AttestationChallenge { get; private init; } = [];
    public InteractionServer? Interactions { get; private init; }
    public TimeSpan LastUsed { get; set; } = Now;

    /// <summary>The establishment running on an unsecured session, per exchange (one at a time).</summary>
    public (ExchangeKey Exchange, PaseResponder? Pase, CaseResponder? Case)? Establishing { get; set; }

    public static TimeSpan Now => Clock.Elapsed;

    public static DeviceSession Unsecured(IMatterDeviceTransport link, ulong initiatorNodeId) => new(link, 0, new MatterExchangeManager(
        new ExchangeManagerOptions(new MessageAddressing(0, DestinationNodeId: initiatorNodeId), UseMrp: !link.IsReliable),
        MessageCounter.ForUnsecured(), ReceptionWindow.ForUnsecured(), () => Clock.Elapsed, new Random()), null);

    public static DeviceSession Secure(IMatterDeviceTransport link, SessionEstablished session, DeviceDataModel model, ulong localNodeId, byte fabricIndex, Action<string>? log)
    {
        var codec = new SecureMessageCodec(session.EncryptKey, session.DecryptKey, localNodeId, session.PeerNodeId ?? 0);
        var exchanges = new MatterExchangeManager(
            new ExchangeManagerOptions(new MessageAddressing(session.PeerSessionId), UseMrp: !link.IsReliable, session.PeerParameters.Mrp),
            MessageCounter.ForSecureSession(), ReceptionWindow.ForSecureUnicast(), () => Clock.Elapsed, new Random());
        return new DeviceSession(link, session.LocalSessionId, exchanges, codec)
        {
            IsCase = session.PeerNodeId is not null,
            PeerNodeId = session.PeerNodeId,
            FabricIndex = fabricIndex,
            AttestationChallenge = session.Keys.AttestationChallenge,
            Interactions = new InteractionServer(model, () => Clock.Elapsed, log),
        };
    }

    /// <summary>Seals (when secured) and sends what the exchange layer asks; returns the other outputs.</summary>
    public List<ExchangeOutput> Carry(IReadOnlyList<ExchangeOutput> outputs)
    {
        var rest = new List<ExchangeOutput>();
        foreach (var output in outputs)
        {
            if (output is TransmitMessage { Message: var m })
            {
                Link.Send(Codec is null ? MessageCodec.Encode(m) : Codec.Seal(m.Header, m.Exchange, m.Payload.Span));
            }
            else
            {
                rest.Add(output);
            }
        }

        return rest;
    }

    public void Dispose()
    {
        Codec?.Dispose();
        Establishing?.Case?.Dispose();
    }

    public override string ToString() => Codec is null ? "unsecured session" : $"{(IsCase ? "CASE" : "PASE")} session {LocalSessionId}";
}
