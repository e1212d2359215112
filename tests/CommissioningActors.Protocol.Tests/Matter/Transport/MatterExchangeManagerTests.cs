using CommissioningActors.Protocol.Matter.Messages;
using CommissioningActors.Protocol.Matter.Transport;
using Xunit;
using static CommissioningActors.Protocol.Tests.Matter.Transport.TransportTestKit;

namespace CommissioningActors.Protocol.Tests.Matter.Transport;

public class MatterExchangeManagerTests
{
    private readonly ManualClock _clock = new();

    [Fact]
    public void A_reliable_message_sets_R_and_is_retransmitted_unchanged_on_the_idle_backoff_then_fails()
    {
        var manager = Manager(_clock);
        var exchange = manager.StartExchange(MatterProtocolId.InteractionModel);
        var sent = Single<TransmitMessage>(manager.Send(exchange, ReadRequest, new byte[] { 1 })).Message;
        Assert.True(sent.Exchange.RequiresAck);
        Assert.True(sent.Exchange.IsInitiator);
        Assert.Equal(0x1000, sent.Exchange.ExchangeId);
        Assert.Equal(100u, sent.Header.Counter);
        Assert.Equal(0x4242, sent.Header.SessionId);

        // Never heard from the peer: SII (500 ms) is the base. 550, 550, 880, 1408, 2252 ms.
        var expectedGaps = new[] { 550, 550, 880, 1408 };
        for (var i = 0; i < expectedGaps.Length; i++)
        {
            Assert.Equal(_clock.Now + TimeSpan.FromMilliseconds(expectedGaps[i]), manager.NextDeadline);
            _clock.AdvanceMs(expectedGaps[i] - 1);
            Assert.Empty(manager.OnTimer());
            _clock.AdvanceMs(1);
            var again = Single<TransmitMessage>(manager.OnTimer());
            Assert.Equal(i + 2, again.Transmission);
            Assert.Same(sent, again.Message);
        }

        _clock.AdvanceMs(2252);
        var failed = Single<DeliveryFailed>(manager.OnTimer());
        Assert.Equal(new DeliveryFailed(exchange, 100, 5), failed);
        Assert.Null(manager.NextDeadline);
        Assert.False(manager.IsOpen(exchange));
    }

    [Fact]
    public void An_active_peer_gets_the_active_interval_and_jitter_stretches_it()
    {
        var manager = Manager(_clock, jitter: 0.5);
        var exchange = manager.StartExchange(MatterProtocolId.InteractionModel);
        manager.Receive(StandaloneAck(7, exchange.Id, peerInitiated: false, acked: 1)); // heard from the peer
        manager.Send(exchange, ReadRequest, ReadOnlyMemory<byte>.Empty);
        Assert.True(manager.PeerIsActive);
        Assert.Equal(TimeSpan.FromMilliseconds(371), manager.NextDeadline); // 300 × 1.1 × 1.125

        _clock.AdvanceMs(4000);
        Assert.False(manager.PeerIsActive); // SAT passed: back to SII for the next retransmission
        Single<TransmitMessage>(manager.OnTimer());
        Assert.Equal(_clock.Now + TimeSpan.FromMilliseconds(618), manager.NextDeadline); // 500 × 1.1 × 1.125
    }

    [Fact]
    public void An_ack_for_the_outstanding_counter_stops_retransmission()
    {
        var manager = Manager(_clock);
        var exchange = manager.StartExchange(MatterProtocolId.InteractionModel);
        manager.Send(exchange, ReadRequest, ReadOnlyMemory<byte>.Empty);

        Assert.Empty(manager.Receive(StandaloneAck(7, exchange.Id, peerInitiated: false, acked: 99)));
        Assert.NotNull(manager.NextDeadline);

        var acked = Single<MessageAcknowledged>(manager.Receive(StandaloneAck(8, exchange.Id, peerInitiated: false, acked: 100)));
        Assert.Equal(new MessageAcknowledged(exchange, 100), acked);
        Assert.Null(manager.NextDeadline);
        _clock.AdvanceMs(60_000);
        Assert.Empty(manager.OnTimer());
        Assert.True(manager.IsOpen(exchange));
    }

    [Fact]
    public void A_response_carrying_the_ack_is_delivered_and_our_next_message_piggybacks_its_ack()
    {
        var manager = Manager(_clock);
        var exchange = manager.StartExchange(MatterProtocolId.InteractionModel);
        manager.Send(exchange, ReadRequest, ReadOnlyMemory<byte>.Empty);

        var outputs = manager.Receive(FromPeer(500, exchange.Id, peerInitiated: false, acked: 100));
        Assert.IsType<MessageAcknowledged>(outputs[0]);
        var delivered = Assert.IsType<DeliverMessage>(outputs[1]);
        Assert.False(delivered.OpensExchange);
        Assert.Equal(exchange, delivered.Exchange);

        _clock.AdvanceMs(100);
        var reply = Single<TransmitMessage>(manager.Send(exchange, (byte)InteractionModelOpcode.StatusResponse,
            new byte[] { 0x15, 0x18 })).Message;
        Assert.Equal(500u, reply.Exchange.AckedCounter);

        _clock.AdvanceMs(200);
        Assert.DoesNotContain(manager.OnTimer(), o => o is TransmitMessage { Message.Exchange.Opcode: 0x10 });
    }

    [Fact]
    public void Without_a_reply_a_standalone_ack_goes_out_after_200_ms()
    {
        var manager = Manager(_clock);
        var exchange = manager.StartExchange(MatterProtocolId.InteractionModel);
        manager.Send(exchange, ReadRequest, ReadOnlyMemory<byte>.Empty, reliable: false);
        Single<DeliverMessage>(manager.Receive(FromPeer(500, exchange.Id, peerInitiated: false)));
        Assert.Equal(TimeSpan.FromMilliseconds(200), manager.NextDeadline);

        _clock.AdvanceMs(199);
        Assert.Empty(manager.OnTimer());
        _clock.AdvanceMs(1);
        var ack = Single<TransmitMessage>(manager.OnTimer()).Message;
        Assert.True(ack.Exchange.Is(SecureChannelOpcode.StandaloneAck));
        Assert.Equal(500u, ack.Exchange.AckedCounter);
        Assert.False(ack.Exchange.RequiresAck);
        Assert.True(ack.Exchange.IsInitiator);
        Assert.Equal(exchange.Id, ack.Exchange.ExchangeId);
        Assert.Empty(ack.Payload.ToArray());
        Assert.Null(manager.NextDeadline);
    }

    [Fact]
    public void A_duplicate_is_acknowledged_again_at_once_and_never_delivered_twice()
    {
        var manager = Manager(_clock);
        var first = manager.Receive(FromPeer(500, 7, peerInitiated: true));
        var opened = Single<DeliverMessage>(first);
        Assert.True(opened.OpensExchange);
        Assert.Equal(new ExchangeKey(7, WeInitiated: false), opened.Exchange);

        var again = manager.Receive(FromPeer(500, 7, peerInitiated: true));
        Assert.Equal(new MessageDropped(opened.Exchange, 500, DropReason.Duplicate), again[0]);
        var ack = Assert.IsType<TransmitMessage>(again[1]).Message;
        Assert.Equal(500u, ack.Exchange.AckedCounter);
        Assert.False(ack.Exchange.IsInitiator);
        Assert.Equal(2, again.Count);
    }

    [Fact]
    public void A_second_message_before_we_answer_flushes_the_first_ack()
    {
        var manager = Manager(_clock);
        manager.Receive(FromPeer(500, 7, peerInitiated: true));
        var outputs = manager.Receive(FromPeer(501, 7, peerInitiated: true));
        Assert.Equal(500u, Assert.IsType<TransmitMessage>(outputs[0]).Message.Exchange.AckedCounter);
        Assert.IsType<DeliverMessage>(outputs[1]);

        var reply = Single<TransmitMessage>(manager.Send(new ExchangeKey(7, false), ReportData, ReadOnlyMemory<byte>.Empty));
        Assert.Equal(501u, reply.Message.Exchange.AckedCounter);
        Assert.False(reply.Message.Exchange.IsInitiator);
    }

    [Fact]
    public void A_reply_on_an_exchange_we_do_not_know_is_dropped_but_acknowledged()
    {
        var manager = Manager(_clock);
        var outputs = manager.Receive(FromPeer(500, 99, peerInitiated: false));
        Assert.Equal(new MessageDropped(new ExchangeKey(99, true), 500, DropReason.UnknownExchange), outputs[0]);
        Assert.Equal(500u, Assert.IsType<TransmitMessage>(outputs[1]).Message.Exchange.AckedCounter);
    }

    [Fact]
    public void Peer_opened_exchanges_are_bounded()
    {
        var manager = Manager(_clock, maxPeerExchanges: 2);
        Single<DeliverMessage>(manager.Receive(FromPeer(1, 1, peerInitiated: true)));
        Single<DeliverMessage>(manager.Receive(FromPeer(2, 2, peerInitiated: true)));
        var dropped = Single<MessageDropped>(manager.Receive(FromPeer(3, 3, peerInitiated: true)));
        Assert.Equal(DropReason.TooManyExchanges, dropped.Reason);
        Assert.Equal(2, manager.OpenExchanges);

        manager.Close(new ExchangeKey(1, false));
        Single<DeliverMessage>(manager.Receive(FromPeer(4, 3, peerInitiated: true)));
    }

    [Fact]
    public void Closing_sends_the_pending_ack_and_waits_for_our_last_message_to_be_acked()
    {
        var manager = Manager(_clock);
        var exchange = new ExchangeKey(7, false);
        manager.Receive(FromPeer(500, 7, peerInitiated: true));
        manager.Send(exchange, ReportData, ReadOnlyMemory<byte>.Empty); // piggybacks 500
        manager.Receive(FromPeer(501, 7, peerInitiated: true, acked: null));

        var ack = Single<TransmitMessage>(manager.Close(exchange)).Message;
        Assert.Equal(501u, ack.Exchange.AckedCounter);
        Assert.False(manager.IsOpen(exchange));
        Assert.Equal(1, manager.OpenExchanges); // still retransmitting counter 100

        _clock.AdvanceMs(550);
        Single<TransmitMessage>(manager.OnTimer());
        Single<MessageAcknowledged>(manager.Receive(StandaloneAck(502, 7, peerInitiated: true, acked: 100)));
        Assert.Equal(0, manager.OpenExchanges);
        Assert.Throws<InvalidOperationException>(() => manager.Send(exchange, ReportData, ReadOnlyMemory<byte>.Empty));
    }

    [Fact]
    public void Only_one_reliable_message_may_be_outstanding_per_exchange()
    {
        var manager = Manager(_clock);
        var exchange = manager.StartExchange(MatterProtocolId.InteractionModel);
        manager.Send(exchange, ReadRequest, ReadOnlyMemory<byte>.Empty);
        Assert.Throws<InvalidOperationException>(() => manager.Send(exchange, ReadRequest, ReadOnlyMemory<byte>.Empty));
    }

    [Fact]
    public void Exchange_ids_start_at_the_random_draw_and_count_up()
    {
        var manager = Manager(_clock, exchangeId: 0xFFFF);
        Assert.Equal(new ExchangeKey(0xFFFF, true), manager.StartExchange(MatterProtocolId.SecureChannel));
        Assert.Equal(new ExchangeKey(0x0000, true), manager.StartExchange(MatterProtocolId.SecureChannel));
        Assert.Equal(new ExchangeKey(0x0001, true), manager.StartExchange(MatterProtocolId.SecureChannel));
    }

    [Fact]
    public void A_spent_counter_is_reported_not_wrapped()
    {
        var manager = Manager(_clock, firstCounter: uint.MaxValue);
        var exchange = manager.StartExchange(MatterProtocolId.InteractionModel);
        Single<TransmitMessage>(manager.Send(exchange, ReadRequest, ReadOnlyMemory<byte>.Empty, reliable: false));
        Single<CounterExhausted>(manager.Send(exchange, ReadRequest, ReadOnlyMemory<byte>.Empty, reliable: false));
    }

    [Fact]
    public void Unsecured_addressing_carries_the_ephemeral_source_node_id()
    {
        var manager = new MatterExchangeManager(
            new ExchangeManagerOptions(new MessageAddressing(0, SourceNodeId: 0x5A5A), UseMrp: true),
            MessageCounter.StartingAt(1, rollsOver: true), ReceptionWindow.ForUnsecured(), () => _clock.Now, new FixedRandom());
        var sent = Single<TransmitMessage>(manager.Send(manager.StartExchange(MatterProtocolId.SecureChannel),
            (byte)SecureChannelOpcode.PbkdfParamRequest, ReadOnlyMemory<byte>.Empty)).Message;
        Assert.True(sent.Header.IsUnsecured);
        Assert.Equal(0x5A5AUL, sent.Header.SourceNodeId);
        Assert.True(sent.Exchange.Is(SecureChannelOpcode.PbkdfParamRequest));
    }
}
