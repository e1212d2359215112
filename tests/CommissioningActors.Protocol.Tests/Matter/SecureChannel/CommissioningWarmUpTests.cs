using CommissioningActors.Protocol.Matter.Certificates;
using CommissioningActors.Protocol.Matter.SecureChannel;

namespace CommissioningActors.Protocol.Tests.Matter.SecureChannel;

public sealed class CommissioningWarmUpTests
{
    [Fact]
    public void The_warm_up_completes_a_pase_handshake_with_itself_and_builds_every_paa_chain()
    {
        using var development = PaaTrustStore.Load();

        Assert.True(CommissioningWarmUp.Run(development));
        Assert.True(CommissioningWarmUp.Run(development)); // nothing is kept: it runs again from scratch
    }

    [Fact]
    public void The_warm_up_needs_no_trusted_paa()
    {
        using var none = PaaTrustStore.Load(includeDevelopment: false);

        Assert.True(CommissioningWarmUp.Run(none));
    }
}
