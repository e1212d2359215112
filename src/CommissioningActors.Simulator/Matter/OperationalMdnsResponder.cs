using CommissioningActors.Protocol.Mdns;

namespace CommissioningActors.Simulator.Matter;

/// <summary>
/// Announces the fleet's devices that joined the network by mDNS, as real Matter devices do, and answers
/// queries for them: so a service in another process (or on another machine) finds them by `_matter._tcp`.
/// One responder serves the whole fleet on the interfaces it was given; opt-in, because the devices listen on
/// 127.0.0.1 and announcing that beyond loopback would mislead other hosts on a real network.
/// </summary>
public sealed class OperationalMdnsResponder : IDisposable
{
    // RFC 6762 §8.3: an announcement is sent at least twice, one second apart.
    private static readonly TimeSpan RepeatAfter = TimeSpan.FromSeconds(1);

    private readonly IMulticastDns _mdns;
    private readonly Action<string> _log;
    private readonly OperationalZone _zone = new();
    private readonly CancellationTokenSource _stop = new();
    private int _queriesAnswered;

    private OperationalMdnsResponder(IMulticastDns mdns, Action<string> log)
    {
        _mdns = mdns;
        _log = log;
    }

    /// <summary>Opens the mDNS sockets; throws <see cref="MulticastDnsUnavailableException"/> when it cannot.</summary>
    public static OperationalMdnsResponder Start(MulticastDnsSettings settings, Action<string>? log = null) =>
        Start(new UdpMulticastDns(settings), log);

    public static OperationalMdnsResponder Start(IMulticastDns mdns, Action<string>? log = null)
    {
        var responder = new OperationalMdnsResponder(mdns, log ?? (_ => { }));
        mdns.Start(responder.OnDatagram, e => responder._log($"mDNS responder stopped: {e.GetType().Name}: {e.Message}"));
        return responder;
    }

    public string Description => _mdns.Description;

    public int QueriesAnswered => Volatile.Read(ref _queriesAnswered);

    public int Advertised
    {
        get { lock (_zone) { return _zone.Count; } }
    }

    public void Advertise(OperationalAnnouncement announcement)
    {
        var node = new OperationalZone.OperationalNode(announcement.CompressedFabricId, announcement.NodeId, announcement.EndPoint);
        IReadOnlyList<byte[]> packets;
        lock (_zone)
        {
            packets = _zone.Advertise(node);
            Send(packets);
        }

        // The repeat carries a moved node's old-SRV goodbye again, for the reason the goodbye below is repeated.
        _ = RepeatAsync(zone => zone.Holds(node) ? packets : []);
    }

    public void Withdraw(OperationalAnnouncement announcement)
    {
        OperationalZone.OperationalNode? node;
        lock (_zone)
        {
            node = _zone.Find(announcement.CompressedFabricId, announcement.NodeId);
            Send(_zone.Withdraw(announcement.CompressedFabricId, announcement.NodeId));
        }

        // The goodbye goes out twice, as the announcement: a peer ignores a goodbye for a record it refreshed
        // within the last second (matter.js does, against reordering), and would keep this one for its whole TTL.
        if (node is not null)
        {
            _ = RepeatAsync(zone => zone.Goodbye(node));
        }
    }

    // Re-decided under the lock when it is due: a node withdrawn, moved or advertised again in the meantime changes
    // what (if anything) is repeated, and sending under the lock keeps the order in which the zone changed.
    private async Task RepeatAsync(Func<OperationalZone, IReadOnlyList<byte[]>> packets)
    {
        try
        {
            await Task.Delay(RepeatAfter, _stop.Token).ConfigureAwait(false);
            lock (_zone)
            {
                Send(packets(_zone));
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void OnDatagram(MulticastDatagram datagram)
    {
        if (DnsCodec.Decode(datagram.Data).Value is not { IsResponse: false, Questions.Count: > 0 } query)
        {
            return;
        }

        lock (_zone)
        {
            var answers = _zone.Answer(query);
            if (answers.Count > 0)
            {
                Interlocked.Increment(ref _queriesAnswered);
                Send(answers);
            }
        }
    }

    private void Send(IReadOnlyList<byte[]> packets)
    {
        foreach (var packet in packets)
        {
            foreach (var failure in _mdns.Send(packet))
            {
                _log($"mDNS send failed on {failure}");
            }
        }
    }

    /// <summary>Says goodbye for every node still advertised (once: a peer that misses it waits out the TTL), then closes the sockets.</summary>
    public void Dispose()
    {
        _stop.Cancel();
        lock (_zone)
        {
            Send(_zone.WithdrawAll());
        }

        _mdns.Dispose();
    }
}
