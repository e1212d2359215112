using CommissioningActors.Protocol.Matter.Messages;
using CommissioningActors.Protocol.Matter.Transport;
using Xunit;

namespace CommissioningActors.Protocol.Tests.Matter.Transport;

/// <summary>
/// A controller and a device, each an exchange manager behind AES-CCM, over a simulated UDP link that drops
/// chosen datagrams. Time only moves to the next deadline, so runs are exact and instant.
/// </summary>
public class LossyLinkTests
{
    private static readonly byte[] I2R = Convert.FromHexString("66951379d0a6d151cf5472cccf13f360");
    private static readonly byte[] R2I = Convert.FromHexString("bacb178b2588443d5d5b1e4559e7accc");

    private sealed class Node(string name, MatterExchangeManager manager, SecureMessageCodec codec)
    {
        public string Name { get; } = name;
        public MatterExchangeManager Manager { get; } = manager;
        public SecureMessageCodec Codec { get; } = codec;
        public List<DeliverMessage> Delivered { get; } = [];
        public List<ExchangeOutput> Events { get; } = [];
    }

    private sealed class Link(ManualClock clock, Func<string, int, bool> drop)
    {
        private readonly Dictionary<string, int> _sent = [];
        public Queue<(Node To, byte[] Datagram)> InFlight { get; } = new();
        public int Datagrams { get; private set; }

        public void Carry(Node from, Node to, IEnumerable<ExchangeOutput> outputs)
        {
            foreach (var output in outputs)
            {
                if (output is TransmitMessage t)
                {
                    var datagram = from.Codec.Seal(t.Message.Header, t.Message.Exchange, t.Message.Payload.Span);
                    var n = _sent[from.Name] = _sent.GetValueOrDefault(from.Name) + 1;
                    Datagrams++;
                    if (!drop(from.Name, n))
                    {
                        InFlight.Enqueue((to, datagram));
                    }
                }
                else
                {
                    from.Events.Add(output);
                    if (output is DeliverMessage d)
                    {
                        from.Delivered.Add(d);
                    }
                }
            }
        }

        public TimeSpan Now => clock.Now;
    }

    private static (Node Controller, Node Device, ManualClock Clock) Pair(double jitter)
    {
        var clock = new ManualClock();
        var controller = new Node("controller",
            new MatterExchangeManager(new ExchangeManagerOptions(new MessageAddressing(0x2222), UseMrp: true),
                MessageCounter.StartingAt(1000, false), ReceptionWindow.ForSecureUnicast(), () => clock.Now,
                new FixedRandom(jitter, 0x0100)),
            new SecureMessageCodec(I2R, R2I, 0, 0));
        var device = new Node("device",
            new MatterExchangeManager(new ExchangeManagerOptions(new MessageAddressing(0x1111), UseMrp: true),
                MessageCounter.StartingAt(5000, false), ReceptionWindow.ForSecureUnicast(), () => clock.Now,
                new FixedRandom(jitter, 0x9000)),
            new SecureMessageCodec(R2I, I2R, 0, 0));
        return (controller, device, clock);
    }

    /// <summary>Runs until nothing is in flight and no timer is pending; the device answers each request once.</summary>
    private static void Run(Link link, Node controller, Node device, ManualClock clock)
    {
        for (var steps = 0; steps < 1000; steps++)
        {
            if (link.InFlight.TryDequeue(out var item))
            {
                var (to, from) = item.To == device ? (device, controller) : (controller, device);
                var opened = to.Codec.Open(MessageCodec.DecodePacket(item.Datagram).Value!);
                Assert.True(opened.IsOk, opened.Error?.ToString());
                var before = to.Delivered.Count;
                link.Carry(to, from, to.Manager.Receive(opened.Value!));
                if (to == device && to.Delivered.Count > before)
                {
                    var request = to.Delivered[^1];
                    link.Carry(to, from, to.Manager.Send(request.Exchange, TransportTestKit.ReportData, new byte[] { 0x15, 0x18 }));
                    link.Carry(to, from, to.Manager.Close(request.Exchange));
                }

                continue;
            }

            var next = new[] { controller.Manager.NextDeadline, device.Manager.NextDeadline }.Where(d => d is not null).Min();
            if (next is null)
            {
                return;
            }

            clock.AdvanceTo(next.Value);
            link.Carry(controller, device, controller.Manager.OnTimer());
            link.Carry(device, controller, device.Manager.OnTimer());
        }

        Assert.Fail("the simulation did not settle");
    }

    [Theory]
    [InlineData("1,2", "1", 0.0)] // request lost twice, response lost once
    [InlineData("1,2", "1", 0.7)]
    [InlineData("", "1,2,3", 0.0)] // response, its retransmission and the re-ack of the duplicate request lost
    [InlineData("2", "1,2,3,4", 0.3)] // the controller's ack of the response lost too
    public void Request_and_response_survive_lost_datagrams_and_are_delivered_exactly_once(
        string controllerDrops, string deviceDrops, double jitter)
    {
        var (controller, device, clock) = Pair(jitter);
        var drops = new Dictionary<string, HashSet<int>>
        {
            ["controller"] = [.. controllerDrops.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse)],
            ["device"] = [.. deviceDrops.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse)],
        };
        var link = new Link(clock, (who, n) => drops[who].Contains(n));
        var exchange = controller.Manager.StartExchange(MatterProtocolId.InteractionModel);

        link.Carry(controller, device, controller.Manager.Send(exchange, TransportTestKit.ReadRequest, new byte[] { 0x15, 0x18 }));
        Run(link, controller, device, clock);

        Assert.Single(device.Delivered);
        var response = Assert.Single(controller.Delivered);
        Assert.Equal(InteractionModelOpcode.ReportData, (InteractionModelOpcode)response.Message.Exchange.Opcode);
        Assert.Single(controller.Events, e => e is MessageAcknowledged);
        Assert.Single(device.Events, e => e is MessageAcknowledged);
        Assert.DoesNotContain(controller.Events, e => e is DeliveryFailed);
        Assert.DoesNotContain(device.Events, e => e is DeliveryFailed);
        Assert.Equal(0, device.Manager.OpenExchanges);
        Assert.Null(controller.Manager.NextDeadline);
    }

    [Fact]
    public void A_retransmitted_request_whose_ack_was_lost_is_reacknowledged_not_redelivered()
    {
        var (controller, device, clock) = Pair(jitter: 0);
        var link = new Link(clock, (who, n) => who == "device" && n <= 2);
        var exchange = controller.Manager.StartExchange(MatterProtocolId.InteractionModel);
        link.Carry(controller, device, controller.Manager.Send(exchange, TransportTestKit.ReadRequest, ReadOnlyMemory<byte>.Empty));

        Run(link, controller, device, clock);

        Assert.Single(device.Delivered);
        Assert.Contains(device.Events, e => e is MessageDropped { Reason: DropReason.Duplicate, Counter: 1000 });
        Assert.Single(controller.Delivered); // counter 5000 arrives after the device's later re-ack (5002)
    }

    [Fact]
    public void A_device_that_never_answers_fails_the_exchange_after_five_transmissions()
    {
        var (controller, device, clock) = Pair(jitter: 0);
        var link = new Link(clock, (who, _) => who == "controller");
        var exchange = controller.Manager.StartExchange(MatterProtocolId.InteractionModel);
        link.Carry(controller, device, controller.Manager.Send(exchange, TransportTestKit.ReadRequest, ReadOnlyMemory<byte>.Empty));

        Run(link, controller, device, clock);

        Assert.Equal(new DeliveryFailed(exchange, 1000, 5), Assert.Single(controller.Events));
        Assert.Equal(5, link.Datagrams);
        // 550 + 550 + 880 + 1408 + 2252 ms on the idle interval.
        Assert.Equal(TimeSpan.FromMilliseconds(5640), clock.Now);
        Assert.Empty(device.Delivered);
    }
}
