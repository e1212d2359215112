using CommissioningActors.Protocol.Matter.Transport;
using Xunit;

namespace CommissioningActors.Protocol.Tests.Matter.Transport;

public class MrpBackoffTests
{
    [Theory]
    // base × 1.1 × 1.6^max(0, n−1) × (1 + jitter × 0.25), floored to whole ms
    [InlineData(300, 0, 0.0, 330)]
    [InlineData(300, 1, 0.0, 330)]
    [InlineData(300, 2, 0.0, 528)]
    [InlineData(300, 3, 0.0, 844)]
    [InlineData(300, 4, 0.0, 1351)]
    [InlineData(500, 0, 0.0, 550)]
    [InlineData(500, 2, 0.0, 880)]
    [InlineData(500, 4, 0.0, 2252)]
    [InlineData(300, 0, 0.999999, 412)]
    [InlineData(500, 3, 0.5, 1584)]
    public void Backoff_follows_the_spec_formula(int baseMs, int retransmissions, double jitter, int expectedMs)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs),
            Mrp.Backoff(TimeSpan.FromMilliseconds(baseMs), retransmissions, jitter));
    }

    [Fact]
    public void Constants_match_the_spec()
    {
        Assert.Equal(5, Mrp.MaxTransmissions);
        Assert.Equal(TimeSpan.FromMilliseconds(200), Mrp.StandaloneAckTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(500), SessionParameters.Default.IdleInterval);
        Assert.Equal(TimeSpan.FromMilliseconds(300), SessionParameters.Default.ActiveInterval);
        Assert.Equal(TimeSpan.FromSeconds(4), SessionParameters.Default.ActiveThreshold);
    }
}
