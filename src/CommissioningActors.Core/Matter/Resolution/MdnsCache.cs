using System.Net;
using System.Net.Sockets;
using CommissioningActors.Protocol.Mdns;

namespace CommissioningActors.Core.Matter.Resolution;

/// <summary>
/// What mDNS has told the resolver about Matter services, bounded: only `_matterc._udp` / `_matter._tcp`
/// instances and the hosts their SRV records name are kept, at most <see cref="ResolverSettings.MaxInstances"/>
/// instances and <see cref="ResolverSettings.MaxHosts"/> hosts (the least recently seen evicted first), a few
/// addresses per host, every entry expiring with its TTL (capped). Not thread-safe: the resolver actor owns it.
/// </summary>
public sealed class MdnsCache(ResolverSettings settings, TimeProvider clock)
{
    private readonly Dictionary<string, Instance> _instances = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Host> _hosts = new(StringComparer.OrdinalIgnoreCase);

    public sealed class Instance(string name)
    {
        public string Name { get; } = name;
        public DateTimeOffset LastSeen { get; set; }
        public DateTimeOffset PointedUntil { get; set; }
        public HashSet<string> PointedFrom { get; } = new(StringComparer.OrdinalIgnoreCase);
        public SrvRecord? Srv { get; set; }
        public DateTimeOffset SrvUntil { get; set; }
        public IReadOnlyList<string>? Txt { get; set; }
        public DateTimeOffset TxtUntil { get; set; }
    }

    private sealed class Host
    {
        public DateTimeOffset LastSeen { get; set; }
        public Dictionary<IPAddress, DateTimeOffset> Addresses { get; } = [];
    }

    public int InstanceCount => _instances.Count;

    public int HostCount => _hosts.Count;

    public int AddressCount => _hosts.Values.Sum(h => h.Addresses.Count);

    /// <summary>Takes in one message's records; returns how many were Matter records it kept.</summary>
    public int Add(IReadOnlyList<DnsRecord> records)
    {
        var kept = 0;

        // Addresses after service records, so a host named by an SRV of the same message is known by then.
        foreach (var record in records.Where(r => r is not AddressRecord).Concat(records.OfType<AddressRecord>()))
        {
            kept += record switch
            {
                PtrRecord p => AddPtr(p),
                SrvRecord s => AddSrv(s),
                TxtRecord t => AddTxt(t),
                AddressRecord a => AddAddress(a),
                _ => 0,
            };
        }

        return kept;
    }

    /// <summary>Live instances of <paramref name="service"/> (a service or subtype name), most recently seen first.</summary>
    public IEnumerable<Instance> InstancesOf(string service)
    {
        var now = clock.GetUtcNow();
        return _instances.Values
            .Where(i => i.PointedUntil > now && i.PointedFrom.Contains(service))
            .OrderByDescending(i => i.LastSeen);
    }

    /// <summary>Every live instance of the commissionable service with a TXT record, most recently seen first.</summary>
    public IEnumerable<Instance> Commissionable()
    {
        var now = clock.GetUtcNow();
        return _instances.Values
            .Where(i => i.TxtUntil > now && DnsName.EndsWith(i.Name, MatterDnsSd.CommissionableService))
            .OrderByDescending(i => i.LastSeen);
    }

    public Instance? Find(string instanceName) => _instances.GetValueOrDefault(instanceName);

    public SrvRecord? LiveSrv(Instance instance) => instance.SrvUntil > clock.GetUtcNow() ? instance.Srv : null;

    public IReadOnlyList<string>? LiveTxt(Instance instance) => instance.TxtUntil > clock.GetUtcNow() ? instance.Txt : null;

    /// <summary>The live addresses of <paramref name="host"/> with <paramref name="port"/>: IPv4, then IPv6, link-local IPv6 last.</summary>
    public IReadOnlyList<IPEndPoint> EndPoints(string host, ushort port)
    {
        var now = clock.GetUtcNow();
        if (!_hosts.TryGetValue(host, out var entry))
        {
            return [];
        }

        return
        [
            .. entry.Addresses.Where(a => a.Value > now).Select(a => a.Key)
                .OrderBy(a => a.AddressFamily == AddressFamily.InterNetwork ? 0 : a.IsIPv6LinkLocal ? 2 : 1)
                .ThenBy(a => a.ToString(), StringComparer.Ordinal)
                .Select(a => new IPEndPoint(a, port)),
        ];
    }

    /// <summary>Forgets everything expired.</summary>
    public void Purge()
    {
        var now = clock.GetUtcNow();
        foreach (var (name, instance) in _instances.ToList())
        {
            if (instance.PointedUntil <= now && instance.SrvUntil <= now && instance.TxtUntil <= now)
            {
                _instances.Remove(name);
            }
        }

        foreach (var (name, host) in _hosts.ToList())
        {
            foreach (var (address, until) in host.Addresses.ToList())
            {
                if (until <= now)
                {
                    host.Addresses.Remove(address);
                }
            }

            if (host.Addresses.Count == 0)
            {
                _hosts.Remove(name);
            }
        }
    }

    private static bool IsMatterInstance(string name) =>
        (DnsName.EndsWith(name, MatterDnsSd.CommissionableService) || DnsName.EndsWith(name, MatterDnsSd.OperationalService))
        && !name.Contains("._sub.", StringComparison.OrdinalIgnoreCase);

    private static bool IsMatterPointer(string owner, string target)
    {
        foreach (var service in new[] { MatterDnsSd.CommissionableService, MatterDnsSd.OperationalService })
        {
            if (DnsName.EndsWith(target, service) && (DnsName.Equal(owner, service) || DnsName.EndsWith(owner, "_sub." + service)))
            {
                return true;
            }
        }

        return false;
    }

    private DateTimeOffset Until(TimeSpan ttl) => clock.GetUtcNow() + (ttl < settings.MaxTtl ? ttl : settings.MaxTtl);

    private int AddPtr(PtrRecord ptr)
    {
        if (!IsMatterPointer(ptr.Name, ptr.Target) || !IsMatterInstance(ptr.Target) || Touch(ptr.Target, ptr.Ttl) is not { } instance)
        {
            return 0;
        }

        if (ptr.Ttl > TimeSpan.Zero && instance.PointedFrom.Count < 8)
        {
            instance.PointedFrom.Add(ptr.Name);
        }

        instance.PointedUntil = Until(ptr.Ttl);
        return 1;
    }

    private int AddSrv(SrvRecord srv)
    {
        if (!IsMatterInstance(srv.Name) || Touch(srv.Name, srv.Ttl) is not { } instance)
        {
            return 0;
        }

        instance.Srv = srv;
        instance.SrvUntil = Until(srv.Ttl);
        return 1;
    }

    private int AddTxt(TxtRecord txt)
    {
        if (!IsMatterInstance(txt.Name) || Touch(txt.Name, txt.Ttl) is not { } instance)
        {
            return 0;
        }

        instance.Txt = txt.Entries;
        instance.TxtUntil = Until(txt.Ttl);
        return 1;
    }

    private int AddAddress(AddressRecord record)
    {
        // Only hosts a cached SRV names: a flood of unrelated A/AAAA records costs nothing.
        if (!_hosts.TryGetValue(record.Name, out var host))
        {
            if (record.Ttl == TimeSpan.Zero || !_instances.Values.Any(i => i.Srv is { } s && DnsName.Equal(s.Target, record.Name)))
            {
                return 0;
            }

            if (_hosts.Count >= settings.MaxHosts)
            {
                Purge();
                if (_hosts.Count >= settings.MaxHosts)
                {
                    _hosts.Remove(_hosts.MinBy(h => h.Value.LastSeen).Key);
                }
            }

            host = new Host();
            _hosts[record.Name] = host;
        }

        host.LastSeen = clock.GetUtcNow();
        if (record.Ttl == TimeSpan.Zero)
        {
            host.Addresses.Remove(record.Address);
            return 1;
        }

        if (!host.Addresses.ContainsKey(record.Address) && host.Addresses.Count >= settings.MaxAddressesPerHost)
        {
            host.Addresses.Remove(host.Addresses.MinBy(a => a.Value).Key);
        }

        host.Addresses[record.Address] = Until(record.Ttl);
        return 1;
    }

    /// <summary>The instance entry, created if there is room (evicting the least recently seen); null for a goodbye of an unknown one.</summary>
    private Instance? Touch(string name, TimeSpan ttl)
    {
        if (!_instances.TryGetValue(name, out var instance))
        {
            if (ttl == TimeSpan.Zero)
            {
                return null;
            }

            if (_instances.Count >= settings.MaxInstances)
            {
                Purge();
                if (_instances.Count >= settings.MaxInstances)
                {
                    _instances.Remove(_instances.MinBy(i => i.Value.LastSeen).Key);
                }
            }

            instance = new Instance(name);
            _instances[name] = instance;
        }

        instance.LastSeen = clock.GetUtcNow();
        return instance;
    }
}
