using CommissioningActors.Protocol.Matter.Messages;
using CommissioningActors.Protocol.Matter.Transport;
using Xunit;
using static CommissioningActors.Protocol.Tests.Matter.Transport.TransportTestKit;

namespace CommissioningActors.Protocol.Tests.Matter.Transport;

/// <summary>With MRP off (BTP, TCP) the same exchange layer never sets R, never acks, never retransmits.</summary>
public class ReliableTransportModeTests
{
    private readonly ManualClock _clock = new();

    [Fact]
    public void Sends_without_R_and_never_retransmits()
    {
        var manager = Manager(_clock, mrp: false);
        var exchange = manager.StartExchange(MatterProtocolId.SecureChannel);
        var sent = Single<TransmitMessage>(manager.Send(exchange, (byte)SecureChannelOpcode.Pake1, new byte[] { 1 })).Message;
        Assert.False(sent.Exchange.RequiresAck);
        Assert.Null(sent.Exchange.AckedCounter);
        Assert.Null(manager.NextDeadline);
        _clock.AdvanceMs(60_000);
        Assert.Empty(manager.OnTimer());

        // No outstanding message means a second send on the exchange is fine.
        Single<TransmitMessage>(manager.Send(exchange, (byte)SecureChannelOpcode.Pake3, new byte[] { 2 }));
    }

    [Fact]
    public void Ignores_R_from_the_peer_and_never_acks()
    {
        var manager = Manager(_clock, mrp: false);
        var exchange = manager.StartExchange(MatterProtocolId.SecureChannel);
        manager.Send(exchange, (byte)SecureChannelOpcode.Pake1, ReadOnlyMemory<byte>.Empty);
        Single<DeliverMessage>(manager.Receive(FromPeer(500, exchange.Id, peerInitiated: false, requiresAck: true)));
        Assert.Null(manager.NextDeadline);
        var reply = Single<TransmitMessage>(manager.Send(exchange, (byte)SecureChannelOpcode.Pake3, ReadOnlyMemory<byte>.Empty));
        Assert.Null(reply.Message.Exchange.AckedCounter);
        Assert.Empty(manager.Close(exchange));
    }

    [Fact]
    public void Still_drops_duplicates_but_sends_no_ack_for_them()
    {
        var manager = Manager(_clock, mrp: false);
        Single<DeliverMessage>(manager.Receive(FromPeer(500, 7, peerInitiated: true)));
        Assert.Equal(DropReason.Duplicate, Single<MessageDropped>(manager.Receive(FromPeer(500, 7, peerInitiated: true))).Reason);
    }
}
