using System.Net;
using System.Text.Json.Nodes;
using CommissioningActors.Core.Controller;
using CommissioningActors.Protocol.Controller;

namespace CommissioningActors.Core.Tests.Controller;

public sealed class MatterCommandArgsTests
{
    private static ControllerCommand With(JsonObject args) => new("m1", "commission_on_network", args);

    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1:5540")]
    [InlineData("127.0.0.1:5541", "127.0.0.1:5541")]
    [InlineData("::1", "[::1]:5540")]
    [InlineData("[::1]:6000", "[::1]:6000")]
    [InlineData("fe80::1%2", "[fe80::1%2]:5540")]
    public void Ip_addr_is_an_address_with_port_5540_unless_one_is_given(string text, string expected) =>
        Assert.Equal(IPEndPoint.Parse(expected), CommandArgs.IpAddress(With(new() { ["ip_addr"] = text })));

    [Theory]
    [InlineData("light.local")]
    [InlineData("127.0.0.1:0")]
    [InlineData("127.0.0.1:70000")]
    [InlineData("127.0.0.1:")]
    [InlineData("")]
    public void Ip_addr_that_is_not_an_address_is_refused(string text) =>
        Assert.Throws<ArgumentException>(() => CommandArgs.IpAddress(With(new() { ["ip_addr"] = text })));

    [Fact]
    public void Filter_type_picks_none_short_or_long_and_checks_the_range()
    {
        Assert.False(CommandArgs.NetworkFilter(With([])).Match);
        Assert.Equal((true, (ushort)7, true), CommandArgs.NetworkFilter(With(new() { ["filter_type"] = 1, ["filter"] = 7 })));
        Assert.Equal((true, (ushort)3840, false), CommandArgs.NetworkFilter(With(new() { ["filter_type"] = 2, ["filter"] = 3840 })));
        Assert.Throws<ArgumentException>(() => CommandArgs.NetworkFilter(With(new() { ["filter_type"] = 1, ["filter"] = 16 })));
        Assert.Throws<ArgumentException>(() => CommandArgs.NetworkFilter(With(new() { ["filter_type"] = 2 })));
        Assert.Throws<ArgumentException>(() => CommandArgs.NetworkFilter(With(new() { ["filter_type"] = 3, ["filter"] = 1 })));
    }

    [Fact]
    public void A_thread_dataset_must_be_hex_tlvs_with_a_network_key_and_errors_never_quote_it()
    {
        var key = "00112233445566778899aabbccddeeff";
        Assert.Equal(18, CommandArgs.ThreadDataset(With(new() { ["dataset"] = "0510" + key })).Length);
        Assert.Equal(22, CommandArgs.ThreadDataset(With(new() { ["dataset"] = "0102abcd0510" + key.ToUpperInvariant() })).Length);
        foreach (var bad in new[] { "0510" + key[..30], "0510" + key + "0", "0510" + key + "01", "0102abcd", "zz10" + key, new string('0', 510) })
        {
            var error = Assert.Throws<ArgumentException>(() => CommandArgs.ThreadDataset(With(new() { ["dataset"] = bad })));
            Assert.DoesNotContain(key[..8], error.Message, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public void Wifi_credentials_allow_an_open_network_and_bound_the_lengths_without_quoting_the_password()
    {
        Assert.Empty(CommandArgs.WifiCredentials(With(new() { ["ssid"] = "cafe", ["credentials"] = "" })).Password);
        var tooLong = Assert.Throws<ArgumentException>(() =>
            CommandArgs.WifiCredentials(With(new() { ["ssid"] = "home", ["credentials"] = "s3cret" + new string('p', 64) })));
        Assert.DoesNotContain("s3cret", tooLong.Message);
        Assert.Throws<ArgumentException>(() => CommandArgs.WifiCredentials(With(new() { ["ssid"] = new string('s', 33), ["credentials"] = "x" })));
        Assert.Throws<ArgumentException>(() => CommandArgs.WifiCredentials(With(new() { ["ssid"] = "home", ["credentials"] = 12345678 })));
    }

    [Fact]
    public void Node_ids_are_positive_integers_up_to_64_bits()
    {
        Assert.Equal(ulong.MaxValue, CommandArgs.NodeId(With(new() { ["node_id"] = ulong.MaxValue })));
        foreach (var bad in new JsonNode[] { 0, -1, 1.5, "1", true })
        {
            Assert.Throws<ArgumentException>(() => CommandArgs.NodeId(With(new() { ["node_id"] = bad })));
        }
    }
}
