using System.Net;

namespace CommissioningActors.Protocol.Mdns;

/// <summary>The DNS record types DNS-SD needs (RFC 1035, 2782, 3596, 6763).</summary>
public enum DnsRecordType : ushort
{
    A = 1,
    Ptr = 12,
    Txt = 16,
    Aaaa = 28,
    Srv = 33,
    Any = 255,
}

/// <summary>
/// One resource record as read from the wire. <see cref="Name"/> is the owner name without the trailing dot;
/// names compare case-insensitively (<see cref="DnsName.Equal"/>). A TTL of zero is a goodbye.
/// </summary>
public abstract record DnsRecord(string Name, TimeSpan Ttl);

public sealed record PtrRecord(string Name, TimeSpan Ttl, string Target) : DnsRecord(Name, Ttl);

public sealed record SrvRecord(string Name, TimeSpan Ttl, ushort Priority, ushort Weight, ushort Port, string Target) : DnsRecord(Name, Ttl);

/// <summary>TXT strings as "key=value" text (RFC 6763 §6); undecodable bytes become U+FFFD.</summary>
public sealed record TxtRecord(string Name, TimeSpan Ttl, IReadOnlyList<string> Entries) : DnsRecord(Name, Ttl);

/// <summary>An A or AAAA record.</summary>
public sealed record AddressRecord(string Name, TimeSpan Ttl, IPAddress Address) : DnsRecord(Name, Ttl);

/// <summary>One question of a query; <see cref="Type"/> may be any value the asker sent.</summary>
public sealed record DnsQuestion(string Name, DnsRecordType Type);

/// <summary>
/// A decoded DNS message: whether it is a response, its records (answers, authority and additional, in wire
/// order, those of other types left out), its questions, and how many records and questions were left out
/// because of the per-message cap.
/// </summary>
public sealed record DnsMessage(bool IsResponse, IReadOnlyList<DnsRecord> Records, int Dropped)
{
    public IReadOnlyList<DnsQuestion> Questions { get; init; } = [];
}

public static class DnsName
{
    public static bool Equal(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    public static bool EndsWith(string name, string suffix) =>
        name.Length > suffix.Length
            ? name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) && name[name.Length - suffix.Length - 1] == '.'
            : Equal(name, suffix);
}
