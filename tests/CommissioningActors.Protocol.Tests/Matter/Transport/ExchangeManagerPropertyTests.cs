using CommissioningActors.Protocol.Matter.Messages;
using CommissioningActors.Protocol.Matter.Transport;
using FsCheck.Xunit;
using static CommissioningActors.Protocol.Tests.Matter.Transport.TransportTestKit;

namespace CommissioningActors.Protocol.Tests.Matter.Transport;

/// <summary>Random interleavings of peer messages, sends, closes and timer ticks keep the layer's promises.</summary>
public class ExchangeManagerPropertyTests
{
    [Property(MaxTest = 200)]
    public bool Random_traffic_keeps_the_invariants(int seed, bool mrp)
    {
        var random = new Random(seed);
        var clock = new ManualClock();
        var manager = Manager(clock, mrp, jitter: random.NextDouble(), exchangeId: random.Next(65536));
        var delivered = new HashSet<uint>();
        var transmissions = new Dictionary<uint, int>();
        var ours = new List<ExchangeKey>();
        var sentCounters = new List<uint>();

        bool Check(IReadOnlyList<ExchangeOutput> outputs)
        {
            foreach (var output in outputs)
            {
                switch (output)
                {
                    case DeliverMessage d when !delivered.Add(d.Message.Header.Counter):
                        return false; // delivered twice
                    case TransmitMessage t:
                        var counter = t.Message.Header.Counter;
                        var n = transmissions[counter] = transmissions.GetValueOrDefault(counter) + 1;
                        if (n > Mrp.MaxTransmissions || n != t.Transmission || (!mrp && (t.Message.Exchange.RequiresAck || n > 1)))
                        {
                            return false;
                        }

                        if (!mrp && (t.Message.Exchange.AckedCounter is not null || t.Message.Exchange.Is(SecureChannelOpcode.StandaloneAck)))
                        {
                            return false;
                        }

                        sentCounters.Add(counter);
                        break;
                    case DeliverMessage d when !d.Exchange.WeInitiated && !ours.Contains(d.Exchange):
                        ours.Add(d.Exchange);
                        break;
                }
            }

            return true;
        }

        for (var step = 0; step < 200; step++)
        {
            IReadOnlyList<ExchangeOutput> outputs;
            switch (random.Next(6))
            {
                case 0:
                    var started = manager.StartExchange(MatterProtocolId.InteractionModel);
                    ours.Add(started);
                    outputs = manager.Send(started, ReadRequest, ReadOnlyMemory<byte>.Empty, reliable: random.Next(2) == 0);
                    break;
                case 1 when ours.Count > 0:
                    var key = ours[random.Next(ours.Count)];
                    outputs = manager.IsOpen(key) && !manager.AwaitsAck(key)
                        ? manager.Send(key, ReportData, ReadOnlyMemory<byte>.Empty)
                        : manager.Close(key);
                    break;
                case 2:
                    clock.AdvanceMs(random.Next(1, 3000));
                    outputs = manager.OnTimer();
                    if (manager.NextDeadline is { } next && next <= clock.Now)
                    {
                        return false; // a host would spin on a deadline already past
                    }

                    break;
                default:
                    var exchangeId = ours.Count > 0 && random.Next(3) > 0 ? ours[random.Next(ours.Count)].Id : (ushort)random.Next(8);
                    uint? acked = sentCounters.Count > 0 && random.Next(2) == 0 ? sentCounters[random.Next(sentCounters.Count)] : null;
                    var standalone = random.Next(4) == 0;
                    outputs = manager.Receive(standalone
                        ? StandaloneAck((uint)random.Next(1, 60), exchangeId, random.Next(2) == 0, acked ?? 1)
                        : FromPeer((uint)random.Next(1, 60), exchangeId, random.Next(2) == 0, requiresAck: random.Next(3) > 0, acked: acked));
                    break;
            }

            if (!Check(outputs))
            {
                return false;
            }
        }

        return true;
    }
}
