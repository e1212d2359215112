using CommissioningActors.Protocol.Mdns;

namespace CommissioningActors.Protocol.Tests.Mdns;

public class MatterDnsSdTests
{
    [Fact]
    public void Names_follow_the_matter_dns_sd_scheme()
    {
        Assert.Equal("_L3840._sub._matterc._udp.local", MatterDnsSd.LongSubtype(3840));
        Assert.Equal("_S15._sub._matterc._udp.local", MatterDnsSd.ShortSubtype(15));
        Assert.Equal("2906C908D115D362-000000000000000A._matter._tcp.local", MatterDnsSd.OperationalInstance(0x2906C908D115D362, 10));
    }

    [Theory]
    [InlineData(new[] { "D=3840" }, (ushort)3840)]
    [InlineData(new[] { "d=0" }, (ushort)0)]
    [InlineData(new[] { "CM=1", "D=4095" }, (ushort)4095)]
    [InlineData(new[] { "D=4096" }, null)]
    [InlineData(new[] { "D=-1" }, null)]
    [InlineData(new[] { "D= 12" }, null)]
    [InlineData(new[] { "DD=12" }, null)]
    [InlineData(new string[0], null)]
    public void The_discriminator_is_read_strictly(string[] txt, ushort? expected) =>
        Assert.Equal(expected, MatterDnsSd.Discriminator(txt));

    [Theory]
    [InlineData("VP=65521+32768", (ushort)65521, (ushort)32768)]
    [InlineData("VP=65521", (ushort)65521, null)]
    [InlineData("VP=65521+x", (ushort)65521, null)]
    [InlineData("VP=70000+1", null, null)]
    [InlineData("VP=1+2+3", null, null)]
    public void Vendor_and_product_come_from_VP(string entry, ushort? vendor, ushort? product) =>
        Assert.Equal((vendor, product), MatterDnsSd.VendorProduct([entry]));
}
