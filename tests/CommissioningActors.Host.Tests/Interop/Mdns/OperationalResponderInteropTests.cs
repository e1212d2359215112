using System.Net;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using CommissioningActors.Core.Matter.Resolution;
using CommissioningActors.Protocol.Mdns;
using CommissioningActors.Simulator.Matter;

namespace CommissioningActors.Host.Tests.Interop.Mdns;

/// <summary>
/// The simulator's mDNS responder on real sockets, inside a private network namespace whose only interface is lo
/// (nothing can leave the machine), found by matter.js's own operational resolver and by ours.
/// </summary>
public sealed class OperationalResponderInteropTests : TestKit
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly MulticastDnsSettings OnLo = new(["lo"], Ipv4: true, Ipv6: true);

    private static readonly ResolverSettings Settings = ResolverSettings.Default with { Multicast = OnLo };

    private static OperationalAnnouncement Node(ulong fabric, ulong node, int port) =>
        new("Test Light", fabric, node, new IPEndPoint(IPAddress.Loopback, port));

    private static Task<OperationalMdnsResponder> ResponderInsideAsync(NetworkNamespace network) =>
        NamespaceThread.CreateInsideAsync(network, () => OperationalMdnsResponder.Start(OnLo));

    [Fact]
    public async Task Matter_js_finds_a_node_announced_before_it_asked_and_forgets_it_at_the_goodbye()
    {
        await using var network = await NetworkNamespace.CreateAsync();
        using var responder = await ResponderInsideAsync(network);
        var light = Node(0x2906C908D115D362, 0x8FC7772401CD0696, 5541);
        responder.Advertise(light);

        // Started after the announcement (and its repeat may be long gone): matter.js has to ask.
        await using var matterJs = await MatterJsMdnsResolver.StartAsync(network, light.CompressedFabricId, light.NodeId);
        Assert.Equal("2906C908D115D362-8FC7772401CD0696._matter._tcp.local", matterJs.Name);
        Assert.Equal(light.EndPoint, await matterJs.WaitForAddressAsync("add", Patience));
        var parameters = await matterJs.Process.WaitForEventAsync("parameters", Patience);
        Assert.Equal(("500", "300"), (parameters.GetProperty("SII").GetString(), parameters.GetProperty("SAI").GetString()));
        Assert.True(responder.QueriesAnswered > 0, "matter.js's query was answered");

        // Withdrawn right after matter.js installed the records: it ignores a goodbye that close to a refresh, so
        // only the responder's repeated goodbye makes it forget (with a single goodbye it keeps the node for 2 min).
        var after = matterJs.Process.EventCount;
        responder.Withdraw(light);
        Assert.Equal(light.EndPoint, await matterJs.WaitForAddressAsync("delete", Patience, after));
        Assert.Equal(0, responder.Advertised);
    }

    [Fact]
    public async Task Matter_js_finds_a_node_announced_while_it_is_asking_and_follows_it_to_a_new_port_forgetting_the_old_one()
    {
        await using var network = await NetworkNamespace.CreateAsync();
        using var responder = await ResponderInsideAsync(network);
        const ulong fabric = 0x0123456789ABCDEF, nodeId = 0x11;
        await using var matterJs = await MatterJsMdnsResolver.StartAsync(network, fabric, nodeId);

        responder.Advertise(Node(fabric, nodeId, 5542));
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 5542), await matterJs.WaitForAddressAsync("add", Patience));

        // A node of another fabric on the same host is not mistaken for it.
        var after = matterJs.Process.EventCount;
        responder.Advertise(Node(fabric + 1, nodeId, 5543));
        responder.Advertise(Node(fabric, nodeId, 5544));
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 5544), await matterJs.WaitForAddressAsync("add", Patience, after));
        // The old place is forgotten (its SRV's goodbye, repeated past matter.js's one-second protection window),
        // not kept beside the new one for the old record's two minutes.
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 5542), await matterJs.WaitForAddressAsync("delete", Patience, after));
        Assert.DoesNotContain(matterJs.Process.Events.Skip(after), e => e.TryGetProperty("port", out var p) && p.GetInt32() == 5543);
    }

    [Fact]
    public async Task Our_resolver_finds_nodes_announced_before_and_after_it_asked_and_forgets_a_withdrawn_one()
    {
        await using var network = await NetworkNamespace.CreateAsync();
        using var responder = await ResponderInsideAsync(network);
        var before = Node(0xA1, 0x01, 5551);
        var later = Node(0xA1, 0x02, 5552);
        responder.Advertise(before);
        var goodbyes = new GoodbyeWatch();
        var mdns = await NamespaceThread.CreateInsideAsync(network, () => new ObservedMulticastDns(new UdpMulticastDns(OnLo), goodbyes));
        var resolver = Sys.ActorOf(MatterResolverActor.Props(Settings, () => mdns));

        // Asked before it is announced: the answer comes from the announcement.
        var asked = resolver.Ask<object>(new ResolveOperational(0xA1, 0x02, Patience), Patience * 2);
        responder.Advertise(later);
        var resolvedLater = Assert.IsType<OperationalResolved>(await asked);
        Assert.Equal([later.EndPoint], resolvedLater.Addresses);

        // Announced before the resolver listened: its SRV question is answered.
        var answeredBefore = responder.QueriesAnswered;
        var resolvedBefore = Assert.IsType<OperationalResolved>(await resolver.Ask<object>(new ResolveOperational(0xA1, 0x01, Patience), Patience * 2));
        Assert.Equal([before.EndPoint], resolvedBefore.Addresses);
        Assert.True(responder.QueriesAnswered > answeredBefore, "the resolver asked and the responder answered");

        // The goodbye reached the resolver before this Ask (the watch fires after handing it over): not from the cache.
        var gone = goodbyes.For(MatterDnsSd.OperationalInstance(0xA1, 0x02));
        responder.Withdraw(later);
        await gone.WaitAsync(Patience);
        Assert.IsType<ResolveFailed>(await resolver.Ask<object>(new ResolveOperational(0xA1, 0x02, TimeSpan.FromSeconds(2)), Patience));
        Assert.IsType<OperationalResolved>(await resolver.Ask<object>(new ResolveOperational(0xA1, 0x01, Patience), Patience * 2));
    }

    [Fact]
    public async Task A_node_withdrawn_right_after_its_announcement_is_not_revived_by_the_announcement_repeat()
    {
        await using var network = await NetworkNamespace.CreateAsync();
        using var responder = await ResponderInsideAsync(network);
        using var wire = await NamespaceThread.CreateInsideAsync(network, () => new MdnsWire(new UdpMulticastDns(OnLo)));
        var gone = Node(0xB1, 0x01, 5561);
        var marker = Node(0xB1, 0x02, 5562);

        responder.Advertise(gone);
        responder.Withdraw(gone);
        // Its goodbye is sent twice; the stale announcement repeat would be due a moment before the second.
        var first = await wire.WaitForAsync(m => Srv(m, gone.EndPoint.Port) is { Ttl.Ticks: 0 }, Patience);
        await wire.WaitForAsync(m => Srv(m, gone.EndPoint.Port) is { Ttl.Ticks: 0 }, Patience, first + 1);
        // A later node's repeat, a second after that, proves every timer due before it has fired.
        var announced = wire.Count;
        responder.Advertise(marker);
        var markerFirst = await wire.WaitForAsync(m => Srv(m, marker.EndPoint.Port) is { Ttl.Ticks: > 0 }, Patience, announced);
        await wire.WaitForAsync(m => Srv(m, marker.EndPoint.Port) is { Ttl.Ticks: > 0 }, Patience, markerFirst + 1);

        Assert.DoesNotContain(wire.Messages.Skip(first), m => Srv(m, gone.EndPoint.Port) is { Ttl.Ticks: > 0 });
        Assert.Equal(1, responder.Advertised);
    }

    [Fact]
    public async Task Withdrawing_one_fabrics_node_keeps_the_address_of_the_devices_other_node_on_the_same_socket()
    {
        await using var network = await NetworkNamespace.CreateAsync();
        using var responder = await ResponderInsideAsync(network);
        using var wire = await NamespaceThread.CreateInsideAsync(network, () => new MdnsWire(new UdpMulticastDns(OnLo)));
        // One device commissioned onto two fabrics: two nodes, one socket, one host name.
        var first = Node(0xC1, 0x01, 5571);
        var second = Node(0xC2, 0x07, 5571);
        responder.Advertise(first);
        responder.Advertise(second);

        var start = wire.Count;
        responder.Withdraw(first);
        bool FirstsGoodbye(DnsMessage m) => m.IsResponse && m.Records.OfType<SrvRecord>().Any(r => r.Ttl == TimeSpan.Zero && r.Name.StartsWith("00000000000000C1-", StringComparison.Ordinal));
        var goodbye = await wire.WaitForAsync(FirstsGoodbye, Patience, start);
        var repeat = await wire.WaitForAsync(FirstsGoodbye, Patience, goodbye + 1);

        // A goodbye of the shared host's address would make peers drop the second node's address too.
        foreach (var message in new[] { wire.Messages[goodbye], wire.Messages[repeat] })
        {
            Assert.DoesNotContain(message.Records, r => r is AddressRecord);
        }

        // The last node on that host takes its address with it.
        start = wire.Count;
        responder.Withdraw(second);
        var lastGoodbye = await wire.WaitForAsync(m => m.IsResponse && m.Records.OfType<SrvRecord>().Any(r => r.Ttl == TimeSpan.Zero), Patience, start);
        var last = wire.Messages[lastGoodbye];
        Assert.Contains(last.Records, r => r is AddressRecord { Ttl.Ticks: 0 } a && a.Address.Equals(IPAddress.Loopback));
    }

    [Fact]
    public async Task A_responder_shutting_down_says_goodbye_for_every_node_it_still_advertises()
    {
        await using var network = await NetworkNamespace.CreateAsync();
        using var wire = await NamespaceThread.CreateInsideAsync(network, () => new MdnsWire(new UdpMulticastDns(OnLo)));
        var responder = await ResponderInsideAsync(network);
        responder.Advertise(Node(0xD1, 0x01, 5581));
        responder.Advertise(Node(0xD1, 0x02, 5582));
        var start = wire.Count;

        responder.Dispose();

        await wire.WaitForAsync(m => Srv(m, 5581) is { Ttl.Ticks: 0 }, Patience, start);
        await wire.WaitForAsync(m => Srv(m, 5582) is { Ttl.Ticks: 0 }, Patience, start);
        Assert.Equal(0, responder.Advertised);
    }

    private static SrvRecord? Srv(DnsMessage message, int port) =>
        message.IsResponse ? message.Records.OfType<SrvRecord>().FirstOrDefault(r => r.Port == port) : null;

    /// <summary>Every mDNS message seen on the namespace's lo, in arrival order.</summary>
    private sealed class MdnsWire : IDisposable
    {
        private readonly IMulticastDns _mdns;
        private readonly List<DnsMessage> _messages = [];
        private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public MdnsWire(IMulticastDns mdns)
        {
            _mdns = mdns;
            _mdns.Start(Received, _ => { });
        }

        public int Count
        {
            get { lock (_messages) { return _messages.Count; } }
        }

        public IReadOnlyList<DnsMessage> Messages
        {
            get { lock (_messages) { return [.. _messages]; } }
        }

        /// <summary>The index of the first message at or after <paramref name="after"/> that matches.</summary>
        public async Task<int> WaitForAsync(Func<DnsMessage, bool> match, TimeSpan timeout, int after = 0)
        {
            using var deadline = new CancellationTokenSource(timeout);
            for (var next = after; ;)
            {
                Task changed;
                lock (_messages)
                {
                    for (; next < _messages.Count; next++)
                    {
                        if (match(_messages[next]))
                        {
                            return next;
                        }
                    }

                    changed = _changed.Task;
                }

                try
                {
                    await changed.WaitAsync(deadline.Token);
                }
                catch (OperationCanceledException)
                {
                    throw new InvalidOperationException($"no such mDNS message within {timeout.TotalSeconds:0} s; seen: {string.Join("; ", Messages.Skip(after))}");
                }
            }
        }

        private void Received(MulticastDatagram datagram)
        {
            if (DnsCodec.Decode(datagram.Data).Value is not { } message)
            {
                return;
            }

            TaskCompletionSource changed;
            lock (_messages)
            {
                _messages.Add(message);
                changed = _changed;
                _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            changed.TrySetResult();
        }

        public void Dispose() => _mdns.Dispose();
    }

    /// <summary>Completes a task once a goodbye (TTL 0) SRV for an instance has been received.</summary>
    private sealed class GoodbyeWatch
    {
        private readonly Dictionary<string, TaskCompletionSource> _waiting = new(StringComparer.OrdinalIgnoreCase);

        public Task For(string instance)
        {
            lock (_waiting)
            {
                var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiting[instance] = seen;
                return seen.Task;
            }
        }

        public void Saw(MulticastDatagram datagram)
        {
            if (DnsCodec.Decode(datagram.Data).Value is not { IsResponse: true } message)
            {
                return;
            }

            foreach (var srv in message.Records.OfType<SrvRecord>().Where(r => r.Ttl == TimeSpan.Zero))
            {
                lock (_waiting)
                {
                    if (_waiting.Remove(srv.Name, out var seen))
                    {
                        seen.TrySetResult();
                    }
                }
            }
        }
    }

    /// <summary>Real sockets; each datagram is handed to the resolver first, then to the watch.</summary>
    private sealed class ObservedMulticastDns(IMulticastDns inner, GoodbyeWatch watch) : IMulticastDns
    {
        public string Description => inner.Description;

        public void Start(Action<MulticastDatagram> received, Action<Exception> failed) =>
            inner.Start(d =>
            {
                received(d);
                watch.Saw(d);
            }, failed);

        public IReadOnlyList<string> Send(byte[] packet) => inner.Send(packet);

        public void Dispose() => inner.Dispose();
    }
}
