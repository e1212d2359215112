using CommissioningActors.Protocol.Matter.Btp;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace CommissioningActors.Protocol.Tests.Matter.Btp;

public class BtpSessionTests
{
    private static readonly TimeSpan T0 = TimeSpan.FromSeconds(100);

    private static byte[] Message(int length, int seed = 0) => [.. Enumerable.Range(seed, length).Select(i => (byte)i)];

    [Fact]
    public void Handshake_negotiates_version_segment_and_window_on_both_sides()
    {
        var central = BtpSession.Central(new BtpSessionOptions { WindowSize = 8 });
        var peripheral = BtpSession.Peripheral(185, new BtpSessionOptions { WindowSize = 5 });

        var request = Assert.IsType<BtpTransmit>(Assert.Single(central.Start(247, T0)));
        Assert.True(request.IsHandshake);
        Assert.Equal(new byte[] { 0x65, 0x6C, 0x04, 0x00, 0x00, 0x00, 0xF7, 0x00, 0x08 }, request.Packet);

        var answer = peripheral.Receive(request.Packet, T0);
        var response = Assert.IsType<BtpTransmit>(answer[0]);
        Assert.Equal(new byte[] { 0x65, 0x6C, 0x04, 0xB6, 0x00, 0x05 }, response.Packet); // segment 182, window 5
        Assert.Equal(new BtpSessionOpened(4, 182, 5), answer[1]);

        Assert.Equal(new BtpSessionOpened(4, 182, 5), Assert.Single(central.Receive(response.Packet, T0)));
        Assert.True(central.IsOpen && peripheral.IsOpen);
        Assert.Equal((182, 5), ((int)central.SegmentSize, (int)central.WindowSize));
    }

    [Fact]
    public void Central_acks_the_handshake_response_when_the_ack_timer_fires()
    {
        var pair = new BtpPair();

        Assert.Equal(pair.Now + TimeSpan.FromSeconds(5), pair.Central.NextDeadline);
        pair.RunUntil(TimeSpan.FromSeconds(5));

        // The response was the device's packet 0; the standalone ack is our packet 0.
        Assert.Equal(new byte[] { 0x08, 0x00, 0x00 }, pair.Wire[2].Packet);
        Assert.Equal(0, pair.Peripheral.UnackedSent);
    }

    [Fact]
    public void First_data_piggybacks_the_pending_ack()
    {
        var pair = new BtpPair();

        pair.SendFromCentral([0xAA, 0xBB]);

        Assert.Equal(new byte[] { 0x0D, 0x00, 0x00, 0x02, 0x00, 0xAA, 0xBB }, pair.Wire[^1].Packet);
        pair.Pump();
        Assert.Equal([0xAA, 0xBB], Assert.Single(pair.ReceivedByPeripheral));
        Assert.Null(pair.Central.NextDeadline is { } d && d <= pair.Now ? d : null);
    }

    [Fact]
    public void Segments_follow_the_negotiated_size_with_begin_continue_end_flags()
    {
        var pair = new BtpPair(attMtu: 23, linkAttMtu: 23); // 20-byte segments
        pair.RunUntil(TimeSpan.FromSeconds(5)); // the handshake ack goes out alone
        var sent = pair.Wire.Count;
        var message = Message(40);

        pair.SendFromCentral(message);
        pair.Pump();

        // TestBtpEngine HandleCharacteristicSendThreePacket: 16 + 18 + 6 payload bytes.
        var packets = pair.Wire.Skip(sent).Where(w => w.From == BtpRole.Central).Select(w => w.Packet).ToList();
        Assert.Equal([20, 20, 8], packets.Select(p => p.Length));
        Assert.Equal(new byte[] { 0x01, 0x01, 40, 0x00 }, packets[0][..4]);
        Assert.Equal(new byte[] { 0x02, 0x02 }, packets[1][..2]);
        Assert.Equal(new byte[] { 0x06, 0x03 }, packets[2][..2]);
        Assert.Equal(message, Assert.Single(pair.ReceivedByPeripheral));
    }

    [Fact]
    public void A_large_message_each_way_crosses_a_small_window()
    {
        var options = new BtpSessionOptions { WindowSize = 3 };
        var pair = new BtpPair(options, options, attMtu: 23, linkAttMtu: 23);
        var toDevice = Message(1200, 1);
        var toCentral = Message(900, 7);

        pair.SendFromCentral(toDevice);
        pair.SendFromPeripheral(toCentral);
        pair.Pump(); // no timer: the window alone (immediate acks) drives the transfer

        Assert.Equal(toDevice, Assert.Single(pair.ReceivedByPeripheral));
        Assert.Equal(toCentral, Assert.Single(pair.ReceivedByCentral));
        Assert.Empty(pair.Closed);
        Assert.Equal(0, pair.Central.QueuedMessages + pair.Peripheral.QueuedMessages);
    }

    [Fact]
    public void Sender_never_exceeds_the_window_and_keeps_the_last_slot_for_an_ack()
    {
        var options = new BtpSessionOptions { WindowSize = 4 };
        var central = BtpSession.Central(options);
        var peripheral = BtpSession.Peripheral(23, options);
        var request = ((BtpTransmit)central.Start(23, T0)[0]).Packet;
        central.Receive(((BtpTransmit)peripheral.Receive(request, T0)[0]).Packet, T0);

        var sent = central.Send(Message(200), T0).OfType<BtpTransmit>().ToList();

        // Window 4: the first packet carries the handshake ack, then data up to the reserved last slot.
        Assert.Equal(3, sent.Count);
        Assert.Equal(3, central.UnackedSent);
        Assert.Equal(1, central.QueuedMessages);
    }

    [Fact]
    public void Receiver_acks_at_once_when_its_window_runs_low()
    {
        var options = new BtpSessionOptions { WindowSize = 4 };
        var pair = new BtpPair(options, options, attMtu: 23, linkAttMtu: 23);
        pair.RunUntil(TimeSpan.FromSeconds(5));
        var before = pair.Wire.Count;

        pair.SendFromCentral(Message(60));
        pair.Pump();

        var fromDevice = pair.Wire.Skip(before).Where(w => w.From == BtpRole.Peripheral).Select(w => w.Packet).ToList();
        Assert.NotEmpty(fromDevice);
        Assert.All(fromDevice, p => Assert.Equal(BtpFlags.Ack, (BtpFlags)p[0]));
        Assert.Equal(Message(60), Assert.Single(pair.ReceivedByPeripheral));
    }

    [Fact]
    public void Idle_peers_keep_the_session_alive_with_standalone_acks()
    {
        var pair = new BtpPair(new BtpSessionOptions { IdleTimeout = null });
        pair.SendFromCentral(Message(10));

        pair.RunUntil(TimeSpan.FromMinutes(2));

        Assert.Empty(pair.Closed);
        var acks = pair.Wire.Skip(3).Count(w => w.Packet.Length == 3 && w.Packet[0] == (byte)BtpFlags.Ack);
        Assert.InRange(acks, 20, 30); // one every 5 s, alternating sides
        Assert.True(pair.Central.IsOpen && pair.Peripheral.IsOpen);
    }

    [Fact]
    public void Central_closes_after_the_idle_timeout_without_new_data()
    {
        var pair = new BtpPair(new BtpSessionOptions { IdleTimeout = TimeSpan.FromSeconds(30) });
        pair.RunUntil(TimeSpan.FromSeconds(20));
        pair.SendFromCentral(Message(5)); // new data restarts the idle timer

        pair.RunUntil(TimeSpan.FromSeconds(49));
        Assert.Empty(pair.Closed);
        pair.RunUntil(TimeSpan.FromSeconds(51));

        Assert.Equal(BtpCloseReason.IdleTimeout, Assert.Single(pair.Closed).Reason);
        Assert.True(pair.Central.IsClosed);
    }

    [Fact]
    public void Unacknowledged_packets_close_the_session_after_the_ack_timeout()
    {
        var central = BtpSession.Central();
        var peripheral = BtpSession.Peripheral(247);
        central.Receive(((BtpTransmit)peripheral.Receive(((BtpTransmit)central.Start(247, T0)[0]).Packet, T0)[0]).Packet, T0);
        central.Send(Message(10), T0); // the device never answers

        Assert.Equal(T0 + TimeSpan.FromSeconds(15), central.NextDeadline);
        var closed = Assert.IsType<BtpSessionClosed>(Assert.Single(central.OnTimer(T0 + TimeSpan.FromSeconds(15))));

        Assert.Equal(BtpCloseReason.AckTimeout, closed.Reason);
        Assert.Null(central.NextDeadline);
    }

    [Fact]
    public void Peripheral_closes_when_the_handshake_response_is_never_acknowledged()
    {
        var peripheral = BtpSession.Peripheral(247);
        peripheral.Receive(BtpHandshakeRequest.Default(247, 4).Encode(), T0);

        var outputs = peripheral.OnTimer(T0 + TimeSpan.FromSeconds(15));

        Assert.Equal(BtpCloseReason.AckTimeout, Assert.IsType<BtpSessionClosed>(Assert.Single(outputs)).Reason);
    }

    [Fact]
    public void Central_gives_up_when_no_handshake_response_arrives()
    {
        var central = BtpSession.Central(new BtpSessionOptions { HandshakeTimeout = TimeSpan.FromSeconds(10) });
        central.Start(247, T0);

        Assert.Empty(central.OnTimer(T0 + TimeSpan.FromSeconds(9)));
        var closed = Assert.IsType<BtpSessionClosed>(Assert.Single(central.OnTimer(T0 + TimeSpan.FromSeconds(10))));

        Assert.Equal(BtpCloseReason.HandshakeTimeout, closed.Reason);
    }

    [Theory]
    [InlineData(new byte[] { 0x65, 0x6C, 0x00, 0xF4, 0x00, 0x06 }, "shares no BTP version")]
    [InlineData(new byte[] { 0x65, 0x6C, 0x03, 0xF4, 0x00, 0x06 }, "version 3")]
    [InlineData(new byte[] { 0x65, 0x6C, 0x04, 0x13, 0x00, 0x06 }, "segment size 19")]
    [InlineData(new byte[] { 0x65, 0x6C, 0x04, 0xF4, 0x00, 0x00 }, "window 0")]
    [InlineData(new byte[] { 0x65, 0x6C, 0x04, 0xF4, 0x00, 0x07 }, "window 7")]
    [InlineData(new byte[] { 0x65, 0x6C, 0x04, 0xF4, 0x00 }, "malformed handshake response")]
    public void Central_rejects_a_bad_handshake_response(byte[] response, string reason)
    {
        var central = BtpSession.Central();
        central.Start(247, T0);

        var closed = Assert.IsType<BtpSessionClosed>(Assert.Single(central.Receive(response, T0)));

        Assert.Equal(BtpCloseReason.HandshakeFailed, closed.Reason);
        Assert.Contains(reason, closed.Message);
        Assert.True(central.IsClosed);
    }

    [Fact]
    public void Peripheral_answers_version_zero_and_closes_when_no_version_is_shared()
    {
        var peripheral = BtpSession.Peripheral(247);

        var outputs = peripheral.Receive(new BtpHandshakeRequest([3, 2], 247, 4).Encode(), T0);

        Assert.Equal(0, ((BtpTransmit)outputs[0]).Packet[2]);
        Assert.Equal(BtpCloseReason.HandshakeFailed, ((BtpSessionClosed)outputs[1]).Reason);
    }

    public static TheoryData<string, byte[], BtpCloseReason> BadPackets => new()
    {
        { "reserved flag", [0x85, 0x00, 0x01, 0x00, 0xFF], BtpCloseReason.MalformedPacket },
        { "begin and continue", [0x03, 0x00, 0x01, 0x00, 0xFF], BtpCloseReason.MalformedPacket },
        { "skipped sequence", [0x05, 0x01, 0x01, 0x00, 0xFF], BtpCloseReason.UnexpectedSequence },
        { "ack for a packet never sent", [0x0D, 0x05, 0x00, 0x01, 0x00, 0xFF], BtpCloseReason.InvalidAck },
        { "message above the limit", [0x01, 0x00, 0x01, 0x10, 0xFF], BtpCloseReason.MessageTooLarge },
        { "continue without begin", [0x06, 0x00, 0xFF], BtpCloseReason.Reassembly },
        { "more bytes than announced", [0x05, 0x00, 0x01, 0x00, 0xFF, 0xFE], BtpCloseReason.Reassembly },
        { "fewer bytes than announced", [0x05, 0x00, 0x03, 0x00, 0xFF], BtpCloseReason.Reassembly },
        { "packet above the segment size", [0x05, 0x00, 0x13, 0x00, .. new byte[19]], BtpCloseReason.SegmentTooLarge },
        { "a second handshake", [0x65, 0x6C, 0x04, 0x00, 0x00, 0x00, 0x17, 0x00, 0x04], BtpCloseReason.MalformedPacket },
    };

    [Theory]
    [MemberData(nameof(BadPackets))]
    public void Bad_input_closes_the_session_with_a_reason_and_never_throws(string what, byte[] packet, BtpCloseReason reason)
    {
        var peripheral = BtpSession.Peripheral(23);
        peripheral.Receive(BtpHandshakeRequest.Default(23, 4).Encode(), T0);

        var closed = Assert.IsType<BtpSessionClosed>(Assert.Single(peripheral.Receive(packet, T0)));

        Assert.True(reason == closed.Reason, $"{what}: {closed.Reason} {closed.Message}");
        Assert.True(peripheral.IsClosed);
        Assert.Empty(peripheral.Receive([0x05, 0x00, 0x01, 0x00, 0xFF], T0));
        Assert.IsType<BtpSendRejected>(Assert.Single(peripheral.Send(Message(3), T0)));
    }

    [Fact]
    public void Begin_before_the_previous_message_ended_closes_the_session()
    {
        var peripheral = BtpSession.Peripheral(247);
        peripheral.Receive(BtpHandshakeRequest.Default(247, 6).Encode(), T0);
        peripheral.Receive([0x01, 0x00, 0x05, 0x00, 0x01], T0);

        var closed = Assert.IsType<BtpSessionClosed>(Assert.Single(peripheral.Receive([0x01, 0x01, 0x05, 0x00, 0x01], T0)));

        Assert.Equal(BtpCloseReason.Reassembly, closed.Reason);
    }

    [Fact]
    public void A_peer_that_overruns_our_window_is_cut_off()
    {
        // Window 3. The device's response and one data packet leave it one slot, which its ack of packet 0 uses;
        // from then on it cannot ack, and a central that never acks may send only up to the window.
        var peripheral = BtpSession.Peripheral(247, new BtpSessionOptions { WindowSize = 3 });
        peripheral.Receive(BtpHandshakeRequest.Default(247, 3).Encode(), T0);
        Assert.Single(peripheral.Send(Message(500), T0).OfType<BtpTransmit>());
        var ack = Assert.Single(peripheral.Receive([0x05, 0x00, 0x01, 0x00, 0xAA], T0).OfType<BtpTransmit>());
        Assert.True(((BtpFlags)ack.Packet[0]).HasFlag(BtpFlags.Ack)); // the last slot: data with the ack on it
        Assert.Equal(0, PeerWindowFree(peripheral));

        for (byte seq = 1; seq <= 3; seq++)
        {
            Assert.DoesNotContain(peripheral.Receive([0x05, seq, 0x01, 0x00, seq], T0), o => o is BtpSessionClosed);
        }

        var closed = Assert.IsType<BtpSessionClosed>(Assert.Single(peripheral.Receive([0x05, 0x04, 0x01, 0x00, 0x04], T0)));
        Assert.Equal(BtpCloseReason.WindowOverflow, closed.Reason);
    }

    private static int PeerWindowFree(BtpSession session) => session.WindowSize - session.UnackedSent;

    [Fact]
    public void Send_refuses_what_it_cannot_carry_without_closing()
    {
        var central = BtpSession.Central(new BtpSessionOptions { MaxQueuedMessages = 1 });
        Assert.Contains("handshake", Assert.IsType<BtpSendRejected>(Assert.Single(central.Send(Message(3), T0))).Reason);

        var pair = new BtpPair(new BtpSessionOptions { MaxQueuedMessages = 1, WindowSize = 2 });
        pair.SendFromCentral([]);
        pair.SendFromCentral(Message(1281));
        pair.SendFromCentral(Message(2000)); // fills the window, one left queued
        pair.SendFromCentral(Message(10));

        Assert.Equal(3, pair.Rejected.Count);
        Assert.True(pair.Central.IsOpen);
    }

    [Fact]
    public void Close_is_reported_once()
    {
        var pair = new BtpPair();

        var closed = Assert.IsType<BtpSessionClosed>(Assert.Single(pair.Central.Close("done")));

        Assert.Equal((BtpCloseReason.Closed, "done"), (closed.Reason, closed.Message));
        Assert.Empty(pair.Central.Close("again"));
        Assert.Null(pair.Central.NextDeadline);
    }

    [Fact]
    public void Sequence_numbers_wrap_past_255()
    {
        var pair = new BtpPair(attMtu: 23, linkAttMtu: 23);
        for (var i = 0; i < 150; i++)
        {
            pair.SendFromCentral(Message(30, i));
            pair.SendFromPeripheral(Message(25, i));
            pair.RunUntil(pair.Now + TimeSpan.FromSeconds(1));
        }

        Assert.Empty(pair.Closed);
        Assert.Equal(150, pair.ReceivedByPeripheral.Count);
        Assert.Equal(Message(30, 149), pair.ReceivedByPeripheral[^1]);
        Assert.Equal(Message(25, 149), pair.ReceivedByCentral[^1]);
    }

    [Property(MaxTest = 60)]
    public Property Any_messages_arrive_whole_and_in_order() =>
        Prop.ForAll(
            Gen.Choose(1, 8).ToArbitrary(),
            Gen.Choose(23, 247).ToArbitrary(),
            Gen.Choose(1, 1280).ArrayOf().Where(a => a.Length is > 0 and < 12).ToArbitrary(),
            (window, mtu, sizes) =>
            {
                var options = new BtpSessionOptions { WindowSize = (byte)window };
                var pair = new BtpPair(options, options, (ushort)mtu, (ushort)mtu);
                var messages = sizes.Select((size, i) => Message(size, i)).ToList();
                foreach (var message in messages)
                {
                    pair.SendFromCentral(message);
                    pair.SendFromPeripheral(message);
                }

                pair.RunUntil(pair.Now + TimeSpan.FromSeconds(30));
                return pair.Closed.Count == 0
                    && pair.ReceivedByPeripheral.Zip(messages).All(p => p.First.SequenceEqual(p.Second))
                    && pair.ReceivedByCentral.Zip(messages).All(p => p.First.SequenceEqual(p.Second))
                    && pair.ReceivedByPeripheral.Count == messages.Count && pair.ReceivedByCentral.Count == messages.Count;
            });
}
