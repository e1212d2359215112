using System.Net;
using Akka.Actor;
using Akka.Event;
using Akka.TestKit.Xunit2;
using CommissioningActors.Core.Matter.Resolution;
using CommissioningActors.Protocol.Mdns;
using Xunit;

namespace CommissioningActors.Core.Tests.Matter.Resolution;

public sealed class MatterResolverActorTests() : TestKit("akka.loglevel = DEBUG")
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);
    private static readonly ResolverSettings Settings = ResolverSettings.Default with { QueryInterval = TimeSpan.FromMinutes(5) };
    private readonly FakeMulticastDns _mdns = new();
    private readonly ManualClock _clock = new();

    internal static DnsRecord[] Device(string instance, ushort discriminator, string host, string address, ushort port = 5540, string? vp = "65521+32768")
    {
        var name = $"{instance}.{MatterDnsSd.CommissionableService}";
        List<string> txt = [$"D={discriminator}", "CM=1"];
        if (vp is not null)
        {
            txt.Add("VP=" + vp);
        }

        return
        [
            new PtrRecord(MatterDnsSd.LongSubtype(discriminator), Ttl, name),
            new PtrRecord(MatterDnsSd.ShortSubtype((byte)(discriminator >> 8)), Ttl, name),
            new SrvRecord(name, Ttl, 0, 0, port, host),
            new TxtRecord(name, Ttl, txt),
            new AddressRecord(host, Ttl, IPAddress.Parse(address)),
        ];
    }

    /// <summary>A started resolver: its sockets (the fake) are open once this returns.</summary>
    private IActorRef Resolver(ResolverSettings? settings = null)
    {
        var resolver = Sys.ActorOf(MatterResolverActor.Props(settings ?? Settings, () => _mdns, _clock));
        this.Settle(resolver);
        return resolver;
    }

    [Fact]
    public void A_long_discriminator_browses_its_subtype_and_resolves_from_the_response()
    {
        var resolver = Resolver();
        resolver.Tell(new ResolveCommissionable(3840, null, Long));
        this.Settle(resolver);

        Assert.Equal(("_L3840._sub._matterc._udp.local", DnsRecordType.Ptr), Assert.Single(_mdns.Questions));
        _mdns.Answer(Device("0011223344556677", 3840, "light.local", "127.0.0.1"));

        var resolved = ExpectMsg<CommissionableResolved>();
        Assert.Equal("0011223344556677", resolved.InstanceName);
        Assert.Equal(3840, resolved.LongDiscriminator);
        Assert.Equal((ushort?)65521, resolved.VendorId);
        Assert.Equal((ushort?)32768, resolved.ProductId);
        Assert.Equal([new IPEndPoint(IPAddress.Loopback, 5540)], resolved.Addresses);
    }

    [Fact]
    public void A_short_discriminator_matches_the_top_four_bits_only()
    {
        var resolver = Resolver();
        resolver.Tell(new ResolveCommissionable(null, 15, Long));
        this.Settle(resolver);

        Assert.Equal(("_S15._sub._matterc._udp.local", DnsRecordType.Ptr), Assert.Single(_mdns.Questions));
        _mdns.Answer(Device("AAAA", 0x100, "other.local", "127.0.0.2"));
        _mdns.Answer(Device("BBBB", 0xF42, "light.local", "127.0.0.3"));

        var resolved = ExpectMsg<CommissionableResolved>();
        Assert.Equal("BBBB", resolved.InstanceName);
        Assert.Equal(0xF42, resolved.LongDiscriminator);
    }

    [Fact]
    public void Another_discriminator_does_not_answer_and_the_request_fails_within_its_timeout()
    {
        var resolver = Resolver();
        resolver.Tell(new ResolveCommissionable(1234, null, TimeSpan.FromMilliseconds(300)));
        this.Settle(resolver);
        _mdns.Answer(Device("AAAA", 1235, "other.local", "127.0.0.2"));

        var failed = ExpectMsg<ResolveFailed>(TimeSpan.FromSeconds(5));
        Assert.Contains("long discriminator 1234", failed.Reason);
        Assert.Contains("within 0.3 s", failed.Reason);
    }

    [Fact]
    public void Concurrent_requests_are_each_answered_by_their_own_device()
    {
        var resolver = Resolver();
        var a = CreateTestProbe();
        var b = CreateTestProbe();
        var c = CreateTestProbe();
        resolver.Tell(new ResolveCommissionable(100, null, Long), a);
        resolver.Tell(new ResolveCommissionable(200, null, Long), b);
        resolver.Tell(new ResolveCommissionable(300, null, TimeSpan.FromMilliseconds(500)), c);
        this.Settle(resolver);

        _mdns.Answer(Device("B", 200, "b.local", "127.0.0.2"));
        Assert.Equal("B", b.ExpectMsg<CommissionableResolved>().InstanceName);
        _mdns.Answer([.. Device("A", 100, "a.local", "127.0.0.1")]);
        Assert.Equal("A", a.ExpectMsg<CommissionableResolved>().InstanceName);
        c.ExpectMsg<ResolveFailed>(TimeSpan.FromSeconds(5));
        Assert.Equal(3, _mdns.Questions.Count(q => q.Type == DnsRecordType.Ptr));
    }

    [Fact]
    public void A_known_device_answers_at_once_from_the_cache_without_asking()
    {
        var resolver = Resolver();
        _mdns.Answer(Device("A", 100, "a.local", "127.0.0.1"));
        this.Settle(resolver);

        resolver.Tell(new ResolveCommissionable(100, null, Long));

        Assert.Equal("A", ExpectMsg<CommissionableResolved>().InstanceName);
        Assert.Empty(_mdns.Questions);
    }

    [Fact]
    public void An_expired_record_no_longer_answers()
    {
        var resolver = Resolver();
        _mdns.Answer(Device("A", 100, "a.local", "127.0.0.1"));
        this.Settle(resolver);
        _clock.Advance(Ttl + TimeSpan.FromSeconds(1));

        resolver.Tell(new ResolveCommissionable(100, null, TimeSpan.FromMilliseconds(200)));

        ExpectMsg<ResolveFailed>(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void Operational_resolves_the_uppercase_instance_by_srv_and_address()
    {
        var resolver = Resolver();
        resolver.Tell(new ResolveOperational(0x2906C908D115D362, 0xA, Long));
        this.Settle(resolver);

        var instance = "2906C908D115D362-000000000000000A._matter._tcp.local";
        Assert.Equal((instance, DnsRecordType.Srv), Assert.Single(_mdns.Questions));
        _mdns.Answer(
            new SrvRecord(instance.ToLowerInvariant(), Ttl, 0, 0, 5541, "node.local"),
            new AddressRecord("node.local", Ttl, IPAddress.Parse("fd00::5")),
            new AddressRecord("node.local", Ttl, IPAddress.Parse("127.0.0.1")));

        var resolved = ExpectMsg<OperationalResolved>();
        Assert.Equal(0x2906C908D115D362UL, resolved.CompressedFabricId);
        Assert.Equal(0xAUL, resolved.NodeId);
        Assert.Equal([new IPEndPoint(IPAddress.Loopback, 5541), new IPEndPoint(IPAddress.Parse("fd00::5"), 5541)], resolved.Addresses);
    }

    [Fact]
    public void Missing_pieces_are_asked_for_srv_and_txt_then_the_host_address()
    {
        var resolver = Resolver();
        resolver.Tell(new ResolveCommissionable(3840, null, Long));
        this.Settle(resolver);
        var all = Device("I", 3840, "h.local", "127.0.0.1");
        var instance = "I._matterc._udp.local";

        _mdns.Answer(all[0]);
        this.Settle(resolver);
        Assert.Contains((instance, DnsRecordType.Srv), _mdns.Questions);
        Assert.Contains((instance, DnsRecordType.Txt), _mdns.Questions);

        _mdns.Answer(all[2], all[3]);
        this.Settle(resolver);
        Assert.Contains(("h.local", DnsRecordType.A), _mdns.Questions);
        Assert.Contains(("h.local", DnsRecordType.Aaaa), _mdns.Questions);

        _mdns.Answer(all[4]);
        Assert.Equal("I", ExpectMsg<CommissionableResolved>().InstanceName);
    }

    [Fact]
    public void Static_entries_answer_first_and_nothing_is_asked()
    {
        var resolver = Resolver();
        var node = new IPEndPoint(IPAddress.Loopback, 5541);
        var device = new IPEndPoint(IPAddress.Loopback, 5540);
        resolver.Tell(new AddStaticOperational(1, 2, node));
        resolver.Tell(new AddStaticCommissionable(3840, device, 0xFFF1, 0x8000));
        _mdns.Answer(Device("FROM-MDNS", 3840, "h.local", "127.0.0.9"));

        resolver.Tell(new ResolveOperational(1, 2, Long));
        Assert.Equal([node], ExpectMsg<OperationalResolved>().Addresses);
        resolver.Tell(new ResolveCommissionable(null, 15, Long));
        var resolved = ExpectMsg<CommissionableResolved>();
        Assert.Equal([device], resolved.Addresses);
        Assert.Equal((ushort?)0xFFF1, resolved.VendorId);
        Assert.Empty(_mdns.Questions);
    }

    [Fact]
    public void A_static_entry_added_while_a_request_waits_answers_it()
    {
        var resolver = Resolver();
        resolver.Tell(new ResolveOperational(1, 2, Long));
        this.Settle(resolver);

        resolver.Tell(new AddStaticOperational(1, 2, new IPEndPoint(IPAddress.Loopback, 9)));

        Assert.Equal(9, Assert.Single(ExpectMsg<OperationalResolved>().Addresses).Port);
    }

    [Fact]
    public void A_removed_static_entry_no_longer_answers_and_the_node_is_looked_for_by_mDNS()
    {
        var resolver = Resolver();
        resolver.Tell(new AddStaticOperational(1, 2, new IPEndPoint(IPAddress.Loopback, 9)));
        resolver.Tell(new AddStaticOperational(1, 3, new IPEndPoint(IPAddress.Loopback, 10)));

        resolver.Tell(new RemoveStaticOperational(1, 2));
        resolver.Tell(new ResolveOperational(1, 2, TimeSpan.FromMilliseconds(300)));

        Assert.IsType<ResolveFailed>(ExpectMsg<object>());
        Assert.Contains((MatterDnsSd.OperationalInstance(1, 2), DnsRecordType.Srv), _mdns.Questions);
        resolver.Tell(new ResolveOperational(1, 3, Long));
        Assert.Equal(10, Assert.Single(ExpectMsg<OperationalResolved>().Addresses).Port);
    }

    [Fact]
    public void Garbage_datagrams_change_nothing_and_the_next_good_answer_still_resolves()
    {
        var resolver = Resolver();
        resolver.Tell(new ResolveCommissionable(77, null, Long));
        var random = new Random(7);
        for (var i = 0; i < 500; i++)
        {
            var junk = new byte[random.Next(0, 600)];
            random.NextBytes(junk);
            _mdns.Deliver(junk);
        }

        _mdns.Deliver(new byte[20_000]);
        _mdns.Answer(Device("G", 77, "g.local", "127.0.0.1"));

        Assert.Equal("G", ExpectMsg<CommissionableResolved>().InstanceName);
        Assert.False(_mdns.Disposed, "the resolver kept its sockets: garbage is not a crash");
    }

    [Fact]
    public void A_hostile_instance_name_reaches_the_log_escaped()
    {
        var logs = CreateTestProbe();
        Sys.EventStream.Subscribe(logs, typeof(Debug));
        var resolver = Resolver();
        resolver.Tell(new ResolveCommissionable(5, null, Long));
        this.Settle(resolver);

        _mdns.Answer(Device("evil\nFAKE LOG LINE\u001b[31m", 5, "e.local", "127.0.0.1"));

        ExpectMsg<CommissionableResolved>();
        var line = logs.FishForMessage<Debug>(d => d.Message.ToString()!.Contains("evil")).Message.ToString()!;
        Assert.DoesNotContain('\n', line);
        Assert.DoesNotContain('\u001b', line);
        Assert.Contains("evil\\nFAKE LOG LINE", line);
    }

    [Fact]
    public void Requests_beyond_max_pending_fail_at_once()
    {
        var resolver = Resolver(Settings with { MaxPending = 2 });
        resolver.Tell(new ResolveOperational(1, 1, Long));
        resolver.Tell(new ResolveOperational(1, 2, Long));

        resolver.Tell(new ResolveOperational(1, 3, Long));

        Assert.Contains("too many resolves in progress", ExpectMsg<ResolveFailed>().Reason);
    }

    [Fact]
    public void An_unanswered_request_asks_again_each_query_interval()
    {
        var resolver = Resolver(Settings with { QueryInterval = TimeSpan.FromMilliseconds(100) });
        resolver.Tell(new ResolveOperational(1, 2, Long));

        AwaitCondition(() => _mdns.Questions.Count >= 3, TimeSpan.FromSeconds(10));
        Assert.All(_mdns.Questions, q => Assert.Equal(DnsRecordType.Srv, q.Type));
    }
}
