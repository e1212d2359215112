using CommissioningActors.Protocol.Matter.Messages;
using CommissioningActors.Protocol.Matter.Transport;

namespace CommissioningActors.Protocol.Tests.Matter.Transport;

/// <summary>A clock the test moves by hand.</summary>
internal sealed class ManualClock
{
    public TimeSpan Now { get; private set; }

    public void Advance(TimeSpan by) => Now += by;

    public void AdvanceTo(TimeSpan to) => Now = to;

    public void AdvanceMs(double ms) => Now += TimeSpan.FromMilliseconds(ms);
}

/// <summary>Random with a fixed jitter draw and a fixed first exchange id.</summary>
internal sealed class FixedRandom(double jitter = 0, int exchangeId = 0x1000) : Random
{
    public override double NextDouble() => jitter;

    public override int Next(int minValue, int maxValue) => exchangeId;
}

internal static class TransportTestKit
{
    public const byte ReadRequest = (byte)InteractionModelOpcode.ReadRequest;
    public const byte ReportData = (byte)InteractionModelOpcode.ReportData;

    public static MatterExchangeManager Manager(
        ManualClock clock, bool mrp = true, double jitter = 0, int exchangeId = 0x1000, uint firstCounter = 100,
        int maxPeerExchanges = 16, SessionParameters? peer = null) =>
        new(new ExchangeManagerOptions(new MessageAddressing(0x4242), mrp, peer, maxPeerExchanges),
            MessageCounter.StartingAt(firstCounter, rollsOver: false),
            ReceptionWindow.ForSecureUnicast(),
            () => clock.Now,
            new FixedRandom(jitter, exchangeId));

    /// <summary>A message as the peer would send it.</summary>
    public static MatterMessage FromPeer(
        uint counter, ushort exchangeId, bool peerInitiated, byte opcode = ReportData, bool requiresAck = true,
        uint? acked = null, MatterProtocolId? protocol = null) =>
        new(new MessageHeader(0x1111, SessionType.Unicast, counter),
            new ExchangeHeader(opcode, exchangeId, protocol ?? MatterProtocolId.InteractionModel, peerInitiated, requiresAck, acked),
            new byte[] { 0x15, 0x18 });

    public static MatterMessage StandaloneAck(uint counter, ushort exchangeId, bool peerInitiated, uint acked) =>
        FromPeer(counter, exchangeId, peerInitiated, (byte)SecureChannelOpcode.StandaloneAck, requiresAck: false,
            acked, MatterProtocolId.SecureChannel);

    public static T Single<T>(IReadOnlyList<ExchangeOutput> outputs) where T : ExchangeOutput =>
        Xunit.Assert.IsType<T>(Xunit.Assert.Single(outputs));
}
