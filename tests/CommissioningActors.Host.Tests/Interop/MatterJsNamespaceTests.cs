namespace CommissioningActors.Host.Tests.Interop;

/// <summary>mDNS for real, where it cannot leave the machine: a private network namespace with only lo.</summary>
public sealed class MatterJsNamespaceTests
{
    [Fact]
    public async Task The_namespace_has_only_a_multicast_loopback_with_multicast_routes()
    {
        await using var network = await NetworkNamespace.CreateAsync();

        var links = (await network.RunAsync("ip", "-o", "link", "show")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var lo = Assert.Single(links);
        Assert.Contains(" lo: <LOOPBACK,MULTICAST,UP", lo);
        Assert.Contains("224.0.0.0/4 dev lo", await network.RunAsync("ip", "route", "show"));
    }

    [Fact]
    public async Task Matter_js_controller_discovers_and_commissions_the_device_by_mdns_with_no_known_address()
    {
        await using var network = await NetworkNamespace.CreateAsync();
        await using var device = await MatterJsDevice.StartAsync(new MatterJsDeviceOptions
        {
            Passcode = 20202024,
            Discriminator = 2222,
            Network = network,
        });
        Assert.True(device.Ready.GetProperty("mdnsIpv4").GetBoolean(), "inside the namespace the device announces on IPv4 too");

        var run = await MatterJsController.DiscoverAndRunAsync([(2222, 20202024)], network, interact: false);

        Assert.True(run.ExitCode == 0, run.ToString());
        var commissioned = Assert.Single(run.Named("commissioned"));
        var fabric = Assert.Single(await device.GetFabricsAsync());
        Assert.Equal(run.Controller.GetProperty("rootPublicKey").GetString(), fabric.RootPublicKeyHex);
        Assert.Equal(commissioned.GetProperty("nodeId").GetString(), fabric.NodeId);
    }
}
