using System.Text.Json.Nodes;
using CommissioningActors.Host.Tests.Support;
using CommissioningActors.Simulator;

namespace CommissioningActors.Host.Tests.EndToEnd;

/// <summary>server_info shows each proxy's slot count and where it came from (hello / hocon / default).</summary>
public sealed class ProxyCapacityEndToEndTests
{
    private const string Hocon = """
        commissioning.gate {
          slots = 2
          slots-per-proxy { "pinned" = 1 }
        }
        """;

    private static SimulatorOptions Proxy(string name, int? announced) => new()
    {
        Name = name,
        ConnectionSlots = 4,
        AnnouncedConnectionSlots = announced,
        Devices = [],
    };

    [Fact]
    public async Task Server_info_lists_each_proxys_capacity_and_its_source()
    {
        await using var host = await TestHost.StartWithHoconAsync(Hocon);
        await using var stated = await SimulatedProxy.ConnectAsync(Named(host, "stated"), Proxy("stated", 4));
        await using var old = await SimulatedProxy.ConnectAsync(Named(host, "old"), Proxy("old", null));
        await using var pinned = await SimulatedProxy.ConnectAsync(Named(host, "pinned"), Proxy("pinned", 4));
        await using var client = await host.ConnectControllerAsync();

        var proxies = await Eventually.GetAsync(
            async () => (await client.CommandAsync("info", "server_info"))["result"]!["proxies"]!.AsArray(),
            p => p.Count == 3, what: "three proxies in server_info");

        JsonNode Of(string name) => proxies.Single(p => (string?)p!["name"] == name)!;
        Assert.Equal((4, "hello"), ((int)Of("stated")["slots"]!, (string?)Of("stated")["slots_source"]));
        Assert.Equal((2, "default"), ((int)Of("old")["slots"]!, (string?)Of("old")["slots_source"]));
        Assert.Equal((1, "hocon"), ((int)Of("pinned")["slots"]!, (string?)Of("pinned")["slots_source"]));
    }

    [Fact]
    public async Task A_proxy_stating_zero_slots_is_refused_with_invalid_hello()
    {
        await using var host = await TestHost.StartWithHoconAsync(Hocon);

        var refused = await Assert.ThrowsAsync<SimulatorHandshakeException>(() => SimulatedProxy.ConnectAsync(Named(host, "zero"), Proxy("zero", 0)));

        Assert.Equal("invalid_hello", refused.ErrorCode);
        Assert.Contains("connection_slots", refused.Message, StringComparison.Ordinal);
    }

    private static Uri Named(TestHost host, string name) => new UriBuilder(host.Ble) { Query = $"name={name}" }.Uri;
}
