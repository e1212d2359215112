using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using CommissioningActors.Core.Discovery;
using CommissioningActors.Core.Proxies;
using CommissioningActors.Host.Tests.Support;
using CommissioningActors.Protocol.BleProxy;
using CommissioningActors.Protocol.Matter;
using CommissioningActors.Simulator;

namespace CommissioningActors.Host.Tests.EndToEnd;

/// <summary>The host and the simulator talking over a real loopback WebSocket.</summary>
public sealed class SimulatedProxyEndToEndTests
{
    private static readonly SimulatorOptions Fast = new()
    {
        Latencies = new SimulatorLatencies { AdvertisementInterval = TimeSpan.FromMilliseconds(50) },
    };

    private static async Task<ProxyInfo> ReadyProxyAsync(TestHost host, string name)
    {
        var proxies = await host.ActorAsync<ProxyManagerActor>();
        var list = await Eventually.GetAsync(() => proxies.Ask<ProxyList>(GetProxies.Instance),
            l => l.Proxies.Any(p => p.Name == name && p.Ready), what: $"proxy {name} ready");
        return list.Proxies.Single(p => p.Name == name);
    }

    private static async Task<DiscoveriesSnapshot> DiscoveriesAsync(TestHost host, Func<DiscoveriesSnapshot, bool> done, string what)
    {
        var registry = await host.ActorAsync<DiscoveryRegistryActor>();
        return await Eventually.GetAsync(() => registry.Ask<DiscoveriesSnapshot>(GetDiscoveries.Instance), done, what: what);
    }

    private static async Task<BleCommandResult> RunAsync(TestProbe owner, IActorRef session, BleCommand command)
    {
        session.Tell(new ExecuteBleCommand(command), owner.Ref);
        var reply = await owner.ExpectMsgAsync<object>(TimeSpan.FromSeconds(10));
        return reply switch
        {
            BleCommandSucceeded ok => ok.Result,
            BleCommandFailed failed => throw new Xunit.Sdk.XunitException($"{command.Name} failed: {failed.Error}"),
            _ => throw new Xunit.Sdk.XunitException($"unexpected reply {reply}"),
        };
    }

    [Fact]
    public async Task Handshake_scan_discovery_and_a_full_gatt_session()
    {
        await using var host = await TestHost.StartAsync();
        await using var proxy = await SimulatedProxy.ConnectAsync(new UriBuilder(host.Ble) { Query = "name=sim-a" }.Uri, Fast);
        var info = await ReadyProxyAsync(host, "sim-a");

        // scan-on-connect: every rotating address of the test light lands in the registry with its advertisement.
        var light = DefaultDevices.All[0];
        var seen = await DiscoveriesAsync(host,
            s => light.Addresses.All(a => s.Discoveries.Any(d => d.Address == a)), "all three rotating addresses");
        foreach (var address in light.Addresses)
        {
            var d = seen.Discoveries.Single(x => x.Address == address);
            Assert.Equal(info.Id, d.ProxyId);
            Assert.Equal(light.Discriminator, d.Matter!.Discriminator);
            Assert.Equal(light.VendorId, d.Matter.VendorId);
            Assert.Equal(light.ProductId, d.Matter.ProductId);
        }

        var owner = new TestProbe(host.System, new XunitAssertions());
        var connected = Assert.IsType<ConnectResult>(await RunAsync(owner, info.Session, new Connect(light.Addresses[1])));
        Assert.Equal(1, proxy.SlotsInUse);

        var services = Assert.IsType<ServicesResult>(await RunAsync(owner, info.Session, new DiscoverServices(connected.ConnectionHandle)));
        Assert.Contains(MatterBle.ServiceUuid, services.ServiceUuids);

        var characteristics = Assert.IsType<CharacteristicsResult>(await RunAsync(owner, info.Session,
            new DiscoverCharacteristics(connected.ConnectionHandle, MatterBle.ServiceUuid)));
        var uuids = characteristics.Characteristics.Select(c => c.Uuid).ToList();
        Assert.Contains(MatterBle.C1WriteUuid, uuids);
        Assert.Contains(MatterBle.C2IndicateUuid, uuids);

        await RunAsync(owner, info.Session, new Disconnect(connected.ConnectionHandle));
        Assert.Equal(0, proxy.SlotsInUse);
        Assert.Equal(1, proxy.DisconnectCommandsFor(connected.ConnectionHandle));
    }

    [Fact]
    public async Task Two_proxies_at_once_each_report_what_they_see()
    {
        await using var host = await TestHost.StartAsync();
        await using var a = await SimulatedProxy.ConnectAsync(new UriBuilder(host.Ble) { Query = "name=sim-a" }.Uri, Fast with { Name = "a" });
        await using var b = await SimulatedProxy.ConnectAsync(new UriBuilder(host.Ble) { Query = "name=sim-b" }.Uri, Fast with { Name = "b" });
        var infoA = await ReadyProxyAsync(host, "sim-a");
        var infoB = await ReadyProxyAsync(host, "sim-b");
        Assert.NotEqual(infoA.Id, infoB.Id);

        var address = DefaultDevices.All[0].Addresses[0];
        var seen = await DiscoveriesAsync(host,
            s => s.Discoveries.Count(d => d.Address == address) == 2, "the same address seen by both proxies");
        Assert.Equal(new[] { infoA.Id, infoB.Id }.Order(), seen.Discoveries.Where(d => d.Address == address).Select(d => d.ProxyId).Order());

        // A proxy leaving takes its sightings with it and leaves the other alone.
        await a.DisposeAsync();
        var after = await DiscoveriesAsync(host, s => s.Discoveries.All(d => d.ProxyId == infoB.Id), "only proxy b's sightings");
        Assert.Contains(after.Discoveries, d => d.Address == address);
    }

    [Fact]
    public async Task A_proxy_that_drops_fails_its_pending_commands_at_once()
    {
        await using var host = await TestHost.StartAsync();
        var options = Fast with { Faults = new SimulatorFaults { NeverAnswer = new HashSet<string> { "discover_services" } } };
        await using var proxy = await SimulatedProxy.ConnectAsync(new UriBuilder(host.Ble) { Query = "name=flaky" }.Uri, options);
        var info = await ReadyProxyAsync(host, "flaky");
        var owner = new TestProbe(host.System, new XunitAssertions());
        var connected = Assert.IsType<ConnectResult>(await RunAsync(owner, info.Session, new Connect(DefaultDevices.All[0].Addresses[0])));

        info.Session.Tell(new ExecuteBleCommand(new DiscoverServices(connected.ConnectionHandle)), owner.Ref);
        await proxy.DisposeAsync();

        // Well inside the 15 s command timeout.
        var failed = await owner.ExpectMsgAsync<BleCommandFailed>(TimeSpan.FromSeconds(3));
        Assert.Equal(BleErrorCodes.ConnectionAborted, failed.Error.Code);
        await owner.ExpectMsgAsync<ConnectionLost>(TimeSpan.FromSeconds(3));
    }
}
