using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using CommissioningActors.Core.Matter.Resolution;
using CommissioningActors.Protocol.Mdns;
using Xunit;

namespace CommissioningActors.Core.Tests.Matter.Resolution;

/// <summary>Supervision as decided: sockets disposed on stop, socket failures reopened, a crash restarts with an empty cache.</summary>
public sealed class MatterResolverLifecycleTests : TestKit
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);
    private static readonly ResolverSettings Settings = ResolverSettings.Default with
    {
        QueryInterval = TimeSpan.FromMinutes(5),
        RestartDelay = TimeSpan.FromMilliseconds(200),
    };

    private readonly ConcurrentQueue<FakeMulticastDns> _opened = new();
    private int _unavailableOpens;

    private FakeMulticastDns Open()
    {
        if (Interlocked.Decrement(ref _unavailableOpens) >= 0)
        {
            throw new MulticastDnsUnavailableException("no up, multicast-capable interface");
        }

        var fake = new FakeMulticastDns();
        _opened.Enqueue(fake);
        return fake;
    }

    private FakeMulticastDns Latest => _opened.Last();

    private IActorRef Resolver()
    {
        var resolver = Sys.ActorOf(MatterResolverActor.Props(Settings, Open, new ManualClock()));
        this.Settle(resolver);
        return resolver;
    }

    [Fact]
    public void Stopping_disposes_the_sockets_and_answers_waiting_requests()
    {
        var resolver = Resolver();
        var requester = CreateTestProbe();
        resolver.Tell(new ResolveOperational(1, 2, Long), requester);
        this.Settle(resolver);
        Watch(resolver);

        Sys.Stop(resolver);

        ExpectTerminated(resolver);
        Assert.Contains("stopped", requester.ExpectMsg<ResolveFailed>().Reason);
        Assert.True(Assert.Single(_opened).Disposed);
    }

    [Fact]
    public void A_crash_restarts_with_an_empty_cache_answers_every_waiting_request_and_keeps_static_entries()
    {
        var resolver = Resolver();
        var first = Latest;
        resolver.Tell(new AddStaticOperational(7, 8, new IPEndPoint(IPAddress.Loopback, 5541)));
        first.Answer(MatterResolverActorTests.Device("CACHED", 100, "c.local", "127.0.0.1"));
        var waiting = CreateTestProbe();
        resolver.Tell(new ResolveOperational(1, 2, Long), waiting);
        this.Settle(resolver);

        first.ThrowOnSend = new InvalidOperationException("bug");
        var crashing = CreateTestProbe();
        resolver.Tell(new ResolveOperational(1, 3, Long), crashing);

        Assert.Contains("restarted", waiting.ExpectMsg<ResolveFailed>().Reason);
        Assert.Contains("restarted", crashing.ExpectMsg<ResolveFailed>().Reason);
        AwaitCondition(() => _opened.Count == 2);
        Assert.True(first.Disposed);
        resolver.Tell(new ResolveOperational(7, 8, Long));
        Assert.Equal(5541, Assert.Single(ExpectMsg<OperationalResolved>().Addresses).Port);

        // The cache went with the old incarnation: the once-known device has to be asked for again.
        resolver.Tell(new ResolveCommissionable(100, null, TimeSpan.FromMilliseconds(200)));
        ExpectMsg<ResolveFailed>(TimeSpan.FromSeconds(5));
        Assert.Contains(("_L100._sub._matterc._udp.local", Protocol.Mdns.DnsRecordType.Ptr), Latest.Questions);
    }

    [Fact]
    public void Without_mdns_static_entries_answer_others_fail_at_once_and_mdns_is_retried()
    {
        _unavailableOpens = 1;
        var resolver = Resolver();
        resolver.Tell(new AddStaticCommissionable(3840, new IPEndPoint(IPAddress.Loopback, 5540)));

        resolver.Tell(new ResolveCommissionable(3840, null, Long));
        ExpectMsg<CommissionableResolved>();
        resolver.Tell(new ResolveCommissionable(1, null, Long));
        Assert.Contains("mDNS is unavailable: no up, multicast-capable interface", ExpectMsg<ResolveFailed>().Reason);

        AwaitCondition(() => !_opened.IsEmpty, TimeSpan.FromSeconds(10));
        resolver.Tell(new ResolveCommissionable(1, null, Long));
        this.Settle(resolver);
        Latest.Answer(MatterResolverActorTests.Device("ONE", 1, "one.local", "127.0.0.1"));
        Assert.Equal("ONE", ExpectMsg<CommissionableResolved>().InstanceName);
    }

    [Fact]
    public void A_socket_failure_reopens_mdns_and_waiting_requests_are_answered_on_the_new_sockets()
    {
        var resolver = Resolver();
        var first = Latest;
        resolver.Tell(new ResolveCommissionable(42, null, Long));
        this.Settle(resolver);

        first.Fail(new SocketException((int)SocketError.NetworkDown));

        AwaitCondition(() => _opened.Count == 2, TimeSpan.FromSeconds(10));
        Assert.True(first.Disposed);
        var second = Latest;
        AwaitCondition(() => second.Questions.Count > 0);
        Assert.Equal("_L42._sub._matterc._udp.local", second.Questions[0].Name);
        first.Answer(MatterResolverActorTests.Device("STALE", 42, "s.local", "127.0.0.1"));
        second.Answer(MatterResolverActorTests.Device("FRESH", 42, "f.local", "127.0.0.1"));
        Assert.Equal("FRESH", ExpectMsg<CommissionableResolved>().InstanceName);
    }

    [Fact]
    public void Under_its_supervisor_a_crash_restarts_it_and_static_entries_still_answer()
    {
        var supervisor = Sys.ActorOf(ResolverSupervisorActor.Props(Settings, Open, new ManualClock()));
        supervisor.Tell(new AddStaticOperational(7, 8, new IPEndPoint(IPAddress.Loopback, 5541)));
        AwaitCondition(() => _opened.Count == 1);

        Latest.ThrowOnSend = new InvalidOperationException("bug");
        supervisor.Tell(new ResolveOperational(1, 2, Long));
        Assert.Contains("restarted", ExpectMsg<ResolveFailed>().Reason);

        AwaitCondition(() => _opened.Count == 2);
        supervisor.Tell(new ResolveOperational(7, 8, Long));
        Assert.Equal(5541, Assert.Single(ExpectMsg<OperationalResolved>().Addresses).Port);
    }

    [Fact]
    public void A_resolver_that_keeps_crashing_stops_its_supervisor()
    {
        var supervisor = Sys.ActorOf(ResolverSupervisorActor.Props(Settings, Open, new ManualClock()));
        Watch(supervisor);

        for (var i = 0; i <= ResolverSupervisorActor.MaxRestarts; i++)
        {
            AwaitCondition(() => _opened.Count == i + 1);
            Latest.ThrowOnSend = new InvalidOperationException("bug " + i);
            supervisor.Tell(new ResolveOperational(1, (ulong)i, Long));
            ExpectMsg<ResolveFailed>();
        }

        ExpectTerminated(supervisor);
    }
}
