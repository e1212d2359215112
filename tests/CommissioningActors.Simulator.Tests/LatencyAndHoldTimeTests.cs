using CommissioningActors.Protocol.BleProxy;

namespace CommissioningActors.Simulator.Tests;

public sealed class LatencyAndHoldTimeTests
{
    [Theory]
    [InlineData("fixed:40", 40, 40)]
    [InlineData("uniform:20-80", 20, 80)]
    [InlineData("lognormal:50,0.5,300", 0, 300)]
    public void Parsed_distributions_draw_within_their_bounds(string text, double min, double max)
    {
        var distribution = LatencyDistribution.Parse(text);
        var random = new Random(1);
        for (var i = 0; i < 10_000; i++)
        {
            var ms = distribution.Sample(random).TotalMilliseconds;
            Assert.InRange(ms, min, max);
        }

        Assert.Equal(distribution, LatencyDistribution.Parse(distribution.ToString()));
    }

    [Fact]
    public void Lognormal_draws_centre_on_the_median()
    {
        var distribution = LatencyDistribution.LogNormal(TimeSpan.FromMilliseconds(50), 0.4);
        var random = new Random(7);
        var draws = Enumerable.Range(0, 20_001).Select(_ => distribution.Sample(random).TotalMilliseconds).Order().ToList();
        Assert.InRange(draws[10_000], 47, 53);
    }

    [Theory]
    [InlineData("normal:5")]
    [InlineData("uniform:80-20")]
    [InlineData("lognormal:50")]
    [InlineData("fixed:abc")]
    public void Bad_distributions_are_rejected(string text) =>
        Assert.Throws<FormatException>(() => LatencyDistribution.Parse(text));

    [Fact]
    public async Task Slot_hold_time_counts_from_connect_to_disconnect()
    {
        await using var server = new TestBleServer();
        var options = new SimulatorOptions
        {
            Latencies = new SimulatorLatencies
            {
                ConnectDistribution = LatencyDistribution.Uniform(TimeSpan.FromMilliseconds(30), TimeSpan.FromMilliseconds(40)),
                Seed = 3,
            },
        };
        var (proxy, session) = await server.StartSimulatorAsync(options);
        await using var _ = proxy;

        var connect = new Connect("C0:FF:EE:00:01:01");
        var response = await session.CommandAsync(connect);
        Assert.True(response.Success, response.Message);
        var handle = Assert.IsType<ConnectResult>(BleProxyCodec.DecodeResult(connect, response.Result).Value).ConnectionHandle;
        Assert.Equal(0, proxy.SlotHoldsCompleted);

        await Task.Delay(50);
        Assert.True((await session.CommandAsync(new Disconnect(handle))).Success);

        Assert.Equal(1, proxy.SlotHoldsCompleted);
        Assert.InRange(proxy.TotalSlotHoldTime.TotalMilliseconds, 80, 5_000);
    }
}
