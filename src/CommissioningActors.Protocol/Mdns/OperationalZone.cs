using System.Net;

namespace CommissioningActors.Protocol.Mdns;

/// <summary>
/// What an mDNS responder says for Matter operational nodes (`_matter._tcp`, Matter core spec §4.3.2): per node
/// a PTR from the service and from its compressed-fabric subtype `_I&lt;cfid&gt;`, an SRV to its host, a TXT with
/// the session idle/active intervals, and the host's address. Pure and not thread-safe: the caller locks.
/// Answers are split into messages of at most <see cref="MaxMessageBytes"/>, so a browse of a large fleet
/// never needs IP fragmentation.
/// </summary>
public sealed class OperationalZone
{
    public const int MaxMessageBytes = 1_400;
    private static readonly TimeSpan ServiceTtl = TimeSpan.FromSeconds(120);

    private readonly Dictionary<string, OperationalNode> _nodes = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>One advertised node: its instance name, where it listens, and the host name its SRV names.</summary>
    public sealed record OperationalNode(ulong CompressedFabricId, ulong NodeId, IPEndPoint EndPoint)
    {
        public string Instance => MatterDnsSd.OperationalInstance(CompressedFabricId, NodeId);

        public string Subtype => $"_I{CompressedFabricId:X16}._sub.{MatterDnsSd.OperationalService}";

        // One host per listening socket: a device keeps its socket across fabrics.
        public string Host => $"SIM{EndPoint.Port:X4}{AddressLabel()}.local";

        private string AddressLabel() => Convert.ToHexString(EndPoint.Address.GetAddressBytes());
    }

    public int Count => _nodes.Count;

    /// <summary>Whether exactly <paramref name="node"/> is advertised: a delayed repeat of its announcement must not revive it once withdrawn or moved.</summary>
    public bool Holds(OperationalNode node) => _nodes.TryGetValue(node.Instance, out var held) && held == node;

    /// <summary>
    /// Adds or moves a node; returns the records to announce (RFC 6762 §8.3). A moved node's old SRV says goodbye
    /// first: its host name differs, so a peer would otherwise keep both places until the old TTL ran out.
    /// </summary>
    public IReadOnlyList<byte[]> Advertise(OperationalNode node)
    {
        _nodes.TryGetValue(node.Instance, out var old);
        _nodes[node.Instance] = node;
        var records = Records(node, ServiceTtl);
        if (old is not null && !old.EndPoint.Equals(node.EndPoint))
        {
            records.Insert(0, Srv(old, TimeSpan.Zero));
        }

        return Pack([records]);
    }

    /// <summary>Removes a node; returns its goodbye (its records with TTL 0), or nothing if it was unknown.</summary>
    public IReadOnlyList<byte[]> Withdraw(ulong compressedFabricId, ulong nodeId)
    {
        var instance = MatterDnsSd.OperationalInstance(compressedFabricId, nodeId);
        return _nodes.Remove(instance, out var node) ? Goodbye(node) : [];
    }

    /// <summary>Removes every node; returns their goodbyes (a responder shutting down, RFC 6762 §10.1).</summary>
    public IReadOnlyList<byte[]> WithdrawAll()
    {
        var nodes = _nodes.Values.ToList();
        _nodes.Clear();
        return Pack(nodes.Select(n => Records(n, TimeSpan.Zero)));
    }

    /// <summary>The node advertised under that instance name, if any.</summary>
    public OperationalNode? Find(ulong compressedFabricId, ulong nodeId) =>
        _nodes.GetValueOrDefault(MatterDnsSd.OperationalInstance(compressedFabricId, nodeId));

    /// <summary>
    /// The goodbye of a node no longer advertised, decided on the zone as it is now (for a repeat): nothing if its
    /// instance is advertised again, and its host's address only if no other node (another fabric of the same
    /// device, same socket) still uses that host: peers would drop that node's address too.
    /// </summary>
    public IReadOnlyList<byte[]> Goodbye(OperationalNode node)
    {
        if (_nodes.ContainsKey(node.Instance))
        {
            return [];
        }

        var records = Records(node, TimeSpan.Zero);
        if (_nodes.Values.Any(n => DnsName.Equal(n.Host, node.Host)))
        {
            records.RemoveAll(r => r is AddressRecord);
        }

        return Pack([records]);
    }

    /// <summary>The responses to <paramref name="query"/>; empty when it asks nothing this zone holds (or is a response).</summary>
    public IReadOnlyList<byte[]> Answer(DnsMessage query)
    {
        if (query.IsResponse)
        {
            return [];
        }

        var groups = new List<IReadOnlyList<DnsRecord>>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var question in query.Questions)
        {
            foreach (var node in Matching(question))
            {
                if (seen.Add(node.Instance))
                {
                    groups.Add(Records(node, ServiceTtl));
                }
            }
        }

        return Pack(groups);
    }

    private IEnumerable<OperationalNode> Matching(DnsQuestion question)
    {
        var any = question.Type == DnsRecordType.Any;
        if ((any || question.Type == DnsRecordType.Ptr) && DnsName.Equal(question.Name, MatterDnsSd.OperationalService))
        {
            return _nodes.Values;
        }

        if (any || question.Type == DnsRecordType.Ptr)
        {
            var subtype = _nodes.Values.Where(n => DnsName.Equal(question.Name, n.Subtype)).ToList();
            if (subtype.Count > 0)
            {
                return subtype;
            }
        }

        if ((any || question.Type is DnsRecordType.Srv or DnsRecordType.Txt) && _nodes.TryGetValue(question.Name, out var node))
        {
            return [node];
        }

        return _nodes.Values.Where(n => DnsName.Equal(question.Name, n.Host) && (any || question.Type == AddressType(n)));
    }

    private static DnsRecordType AddressType(OperationalNode node) =>
        node.EndPoint.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? DnsRecordType.A : DnsRecordType.Aaaa;

    private static List<DnsRecord> Records(OperationalNode node, TimeSpan ttl) =>
    [
        new PtrRecord(MatterDnsSd.OperationalService, ttl, node.Instance),
        new PtrRecord(node.Subtype, ttl, node.Instance),
        Srv(node, ttl),
        new TxtRecord(node.Instance, ttl, ["SII=500", "SAI=300"]),
        new AddressRecord(node.Host, ttl, node.EndPoint.Address),
    ];

    private static SrvRecord Srv(OperationalNode node, TimeSpan ttl) => new(node.Instance, ttl, 0, 0, (ushort)node.EndPoint.Port, node.Host);

    // Whole nodes per message, as many as fit: a resolver never gets an SRV without its address.
    private static List<byte[]> Pack(IEnumerable<IReadOnlyList<DnsRecord>> groups)
    {
        var packets = new List<byte[]>();
        var current = new List<DnsRecord>();
        foreach (var group in groups)
        {
            if (current.Count > 0 && DnsCodec.EncodeResponse([.. current, .. group]).Length > MaxMessageBytes)
            {
                packets.Add(DnsCodec.EncodeResponse(current));
                current = [];
            }

            current.AddRange(group);
        }

        if (current.Count > 0)
        {
            packets.Add(DnsCodec.EncodeResponse(current));
        }

        return packets;
    }
}
