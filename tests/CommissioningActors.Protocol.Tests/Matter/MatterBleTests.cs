using CommissioningActors.Protocol.BleProxy;
using CommissioningActors.Protocol.Matter;

namespace CommissioningActors.Protocol.Tests.Matter;

public class MatterBleTests
{
    // Matter Core spec 4.18.3 / connectedhomeip BleUUID / matter.js BleConsts: C3 is not in the C1/C2 family.
    [Theory]
    [InlineData(MatterBle.C1WriteUuid, "18EE2EF5-263D-4559-959F-4F9C429F9D11")]
    [InlineData(MatterBle.C2IndicateUuid, "18EE2EF5-263D-4559-959F-4F9C429F9D12")]
    [InlineData(MatterBle.C3AdditionalDataUuid, "64630238-8772-45F2-B87D-748A83218F04")]
    [InlineData(MatterBle.ServiceUuid, "FFF6")]
    public void Characteristic_uuids_are_the_published_ones(string ours, string published)
    {
        Assert.True(BleUuid.AreEqual(ours, published));
        Assert.Equal(ours, BleUuid.Normalize(ours));
    }

    [Fact]
    public void C3_is_not_the_c1_c2_family_guess()
    {
        Assert.False(BleUuid.AreEqual(MatterBle.C3AdditionalDataUuid, "18EE2EF5-263D-4559-959F-4F9C429F9D13"));
    }
}
