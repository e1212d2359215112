namespace CommissioningActors.Simulator.Tests;

public sealed class DefaultDevicesTests
{
    [Fact]
    public void First_device_is_the_standard_matter_test_device_with_three_rotating_addresses()
    {
        var first = DefaultDevices.All[0];
        Assert.Equal(3840, first.Discriminator);
        Assert.Equal(20202021u, first.Passcode);
        Assert.Equal("34970112332", first.ManualCode);
        Assert.Equal("MT:-24J0AFN00KA0648G00", first.QrCode);
        Assert.Equal(3, first.Addresses.Count);
    }

    [Fact]
    public void Three_devices_with_distinct_discriminators_and_addresses_one_with_additional_data()
    {
        var all = DefaultDevices.All;
        Assert.Equal(3, all.Count);
        Assert.Equal(3, all.Select(d => d.Discriminator).Distinct().Count());
        Assert.Equal(5, all.SelectMany(d => d.Addresses).Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.Single(all, d => d.HasAdditionalData);
        Assert.All(all.Skip(1), d => Assert.Single(d.Addresses));
    }
}
