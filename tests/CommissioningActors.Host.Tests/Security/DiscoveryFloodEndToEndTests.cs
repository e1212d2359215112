using System.Text.Json.Nodes;
using Akka.Actor;
using CommissioningActors.Core.Discovery;
using CommissioningActors.Core.Proxies;
using CommissioningActors.Host.Tests.Support;
using CommissioningActors.Protocol.Matter;

namespace CommissioningActors.Host.Tests.Security;

/// <summary>A proxy flooding random (and invalid) addresses, with a dashboard following subscribe_events.</summary>
public sealed class DiscoveryFloodEndToEndTests
{
    private const int Flood = 20_000;

    private const string Hocon = """
        commissioning.proxy.scan-on-connect = off
        commissioning.jobs.follower-buffer = 50
        commissioning.discovery {
          max-sightings-per-proxy = 500
          max-sightings = 800
          announce-per-window = 20
          announce-window = 200ms
        }
        """;

    [Fact]
    public async Task Sightings_stay_at_the_cap_and_a_subscribe_events_follower_survives_the_flood()
    {
        await using var host = await TestHost.StartWithHoconAsync(Hocon);
        await using var dashboard = await RawClient.ConnectAsync(host.Ws);
        await dashboard.ReceiveJsonAsync(); // server_info
        await dashboard.SendTextAsync("""{"message_id":"ev","command":"subscribe_events"}""");
        Assert.Equal("initial_state", (string?)(await dashboard.ReceiveJsonAsync())["event"]);

        await using var proxy = await RawClient.ConnectAsync(new UriBuilder(host.Ble) { Query = "name=flood" }.Uri);
        await proxy.SendTextAsync("""{"type":"hello","version":1}""");
        await proxy.ReceiveJsonAsync();
        var random = new Random(5);
        var mac = new byte[6];
        for (var i = 0; i < Flood; i++)
        {
            random.NextBytes(mac);
            // Each address a different device: the registry announces a device once, however many addresses it uses.
            var advert = Convert.ToBase64String(
                new MatterAdvertisement((ushort)(i % 4096), 0, (ushort)(0xFFF1 - i / 4096), 0x8001, false).Encode());
            var address = i % 100 == 0 ? $"{new string('A', 2000)}\n[ERR] forged" : string.Join(':', mac.Select(b => b.ToString("X2")));
            await proxy.SendTextAsync(new JsonObject
            {
                ["event"] = "device_discovered",
                ["data"] = new JsonObject
                {
                    ["address"] = address,
                    ["connectable"] = true,
                    ["rssi"] = -70,
                    ["service_data"] = new JsonObject { [MatterBle.ServiceUuid] = advert },
                },
            }.ToJsonString());
        }

        var registry = await host.ActorAsync<DiscoveryRegistryActor>();
        var proxies = await host.ActorAsync<ProxyManagerActor>();
        // The last frame is handled once the registry holds its address; the count never passes the cap.
        var last = string.Join(':', mac.Select(b => b.ToString("X2")));
        var snapshot = await Eventually.GetAsync(() => registry.Ask<DiscoveriesSnapshot>(GetDiscoveries.Instance),
            s => s.Discoveries.Any(d => d.Address == last), within: TimeSpan.FromSeconds(60), what: "the flood handled");
        Assert.Equal(500, snapshot.Discoveries.Count);
        Assert.DoesNotContain(snapshot.Discoveries, d => !BleAddressLike(d.Address));

        // Every new device (one per valid address here) reached the dashboard either announced or counted in a summary, as a
        // handful of frames rather than 19,800 events, and the dashboard is still served afterwards.
        const int Valid = Flood - Flood / 100;
        var announced = 0;
        long suppressed = 0;
        var frames = 0;
        while (announced + suppressed < Valid)
        {
            var frame = await dashboard.ReceiveJsonAsync(TimeSpan.FromSeconds(30));
            frames++;
            Assert.Null(frame["error_code"]);
            switch ((string?)frame["event"])
            {
                case "device_discovered":
                    announced++;
                    break;
                case "discoveries_suppressed":
                    suppressed += (long)frame["data"]!["count"]!;
                    break;
            }
        }

        Assert.Equal(Valid, announced + suppressed);
        Assert.InRange(frames, 2, Flood / 10);
        await dashboard.SendTextAsync("""{"message_id":"after","command":"server_info"}""");
        JsonObject reply;
        do
        {
            reply = await dashboard.ReceiveJsonAsync(TimeSpan.FromSeconds(10));
        }
        while ((string?)reply["message_id"] != "after");

        Assert.NotNull(reply["result"]);
        Assert.True(Assert.Single((await proxies.Ask<ProxyList>(GetProxies.Instance)).Proxies).Ready);
    }

    private static bool BleAddressLike(string address) => address.Length == 17 && address.Count(c => c == ':') == 5;
}
