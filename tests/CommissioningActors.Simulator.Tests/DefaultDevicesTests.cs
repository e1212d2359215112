using CommissioningActors.Protocol.Matter;

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
        Assert.Equal("MT:Y.K90AFN00KA0648G00", first.QrCode);
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

    public static TheoryData<int> DeviceIndexes => [0, 1, 2];

    [Theory]
    [MemberData(nameof(DeviceIndexes))]
    public void Setup_codes_parse_back_to_the_devices_discriminator_and_passcode(int index)
    {
        var device = DefaultDevices.All[index];
        Assert.True(SetupCode.IsValidPasscode(device.Passcode));

        var manual = SetupCode.Parse(device.ManualCode);
        Assert.True(manual.IsOk, manual.Error?.ToString());
        Assert.Equal(device.Passcode, manual.Value!.Passcode);
        Assert.True(manual.Value.IsShortDiscriminator);
        Assert.Equal(device.Discriminator >> 8, manual.Value.ShortDiscriminator);

        var qr = SetupCode.Parse(device.QrCode);
        Assert.True(qr.IsOk, qr.Error?.ToString());
        Assert.Equal(device.Passcode, qr.Value!.Passcode);
        Assert.Equal(device.Discriminator, qr.Value.Discriminator);
        Assert.Equal(device.VendorId, qr.Value.VendorId);
    }

    [Fact]
    public void Every_device_qr_code_matches_its_advertised_product_id()
    {
        Assert.All(DefaultDevices.All, d => Assert.Equal(d.ProductId, SetupCode.Parse(d.QrCode).Value!.ProductId));
    }

    [Fact]
    public void New_devices_advertise_ble_in_their_qr_codes()
    {
        Assert.All(DefaultDevices.All.Skip(1), d =>
            Assert.Equal(RendezvousFlags.Ble, SetupCode.Parse(d.QrCode).Value!.RendezvousInformation));
    }
}
