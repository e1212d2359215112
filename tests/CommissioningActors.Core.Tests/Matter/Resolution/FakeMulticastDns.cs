using System.Collections.Concurrent;
using System.Net;
using CommissioningActors.Core.Matter.Resolution;
using CommissioningActors.Protocol.Mdns;

namespace CommissioningActors.Core.Tests.Matter.Resolution;

/// <summary>Stands in for the mDNS sockets: records what the resolver sends, delivers what a test makes up.</summary>
public sealed class FakeMulticastDns : IMulticastDns
{
    private static readonly IPEndPoint Responder = new(IPAddress.Loopback, 5353);
    private readonly ConcurrentQueue<byte[]> _sent = new();
    private Action<MulticastDatagram>? _received;
    private Action<Exception>? _failed;
    private int _disposed;

    public string Description => "fake";

    public bool Disposed => Volatile.Read(ref _disposed) > 0;

    /// <summary>When set, the next Send throws it (a bug inside the resolver's turn).</summary>
    public Exception? ThrowOnSend { get; set; }

    /// <summary>Every question sent so far, in order.</summary>
    public IReadOnlyList<(string Name, DnsRecordType Type)> Questions => [.. _sent.SelectMany(Decode)];

    public void Start(Action<MulticastDatagram> received, Action<Exception> failed)
    {
        _received = received;
        _failed = failed;
    }

    public IReadOnlyList<string> Send(byte[] packet)
    {
        if (ThrowOnSend is { } e)
        {
            ThrowOnSend = null;
            throw e;
        }

        _sent.Enqueue(packet);
        return [];
    }

    public void Deliver(byte[] datagram) => _received!(new MulticastDatagram(datagram, Responder));

    public void Answer(params DnsRecord[] records) => Deliver(DnsCodec.EncodeResponse(records));

    public void Fail(Exception e) => _failed!(e);

    public void Dispose() => Interlocked.Increment(ref _disposed);

    /// <summary>The questions of one query, read back by hand (the codec keeps no questions).</summary>
    private static IEnumerable<(string, DnsRecordType)> Decode(byte[] packet)
    {
        var count = (packet[4] << 8) | packet[5];
        var pos = 12;
        for (var i = 0; i < count; i++)
        {
            var labels = new List<string>();
            while (packet[pos] != 0)
            {
                labels.Add(System.Text.Encoding.UTF8.GetString(packet, pos + 1, packet[pos]));
                pos += 1 + packet[pos];
            }

            var type = (DnsRecordType)((packet[pos + 1] << 8) | packet[pos + 2]);
            pos += 5;
            yield return (string.Join('.', labels), type);
        }
    }
}

/// <summary>A clock the test moves by hand (for TTLs; timeouts run on the actor system's scheduler).</summary>
public sealed class ManualClock : TimeProvider
{
    private DateTimeOffset _now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
