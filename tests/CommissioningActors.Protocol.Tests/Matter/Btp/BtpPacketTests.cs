using CommissioningActors.Protocol.Matter.Btp;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace CommissioningActors.Protocol.Tests.Matter.Btp;

public class BtpPacketTests
{
    // connectedhomeip src/ble/tests/TestBtpEngine.cpp: one-, two- and three-segment messages.
    public static TheoryData<byte[], BtpFlags, byte, ushort?, byte[]> PublishedVectors => new()
    {
        { [0x05, 0x01, 0x01, 0x00, 0xFF], BtpFlags.Begin | BtpFlags.End, 1, 1, [0xFF] },
        { [0x01, 0x01, 0x02, 0x00, 0xFE], BtpFlags.Begin, 1, 2, [0xFE] },
        { [0x04, 0x02, 0xFF], BtpFlags.End, 2, null, [0xFF] },
        { [0x01, 0x01, 0x03, 0x00, 0xFD], BtpFlags.Begin, 1, 3, [0xFD] },
        { [0x02, 0x02, 0xFE], BtpFlags.Continue, 2, null, [0xFE] },
        { [0x04, 0x03, 0xFF], BtpFlags.End, 3, null, [0xFF] },
    };

    [Theory]
    [MemberData(nameof(PublishedVectors))]
    public void Parses_and_re_encodes_published_vectors(byte[] wire, BtpFlags flags, byte sequence, ushort? length, byte[] payload)
    {
        var packet = BtpPacket.Parse(wire).Value!;

        Assert.Equal((flags, (byte?)null, sequence, length), (packet.Flags, packet.AckNumber, packet.Sequence, packet.MessageLength));
        Assert.Equal(payload, packet.Payload.ToArray());
        Assert.Equal(wire, packet.Encode());
    }

    [Fact]
    public void Standalone_ack_is_flags_ack_number_sequence()
    {
        // TestBtpEngine EncodeStandAloneAckOnePacket: acking packet 1 as our packet 0.
        Assert.Equal(new byte[] { 0x08, 0x01, 0x00 }, BtpPacket.StandaloneAck(1, 0).Encode());
        var parsed = BtpPacket.Parse([0x08, 0x01, 0x00]).Value!;
        Assert.Equal((BtpFlags.Ack, (byte?)1, (byte)0, false), (parsed.Flags, parsed.AckNumber, parsed.Sequence, parsed.CarriesData));
    }

    [Fact]
    public void Ack_number_comes_before_the_sequence_and_length_is_little_endian()
    {
        // Derived from the spec layout: Begin|End|Ack, ack 0, seq 0, length 0x0102, then the payload.
        var payload = Enumerable.Range(0, 0x102).Select(i => (byte)i).ToArray();
        var packet = new BtpPacket(BtpFlags.Begin | BtpFlags.End | BtpFlags.Ack, 0, 0, 0x102, payload);

        var wire = packet.Encode();

        Assert.Equal(new byte[] { 0x0D, 0x00, 0x00, 0x02, 0x01 }, wire[..5]);
        Assert.Equal(payload, wire[5..]);
    }

    [Theory]
    [InlineData(new byte[] { }, "empty")]
    [InlineData(new byte[] { 0x85, 0x00, 0x01, 0x00, 0xFF }, "reserved")]
    [InlineData(new byte[] { 0x15, 0x00, 0x01, 0x00, 0xFF }, "reserved")]
    [InlineData(new byte[] { 0x65, 0x6C, 0x04, 0xF4, 0x00, 0x06 }, "handshake")]
    [InlineData(new byte[] { 0x25, 0x00, 0x01, 0x00, 0xFF }, "handshake")]
    [InlineData(new byte[] { 0x03, 0x00, 0x01, 0x00, 0xFF }, "beginning and continuing")]
    [InlineData(new byte[] { 0x00, 0x00 }, "neither a segment nor an ack")]
    [InlineData(new byte[] { 0x08, 0x00 }, "needs 3 header bytes")]
    [InlineData(new byte[] { 0x05, 0x00, 0x01 }, "needs 4 header bytes")]
    [InlineData(new byte[] { 0x08, 0x00, 0x01, 0x77 }, "standalone ack carries")]
    [InlineData(new byte[] { 0x02, 0x00 }, "no payload")]
    [InlineData(new byte[] { 0x05, 0x00, 0x00, 0x00, 0xFF }, "empty message")]
    public void Rejects_malformed_packets_with_a_reason(byte[] wire, string reason)
    {
        var parsed = BtpPacket.Parse(wire);

        Assert.False(parsed.IsOk);
        Assert.Contains(reason, parsed.Error!.Message);
    }

    [Fact]
    public void Encode_refuses_fields_that_contradict_the_flags()
    {
        Assert.Throws<InvalidOperationException>(() => new BtpPacket(BtpFlags.Begin, null, 0, null, new byte[] { 1 }).Encode());
        Assert.Throws<InvalidOperationException>(() => new BtpPacket(BtpFlags.Ack, null, 0, null, ReadOnlyMemory<byte>.Empty).Encode());
        Assert.Throws<InvalidOperationException>(() => new BtpPacket(BtpFlags.Handshake, null, 0, null, ReadOnlyMemory<byte>.Empty).Encode());
        Assert.Throws<InvalidOperationException>(() => new BtpPacket(BtpFlags.Continue, null, 0, null, ReadOnlyMemory<byte>.Empty).Encode());
    }

    private static readonly Gen<BtpPacket> Packets =
        from kind in Gen.Elements(BtpFlags.Begin, BtpFlags.Begin | BtpFlags.End, BtpFlags.Continue, BtpFlags.Continue | BtpFlags.End, BtpFlags.End, BtpFlags.None)
        from ack in Gen.Choose(-1, 255)
        from sequence in Gen.Choose(0, 255)
        from payload in Gen.Choose(0, 255).Select(b => (byte)b).ArrayOf().Where(p => (kind == BtpFlags.None) == (p.Length == 0))
        from length in Gen.Choose(1, ushort.MaxValue)
        let flags = kind | (ack >= 0 || kind == BtpFlags.None ? BtpFlags.Ack : BtpFlags.None)
        select new BtpPacket(flags, flags.HasFlag(BtpFlags.Ack) ? (byte)Math.Max(ack, 0) : null, (byte)sequence,
            kind.HasFlag(BtpFlags.Begin) ? (ushort)length : null, payload);

    [Property]
    public Property Every_encodable_packet_round_trips() =>
        Prop.ForAll(Packets.ToArbitrary(), packet =>
        {
            var wire = packet.Encode();
            return BtpPacket.Parse(wire).Value is { } back && back.Encode().SequenceEqual(wire)
                && back.Flags == packet.Flags && back.AckNumber == packet.AckNumber && back.MessageLength == packet.MessageLength;
        });

    [Property]
    public Property Parse_never_throws_on_arbitrary_bytes() =>
        Prop.ForAll(Gen.Choose(0, 255).Select(b => (byte)b).ArrayOf().ToArbitrary(), bytes =>
        {
            var parsed = BtpPacket.Parse(bytes);
            return parsed.IsOk != (parsed.Error is not null);
        });
}
