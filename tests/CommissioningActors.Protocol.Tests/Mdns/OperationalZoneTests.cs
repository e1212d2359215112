using System.Net;
using CommissioningActors.Protocol.Mdns;

namespace CommissioningActors.Protocol.Tests.Mdns;

public class OperationalZoneTests
{
    private const ulong Fabric = 0x87E1B004E235A130;

    private static OperationalZone.OperationalNode Node(ulong nodeId, int port) => new(Fabric, nodeId, new IPEndPoint(IPAddress.Loopback, port));

    private static DnsMessage Query(params (string Name, DnsRecordType Type)[] questions) => DnsCodec.Decode(DnsCodec.EncodeQuery(questions)).Value!;

    private static List<DnsRecord> Records(IEnumerable<byte[]> packets) =>
        [.. packets.SelectMany(p => DnsCodec.Decode(p).Value!.Records)];

    [Fact]
    public void An_announcement_carries_the_service_and_subtype_pointers_the_SRV_TXT_and_the_address()
    {
        var zone = new OperationalZone();

        var records = Records(zone.Advertise(Node(0x2A, 5541)));

        var instance = $"{Fabric:X16}-000000000000002A._matter._tcp.local";
        Assert.Contains(records, r => r is PtrRecord { Name: "_matter._tcp.local" } p && p.Target == instance);
        Assert.Contains(records, r => r is PtrRecord p && p.Name == $"_I{Fabric:X16}._sub._matter._tcp.local" && p.Target == instance);
        var srv = Assert.Single(records.OfType<SrvRecord>());
        Assert.Equal((instance, (ushort)5541), (srv.Name, srv.Port));
        Assert.Contains(records, r => r is AddressRecord a && DnsName.Equal(a.Name, srv.Target) && a.Address.Equals(IPAddress.Loopback));
        Assert.Contains(records, r => r is TxtRecord t && t.Name == instance);
        Assert.All(records, r => Assert.True(r.Ttl > TimeSpan.Zero));
    }

    [Fact]
    public void An_SRV_question_gets_that_node_alone_with_its_address_and_other_names_get_nothing()
    {
        var zone = new OperationalZone();
        zone.Advertise(Node(1, 6001));
        zone.Advertise(Node(2, 6002));

        var records = Records(zone.Answer(Query((MatterDnsSd.OperationalInstance(Fabric, 2), DnsRecordType.Srv))));

        Assert.Equal((ushort)6002, Assert.Single(records.OfType<SrvRecord>()).Port);
        Assert.Single(records.OfType<AddressRecord>());
        Assert.Empty(zone.Answer(Query((MatterDnsSd.OperationalInstance(Fabric, 3), DnsRecordType.Srv))));
        Assert.Empty(zone.Answer(Query(("_matterc._udp.local", DnsRecordType.Ptr))));
        // The devices listen on IPv4 only: an AAAA question for their host has no answer.
        Assert.Empty(zone.Answer(Query((records.OfType<SrvRecord>().Single().Target, DnsRecordType.Aaaa))));
        Assert.Single(Records(zone.Answer(Query((records.OfType<SrvRecord>().Single().Target, DnsRecordType.A)))).OfType<AddressRecord>());
    }

    [Fact]
    public void A_browse_of_a_large_fleet_is_split_into_small_messages_that_each_hold_whole_nodes()
    {
        var zone = new OperationalZone();
        for (var i = 1; i <= 200; i++)
        {
            zone.Advertise(Node((ulong)i, 7000 + i));
        }

        var packets = zone.Answer(Query(("_matter._tcp.local", DnsRecordType.Ptr)));

        Assert.True(packets.Count > 1);
        Assert.All(packets, p => Assert.InRange(p.Length, 1, OperationalZone.MaxMessageBytes));
        foreach (var packet in packets)
        {
            var records = DnsCodec.Decode(packet).Value!.Records;
            // Every SRV in a message comes with its host's address in the same message.
            Assert.All(records.OfType<SrvRecord>(), srv => Assert.Contains(records, r => r is AddressRecord a && DnsName.Equal(a.Name, srv.Target)));
        }

        Assert.Equal(200, Records(packets).OfType<SrvRecord>().Select(s => s.Port).Distinct().Count());
    }

    [Fact]
    public void A_withdrawn_node_says_goodbye_and_is_no_longer_answered()
    {
        var zone = new OperationalZone();
        zone.Advertise(Node(9, 6009));

        var goodbye = Records(zone.Withdraw(Fabric, 9));

        Assert.NotEmpty(goodbye);
        Assert.All(goodbye, r => Assert.Equal(TimeSpan.Zero, r.Ttl));
        Assert.Empty(zone.Answer(Query((MatterDnsSd.OperationalInstance(Fabric, 9), DnsRecordType.Srv))));
        Assert.Empty(zone.Withdraw(Fabric, 9));
        Assert.Equal(0, zone.Count);
    }

    [Fact]
    public void Responses_are_never_answered()
    {
        var zone = new OperationalZone();
        zone.Advertise(Node(4, 6004));
        var asked = new DnsQuestion(MatterDnsSd.OperationalInstance(Fabric, 4), DnsRecordType.Srv);

        Assert.NotEmpty(zone.Answer(new DnsMessage(false, [], 0) { Questions = [asked] }));
        Assert.Empty(zone.Answer(new DnsMessage(true, [], 0) { Questions = [asked] }));
    }
}
