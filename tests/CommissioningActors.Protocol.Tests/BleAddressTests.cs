using CommissioningActors.Protocol.BleProxy;
using static CommissioningActors.Protocol.Tests.BleProxyCodecTests;

namespace CommissioningActors.Protocol.Tests;

public class BleAddressTests
{
    [Theory]
    [InlineData("AA:BB:CC:DD:EE:FF")]
    [InlineData("c0:ff:ee:00:00:01")]
    [InlineData("01:23:45:67:89:aB")]
    [InlineData("5E5D5A2C-8A4C-4B5B-9E0A-1C2D3E4F5A6B")] // macOS CoreBluetooth peripheral identifier
    [InlineData("5e5d5a2c-8a4c-4b5b-9e0a-1c2d3e4f5a6b")]
    public void Macs_and_platform_uuids_are_addresses(string address) => Assert.True(BleAddress.IsValid(address));

    [Theory]
    [InlineData("")]
    [InlineData("x")]
    [InlineData("AA:BB:CC:DD:EE")]
    [InlineData("AA:BB:CC:DD:EE:FF:00")]
    [InlineData("AA-BB-CC-DD-EE-FF")]
    [InlineData("AABBCCDDEEFF")]
    [InlineData("AA:BB:CC:DD:EE:FG")]
    [InlineData("AA:BB:CC:DD:EE:F\n")]
    [InlineData("AA:BB:CC:DD:EE:FF\n[ERR] fake")]
    [InlineData(" AA:BB:CC:DD:EE:FF")]
    [InlineData("AA:BB:CC:DD:EE:FF ")]
    [InlineData("AA:BB:CC:DD:EE:ＦＦ")] // full-width digits are not ASCII hex
    [InlineData("5E5D5A2C8A4C4B5B9E0A1C2D3E4F5A6B")]
    [InlineData("{5E5D5A2C-8A4C-4B5B-9E0A-1C2D3E4F5A6B}")]
    [InlineData("5E5D5A2C-8A4C-4B5B-9E0A-1C2D3E4F5A6G")]
    [InlineData(null)]
    public void Everything_else_is_not(string? address) => Assert.False(BleAddress.IsValid(address));

    [Fact]
    public void A_huge_address_is_not_an_address() => Assert.False(BleAddress.IsValid(new string('A', 60_000)));

    [Theory]
    [InlineData("not-an-address")]
    [InlineData("AA:BB:CC:DD:EE:FF\n[ERR] fake")]
    public void Device_discovered_with_an_invalid_address_is_a_bad_frame_whose_error_quotes_it_escaped(string address)
    {
        var wire = "{\"event\":\"device_discovered\",\"data\":{\"address\":" + System.Text.Json.JsonSerializer.Serialize(address)
            + ",\"connectable\":true}}";
        var parsed = BleProxyCodec.ParseClientMessage(wire);
        Assert.False(parsed.IsOk);
        Assert.Equal(ParseErrorKind.InvalidValue, parsed.Error!.Kind);
        Assert.Contains("device_discovered.data.address", parsed.Error.Message);
        Assert.Contains("is not a BLE address", parsed.Error.Message);
        Assert.DoesNotContain('\n', parsed.Error.Message);
    }

    [Fact]
    public void An_oversized_address_is_quoted_truncated_in_the_error()
    {
        var wire = J($"{{'event':'device_discovered','data':{{'address':'{new string('A', 50_000)}','connectable':true}}}}");
        var parsed = BleProxyCodec.ParseClientMessage(wire, 1 << 20);
        Assert.False(parsed.IsOk);
        Assert.True(parsed.Error!.Message.Length < 200, parsed.Error.Message);
    }
}
