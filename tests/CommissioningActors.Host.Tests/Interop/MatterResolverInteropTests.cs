using System.Net;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using CommissioningActors.Core.Matter.Resolution;
using CommissioningActors.Protocol.Mdns;
using Xunit;

namespace CommissioningActors.Host.Tests.Interop;

/// <summary>
/// Our resolver against a real matter.js device, by real mDNS, inside a private network namespace whose only
/// interface is lo: the resolver's sockets are opened in there, so no multicast can leave the machine.
/// </summary>
public sealed class MatterResolverInteropTests : TestKit
{
    private static readonly TimeSpan ResolveTimeout = TimeSpan.FromSeconds(20);

    private static readonly ResolverSettings Settings = ResolverSettings.Default with
    {
        Multicast = new MulticastDnsSettings(["lo"], Ipv4: true, Ipv6: true),
    };

    private async Task<IActorRef> ResolverInsideAsync(NetworkNamespace network)
    {
        var mdns = await NamespaceThread.CreateInsideAsync(network, () => new UdpMulticastDns(Settings.Multicast));
        Assert.StartsWith("lo ", mdns.Description);
        return Sys.ActorOf(MatterResolverActor.Props(Settings, () => mdns));
    }

    [Theory]
    [InlineData(3001, null)]
    [InlineData(null, (byte)(3002 >> 8))]
    public async Task Resolves_a_matter_js_device_by_its_discriminator(int? longDiscriminator, byte? shortDiscriminator)
    {
        var discriminator = (ushort)(longDiscriminator ?? 3002);
        await using var network = await NetworkNamespace.CreateAsync();
        await using var device = await MatterJsDevice.StartAsync(new MatterJsDeviceOptions
        {
            Passcode = 20202031,
            Discriminator = discriminator,
            ProductId = 0x8001,
            Network = network,
        });
        var resolver = await ResolverInsideAsync(network);

        var answer = await resolver.Ask<object>(
            new ResolveCommissionable((ushort?)longDiscriminator, shortDiscriminator, ResolveTimeout), ResolveTimeout + TimeSpan.FromSeconds(10));

        var resolved = Assert.IsType<CommissionableResolved>(answer);
        Assert.Equal(discriminator, resolved.LongDiscriminator);
        Assert.Equal((ushort?)0xFFF1, resolved.VendorId);
        Assert.Equal((ushort?)0x8001, resolved.ProductId);
        Assert.Matches("^[0-9A-F]{16}$", resolved.InstanceName);
        Assert.NotEmpty(resolved.Addresses);
        Assert.All(resolved.Addresses, a => Assert.Equal(device.Port, a.Port));
        Assert.All(resolved.Addresses, a => Assert.True(IPAddress.IsLoopback(a.Address), $"{a} is not loopback"));
    }

    [Fact]
    public async Task Resolves_the_operational_node_matter_js_commissioned_in_the_namespace()
    {
        await using var network = await NetworkNamespace.CreateAsync();
        await using var device = await MatterJsDevice.StartAsync(new MatterJsDeviceOptions
        {
            Passcode = 20202032,
            Discriminator = 3003,
            Network = network,
        });
        var run = await MatterJsController.DiscoverAndRunAsync([(3003, 20202032)], network, interact: false);
        Assert.True(run.ExitCode == 0, run.ToString());
        var compressedFabricId = ulong.Parse(run.Controller.GetProperty("compressedFabricId").GetString()!);
        var nodeId = ulong.Parse(Assert.Single(run.Named("commissioned")).GetProperty("nodeId").GetString()!);
        var resolver = await ResolverInsideAsync(network);

        var answer = await resolver.Ask<object>(
            new ResolveOperational(compressedFabricId, nodeId, ResolveTimeout), ResolveTimeout + TimeSpan.FromSeconds(10));

        var resolved = Assert.IsType<OperationalResolved>(answer);
        Assert.Equal((compressedFabricId, nodeId), (resolved.CompressedFabricId, resolved.NodeId));
        Assert.NotEmpty(resolved.Addresses);
        Assert.All(resolved.Addresses, a => Assert.Equal(device.Port, a.Port));
        Assert.All(resolved.Addresses, a => Assert.True(IPAddress.IsLoopback(a.Address), $"{a} is not loopback"));
    }

    [Fact]
    public async Task A_node_nobody_announces_fails_within_its_timeout()
    {
        await using var network = await NetworkNamespace.CreateAsync();
        var resolver = await ResolverInsideAsync(network);
        var started = DateTime.UtcNow;

        var answer = await resolver.Ask<object>(new ResolveOperational(1, 2, TimeSpan.FromSeconds(2)), TimeSpan.FromSeconds(15));

        Assert.IsType<ResolveFailed>(answer);
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(10));
    }
}
