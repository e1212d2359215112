using System.Net;

namespace CommissioningActors.Protocol.Mdns;

/// <summary>Which interfaces and address families the mDNS sockets use.</summary>
/// <param name="Interfaces">Interface names (e.g. "lo"); empty = every interface that is up and multicast-capable.</param>
public sealed record MulticastDnsSettings(IReadOnlyList<string> Interfaces, bool Ipv4, bool Ipv6)
{
    public static MulticastDnsSettings Default { get; } = new([], true, true);
}

/// <summary>One datagram received on the mDNS port.</summary>
public sealed record MulticastDatagram(byte[] Data, IPEndPoint From);

/// <summary>
/// The mDNS sockets, the only contact with the network of the resolver (and of the simulator's responder):
/// sends mDNS messages, delivers whatever arrives on port 5353. Tests replace it with a fake; production uses <see cref="UdpMulticastDns"/>. Sockets are opened by the
/// constructor, so a test can create it on a thread that has entered a private network namespace.
/// </summary>
public interface IMulticastDns : IDisposable
{
    /// <summary>What it listens on, for the log (e.g. "lo (IPv4, IPv6)").</summary>
    string Description { get; }

    /// <summary>
    /// Starts receiving. Both callbacks run on socket threads and must only hand the datagram or failure over
    /// (the resolver tells itself). <paramref name="failed"/> is called at most once, and then nothing more arrives.
    /// </summary>
    void Start(Action<MulticastDatagram> received, Action<Exception> failed);

    /// <summary>Multicasts <paramref name="packet"/> on every interface; returns one line per interface it failed on.</summary>
    IReadOnlyList<string> Send(byte[] packet);
}

/// <summary>mDNS cannot run here (no multicast-capable interface, port 5353 not bindable, ...).</summary>
public sealed class MulticastDnsUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
