using System.Net;
using CommissioningActors.Protocol.Mdns;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace CommissioningActors.Protocol.Tests.Mdns;

public class DnsCodecTests
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(120);

    [Fact]
    public void A_response_round_trips_every_record_type()
    {
        DnsRecord[] records =
        [
            new PtrRecord("_L3840._sub._matterc._udp.local", Ttl, "ABCDEF0123456789._matterc._udp.local"),
            new SrvRecord("ABCDEF0123456789._matterc._udp.local", Ttl, 0, 0, 5540, "host-1.local"),
            new TxtRecord("ABCDEF0123456789._matterc._udp.local", Ttl, ["D=3840", "VP=65521+32768", "CM=1"]),
            new AddressRecord("host-1.local", Ttl, IPAddress.Parse("127.0.0.1")),
            new AddressRecord("host-1.local", Ttl, IPAddress.Parse("fe80::1")),
        ];

        var decoded = DnsCodec.Decode(DnsCodec.EncodeResponse(records));

        Assert.True(decoded.IsOk, decoded.Error?.ToString());
        Assert.True(decoded.Value!.IsResponse);
        Assert.Equal(0, decoded.Value.Dropped);
        Assert.Equal(records.Length, decoded.Value.Records.Count);
        for (var i = 0; i < records.Length; i++)
        {
            var expected = records[i] is TxtRecord t ? (object)(t.Name, t.Ttl, string.Join('|', t.Entries)) : records[i];
            var actual = decoded.Value.Records[i] is TxtRecord a ? (object)(a.Name, a.Ttl, string.Join('|', a.Entries)) : decoded.Value.Records[i];
            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public void A_query_carries_its_questions_and_is_not_a_response()
    {
        var query = DnsCodec.EncodeQuery([("_S15._sub._matterc._udp.local", DnsRecordType.Ptr), ("x.local", DnsRecordType.Srv)]);

        Assert.Equal([0, 0, 0, 0, 0, 2], query[..6]);
        var decoded = DnsCodec.Decode(query);
        Assert.True(decoded.IsOk);
        Assert.False(decoded.Value!.IsResponse);
        Assert.Empty(decoded.Value.Records);
        Assert.Equal(
            [new DnsQuestion("_S15._sub._matterc._udp.local", DnsRecordType.Ptr), new DnsQuestion("x.local", DnsRecordType.Srv)],
            decoded.Value.Questions);
    }

    [Fact]
    public void Questions_beyond_the_cap_are_counted_not_kept_and_a_truncated_question_is_malformed()
    {
        var query = DnsCodec.EncodeQuery(Enumerable.Range(0, 5).Select(i => ($"n{i}.local", DnsRecordType.A)));

        var decoded = DnsCodec.Decode(query, maxRecords: 3);

        Assert.Equal(["n0.local", "n1.local", "n2.local"], decoded.Value!.Questions.Select(q => q.Name));
        Assert.Equal(2, decoded.Value.Dropped);
        Assert.False(DnsCodec.Decode(query[..^2]).IsOk);
    }

    [Fact]
    public void Compressed_names_are_followed_backwards()
    {
        // Answer name "a.local" at 12; the PTR target "b" + pointer to "local" (offset 14).
        byte[] message =
        [
            0, 0, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 0,
            1, (byte)'a', 5, (byte)'l', (byte)'o', (byte)'c', (byte)'a', (byte)'l', 0,
            0, 12, 0, 1, 0, 0, 0, 10, 0, 4,
            1, (byte)'b', 0xC0, 14,
        ];

        var decoded = DnsCodec.Decode(message);

        Assert.True(decoded.IsOk, decoded.Error?.ToString());
        Assert.Equal(new PtrRecord("a.local", TimeSpan.FromSeconds(10), "b.local"), Assert.Single(decoded.Value!.Records));
    }

    [Fact]
    public void A_pointer_loop_is_rejected_not_followed()
    {
        // The record's name is a pointer to itself.
        byte[] self = [0, 0, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0xC0, 12, 0, 12, 0, 1, 0, 0, 0, 10, 0, 1, 0];
        // Two names pointing at each other: the first points forward.
        byte[] pair = [0, 0, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0xC0, 14, 0xC0, 12, 0, 12, 0, 1, 0, 0, 0, 10, 0, 1, 0];

        Assert.False(DnsCodec.Decode(self).IsOk);
        Assert.False(DnsCodec.Decode(pair).IsOk);
    }

    [Fact]
    public void A_label_loop_through_decreasing_looking_pointers_is_rejected()
    {
        // Label "a" at 12, then a pointer at 14 back to 12: reading from 12 meets the pointer again.
        byte[] message = [0, 0, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, (byte)'a', 0xC0, 12, 0, 12, 0, 1, 0, 0, 0, 10, 0, 1, 0];

        Assert.False(DnsCodec.Decode(message).IsOk);
    }

    [Fact]
    public void Truncated_and_oversized_messages_are_rejected_with_a_reason()
    {
        var good = DnsCodec.EncodeResponse([new AddressRecord("h.local", Ttl, IPAddress.Loopback)]);

        Assert.Equal(ParseErrorKind.FrameTooShort, DnsCodec.Decode(good.AsSpan(0, 5)).Error!.Kind);
        Assert.False(DnsCodec.Decode(good.AsSpan(0, good.Length - 1)).IsOk);
        Assert.Equal(ParseErrorKind.FrameTooLarge, DnsCodec.Decode(new byte[DnsCodec.MaxMessageBytes + 1]).Error!.Kind);
    }

    [Fact]
    public void A_name_longer_than_255_bytes_is_rejected()
    {
        var labels = Enumerable.Repeat(new string('x', 63), 5);
        var message = DnsCodec.EncodeResponse([new AddressRecord(string.Join('.', labels), Ttl, IPAddress.Loopback)]);

        Assert.False(DnsCodec.Decode(message).IsOk);
    }

    [Fact]
    public void Records_past_the_cap_are_counted_not_kept()
    {
        var records = Enumerable.Range(0, 300).Select(i => new AddressRecord($"h{i}.local", Ttl, IPAddress.Loopback));

        var decoded = DnsCodec.Decode(DnsCodec.EncodeResponse(records), maxRecords: 100);

        Assert.True(decoded.IsOk);
        Assert.Equal(100, decoded.Value!.Records.Count);
        Assert.Equal(200, decoded.Value.Dropped);
    }

    [Fact]
    public void A_huge_txt_record_keeps_a_bounded_number_of_strings()
    {
        var entries = Enumerable.Range(0, 200).Select(i => $"K{i}=" + new string('v', 30));

        var decoded = DnsCodec.Decode(DnsCodec.EncodeResponse([new TxtRecord("i._matterc._udp.local", Ttl, [.. entries])]));

        Assert.True(decoded.IsOk);
        Assert.Equal(DnsCodec.MaxTxtEntries, Assert.IsType<TxtRecord>(Assert.Single(decoded.Value!.Records)).Entries.Count);
    }

    [Fact]
    public void Records_of_other_types_and_bad_address_lengths_are_skipped_alone()
    {
        // A record with 5 bytes of data, then a good one.
        byte[] message =
        [
            0, 0, 0x84, 0, 0, 0, 0, 3, 0, 0, 0, 0,
            0, 0, 1, 0, 1, 0, 0, 0, 10, 0, 5, 1, 2, 3, 4, 5,
            0, 0, 99, 0, 1, 0, 0, 0, 10, 0, 1, 7,
            0, 0, 1, 0, 1, 0, 0, 0, 10, 0, 4, 127, 0, 0, 1,
        ];

        var decoded = DnsCodec.Decode(message);

        Assert.True(decoded.IsOk, decoded.Error?.ToString());
        Assert.Equal(IPAddress.Loopback, Assert.IsType<AddressRecord>(Assert.Single(decoded.Value!.Records)).Address);
        Assert.Equal(1, decoded.Value.Dropped);
    }

    [Property(MaxTest = 2000)]
    public Property Random_bytes_never_throw(byte[] data) =>
        Prop.ToProperty(DnsCodec.Decode(data).IsOk || DnsCodec.Decode(data).Error is not null);

    [Property(MaxTest = 1000)]
    public Property A_mangled_response_never_throws(int position, byte value)
    {
        var message = DnsCodec.EncodeResponse(
        [
            new PtrRecord("_matterc._udp.local", Ttl, "I._matterc._udp.local"),
            new SrvRecord("I._matterc._udp.local", Ttl, 0, 0, 5540, "h.local"),
            new TxtRecord("I._matterc._udp.local", Ttl, ["D=1"]),
        ]);
        message[Math.Abs(position % message.Length)] = value;
        var decoded = DnsCodec.Decode(message);
        return Prop.ToProperty(decoded.IsOk != (decoded.Error is not null));
    }
}
