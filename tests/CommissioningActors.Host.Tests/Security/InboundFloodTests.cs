using System.Text.Json.Nodes;
using Akka.Actor;
using CommissioningActors.Core.Discovery;
using CommissioningActors.Core.Proxies;
using CommissioningActors.Host.Tests.Support;

namespace CommissioningActors.Host.Tests.Security;

/// <summary>The pump reads a peer's frames only as fast as its session handles them; nothing is dropped.</summary>
public sealed class InboundFloodTests
{
    [Fact]
    public async Task A_proxy_flooding_frames_is_paced_by_its_session_and_every_frame_is_still_handled()
    {
        await using var host = await TestHost.StartWithHoconAsync("""
            commissioning.proxy.scan-on-connect = off
            commissioning.discovery.max-sightings-per-proxy = 5000
            """);
        await using var flood = await RawClient.ConnectAsync(new UriBuilder(host.Ble) { Query = "name=flood" }.Uri);
        await flood.SendTextAsync("""{"type":"hello","version":1}""");
        await flood.ReceiveJsonAsync();

        const int Frames = 3000;
        for (var i = 0; i < Frames; i++)
        {
            await flood.SendTextAsync(new JsonObject
            {
                ["event"] = "device_discovered",
                ["data"] = new JsonObject { ["address"] = $"AA:00:00:00:{i / 256:X2}:{i % 256:X2}", ["connectable"] = true, ["rssi"] = -70 },
            }.ToJsonString());
        }

        var registry = await host.ActorAsync<DiscoveryRegistryActor>();
        await Eventually.GetAsync(() => registry.Ask<DiscoveriesSnapshot>(GetDiscoveries.Instance),
            s => s.Discoveries.Count == Frames, within: TimeSpan.FromSeconds(20), what: "every frame handled");
        var proxies = await host.ActorAsync<ProxyManagerActor>();
        Assert.True(Assert.Single((await proxies.Ask<ProxyList>(GetProxies.Instance)).Proxies).Ready);
    }
}
