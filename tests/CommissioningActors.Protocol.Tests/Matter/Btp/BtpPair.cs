using CommissioningActors.Protocol.Matter.Btp;

namespace CommissioningActors.Protocol.Tests.Matter.Btp;

/// <summary>
/// A central and a peripheral session wired back to back with a fake clock: packets in flight are delivered in
/// order, and <see cref="RunUntil"/> advances time to each next deadline.
/// </summary>
internal sealed class BtpPair
{
    public BtpPair(BtpSessionOptions? central = null, BtpSessionOptions? peripheral = null, ushort attMtu = 247, ushort linkAttMtu = 247)
    {
        Central = BtpSession.Central(central);
        Peripheral = BtpSession.Peripheral(linkAttMtu, peripheral);
        Take(Central, Central.Start(attMtu, Now));
        Pump();
    }

    public BtpSession Central { get; }
    public BtpSession Peripheral { get; }
    public TimeSpan Now { get; set; }

    /// <summary>Every packet put on the air, in order, tagged with its sender.</summary>
    public List<(BtpRole From, byte[] Packet)> Wire { get; } = [];

    public List<byte[]> ReceivedByCentral { get; } = [];
    public List<byte[]> ReceivedByPeripheral { get; } = [];
    public List<BtpSessionClosed> Closed { get; } = [];
    public List<BtpSendRejected> Rejected { get; } = [];

    private readonly Queue<(BtpSession To, byte[] Packet)> _inFlight = new();

    public void SendFromCentral(byte[] message) => Take(Central, Central.Send(message, Now));

    public void SendFromPeripheral(byte[] message) => Take(Peripheral, Peripheral.Send(message, Now));

    /// <summary>Delivers everything in flight (and what that triggers) without moving the clock.</summary>
    public void Pump()
    {
        var budget = 100_000;
        while (_inFlight.TryDequeue(out var next))
        {
            if (--budget == 0)
            {
                throw new InvalidOperationException("the sessions keep talking without time passing");
            }

            Take(next.To, next.To.Receive(next.Packet, Now));
        }
    }

    /// <summary>Pumps, then jumps to each next deadline and fires it, until <paramref name="until"/>.</summary>
    public void RunUntil(TimeSpan until)
    {
        Pump();
        for (var budget = 100_000; ; budget--)
        {
            if (budget == 0)
            {
                throw new InvalidOperationException("timers keep firing without progress");
            }

            var next = Min(Central.NextDeadline, Peripheral.NextDeadline);
            if (next is null || next > until)
            {
                Now = until;
                return;
            }

            Now = next.Value;
            if (Central.NextDeadline <= Now)
            {
                Take(Central, Central.OnTimer(Now));
            }

            if (Peripheral.NextDeadline <= Now)
            {
                Take(Peripheral, Peripheral.OnTimer(Now));
            }

            Pump();
        }
    }

    public void Take(BtpSession from, IReadOnlyList<BtpOutput> outputs)
    {
        var to = from == Central ? Peripheral : Central;
        foreach (var output in outputs)
        {
            switch (output)
            {
                case BtpTransmit transmit:
                    Wire.Add((from.Role, transmit.Packet));
                    _inFlight.Enqueue((to, transmit.Packet));
                    break;
                case BtpMessageReceived received:
                    (from == Central ? ReceivedByCentral : ReceivedByPeripheral).Add(received.Message);
                    break;
                case BtpSessionClosed closed:
                    Closed.Add(closed);
                    break;
                case BtpSendRejected rejected:
                    Rejected.Add(rejected);
                    break;
            }
        }
    }

    private static TimeSpan? Min(TimeSpan? a, TimeSpan? b) => a is null ? b : b is null ? a : a < b ? a : b;
}
