using CommissioningActors.Protocol.Matter.Btp;

namespace CommissioningActors.Protocol.Tests.Matter.Btp;

/// <summary>
/// Both sessions over a link where every packet spends 5-15 ms in the air, one at a time per direction (as the
/// simulator's radio does): alternating messages of any size must never wait for the 5 s ack timer.
/// </summary>
public class BtpAirTimeTests
{
    private sealed class Link
    {
        private readonly Random _random;
        private readonly PriorityQueue<(BtpSession To, byte[] Packet), (TimeSpan, long)> _air = new();
        private readonly Dictionary<BtpSession, TimeSpan> _laneFree = [];
        private long _order;

        public Link(int seed)
        {
            _random = new Random(seed);
            Central = BtpSession.Central();
            Peripheral = BtpSession.Peripheral(247);
            Take(Central, Central.Start(247, Now));
        }

        public BtpSession Central { get; }
        public BtpSession Peripheral { get; }
        public TimeSpan Now { get; private set; }
        public Action<BtpSession, byte[]>? Received { get; set; }

        public void Take(BtpSession from, IReadOnlyList<BtpOutput> outputs)
        {
            var to = from == Central ? Peripheral : Central;
            var messages = new List<byte[]>();
            foreach (var output in outputs)
            {
                if (output is BtpTransmit t)
                {
                    var free = _laneFree.GetValueOrDefault(from);
                    var at = (free > Now ? free : Now) + TimeSpan.FromMilliseconds(_random.Next(5, 16));
                    _laneFree[from] = at;
                    _air.Enqueue((to, t.Packet), (at, _order++));
                }
                else if (output is BtpMessageReceived m)
                {
                    messages.Add(m.Message);
                }
                else if (output is BtpSessionClosed c)
                {
                    throw new InvalidOperationException($"closed: {c.Reason} {c.Message}");
                }
            }

            foreach (var message in messages)
            {
                Received?.Invoke(from, message);
            }
        }

        public void Step()
        {
            var next = _air.TryPeek(out _, out var p) ? p.Item1 : (TimeSpan?)null;
            var timer = Min(Central.NextDeadline, Peripheral.NextDeadline);
            if (timer is { } t && (next is null || t < next))
            {
                Now = t;
                if (Central.NextDeadline <= Now)
                {
                    Take(Central, Central.OnTimer(Now));
                }

                if (Peripheral.NextDeadline <= Now)
                {
                    Take(Peripheral, Peripheral.OnTimer(Now));
                }

                return;
            }

            var (to, packet) = _air.Dequeue();
            Now = next!.Value;
            Take(to, to.Receive(packet, Now));
        }

        private static TimeSpan? Min(TimeSpan? a, TimeSpan? b) => a is null ? b : b is null ? a : a < b ? a : b;
    }

    [Fact]
    public void Request_response_exchanges_with_air_time_never_wait_for_the_ack_timer()
    {
        var stalls = new List<string>();
        for (var run = 0; run < 200; run++)
        {
            var random = new Random(run);
            var link = new Link(run);
            var sizes = Enumerable.Range(0, 16).Select(_ => random.Next(1, 1281)).ToArray();
            var index = 0;
            var sentAt = TimeSpan.Zero;
            var done = false;
            void Next()
            {
                if (index == sizes.Length)
                {
                    done = true;
                    return;
                }

                sentAt = link.Now;
                var from = index % 2 == 0 ? link.Central : link.Peripheral;
                link.Take(from, from.Send(new byte[sizes[index++]], link.Now));
            }

            link.Received = (_, message) =>
            {
                if (link.Now - sentAt > TimeSpan.FromSeconds(1))
                {
                    stalls.Add($"run {run} message {index - 1} ({sizes[index - 1]} bytes) took {(link.Now - sentAt).TotalMilliseconds} ms");
                }

                Next();
            };
            // The handshake and its ack settle first.
            while (link.Now < TimeSpan.FromSeconds(0.2))
            {
                link.Step();
            }

            Next();
            for (var guard = 0; !done && guard < 100_000; guard++)
            {
                link.Step();
            }

            Assert.True(done, $"run {run} did not finish");
        }

        Assert.Empty(stalls);
    }
}
