using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;
using Akka.Actor;
using CommissioningActors.Core.Matter.Resolution;
using CommissioningActors.Host.Simulation;
using CommissioningActors.Host.Tests.Support;
using CommissioningActors.Protocol.Matter.Certificates;
using CommissioningActors.Protocol.Matter.InteractionModel;
using CommissioningActors.Protocol.Matter.SecureChannel;
using CommissioningActors.Simulator;
using CommissioningActors.Simulator.Matter;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CommissioningActors.Host.Tests.Simulation;

/// <summary>
/// The embedded simulator's BLE devices are real commissionees, and one that joined the network is registered
/// with the service's resolver as a static operational entry (no multicast needed, as on the CI machine).
/// </summary>
public sealed class EmbeddedBleDeviceTests
{
    // The resolver runs (on loopback only): static entries answer before any mDNS question is asked.
    private const string ResolverOnLoopback = "commissioning.matter.resolver.enabled = on\ncommissioning.matter.resolver.interfaces = [\"lo\"]";

    private static readonly SimulatedDevice Light = DefaultDevices.All[0];
    private static readonly byte[] Challenge = RandomNumberGenerator.GetBytes(16);

    private static EmbeddedSimulatorService Simulator(TestHost host) =>
        host.App.Services.GetServices<IHostedService>().OfType<EmbeddedSimulatorService>().Single();

    /// <summary>What a commissioner does on the PASE session up to ConnectNetwork, straight into the device's clusters.</summary>
    private static (CommandResult Noc, CommandResult Connected) CommissionToNetwork(BleMatterDevice device, FabricAuthority authority, ulong nodeId)
    {
        var model = device.Matter.Model;
        var context = new InteractionContext(false, 0, null, 1, Challenge);
        context = context with { BindToFabric = index => context = context with { FabricIndex = index } };
        CommandResult Invoke(ClusterCommand command) => device.Matter.Inspect(_ => model.Cluster(0, command.Cluster)!.Invoke(command.Command, command.Fields, context));

        Assert.True(Invoke(GeneralCommissioningCommands.ArmFailSafe(120, 1)).Status.IsSuccess);
        var nonce = RandomNumberGenerator.GetBytes(32);
        var csr = Invoke(OperationalCredentialsCommands.CsrRequest(nonce)).Fields!.AsContainer()!;
        var ipk = RandomNumberGenerator.GetBytes(16);
        var issued = CommissioningCredentials.IssueNocFor(csr[0].AsBytes()!.Value.Span, csr[1].AsBytes()!.Value.Span, nodeId, authority, ipk,
            nonce, Challenge, device.Matter.State.Attestation.Dac);
        Assert.True(issued.IsOk, issued.Error?.Message);
        Assert.True(Invoke(OperationalCredentialsCommands.AddTrustedRootCertificate(CommissioningCredentials.BuildAddTrustedRoot(authority))).Status.IsSuccess);
        var noc = Invoke(OperationalCredentialsCommands.AddNoc(issued.Value!.NocTlv, [], ipk, 0x99, 0xFFF1));
        Invoke(NetworkCommissioningCommands.AddOrUpdateWiFiNetwork("sim-ssid"u8, "secret"u8, 2));
        return (noc, Invoke(NetworkCommissioningCommands.ConnectNetwork("sim-ssid"u8, 3)));
    }

    [Fact]
    public async Task A_default_device_that_joined_the_network_is_resolved_by_the_hosts_resolver_from_its_static_entry()
    {
        await using var host = await TestHost.StartWithHoconAsync(ResolverOnLoopback, "--Simulator:Enabled=true", "--Simulator:NetworkDevicePort=-1");
        var device = Simulator(host).Fleet.DeviceFor(Light)!;
        Assert.Equal((Light.Passcode, Light.Discriminator, false), (device.Matter.Options.Passcode, device.Matter.Options.Discriminator, device.Matter.Options.OnNetwork));
        using var authority = FabricAuthority.Create(0x2468, 1);
        var compressed = BinaryPrimitives.ReadUInt64BigEndian(CaseKeySchedule.CompressedFabricId(authority.RootCertificate.PublicKey, authority.FabricId));
        var resolver = host.System.ActorSelection(EmbeddedSimulatorService.ResolverPath);
        var before = await resolver.Ask<object>(new ResolveOperational(compressed, 0x31, TimeSpan.Zero), TimeSpan.FromSeconds(10));
        Assert.IsType<ResolveFailed>(before);

        var (noc, connected) = CommissionToNetwork(device, authority, 0x31);
        Assert.True(NocResponse.Parse(noc.Fields!).Value!.IsOk);
        Assert.True(ConnectNetworkResponse.Parse(connected.Fields!).Value!.IsOk);

        // Zero timeout: answered from what the resolver already holds, never by asking the network.
        var resolved = Assert.IsType<OperationalResolved>(
            await resolver.Ask<object>(new ResolveOperational(compressed, 0x31, TimeSpan.Zero), TimeSpan.FromSeconds(10)));
        var address = Assert.Single(resolved.Addresses);
        Assert.Equal(device.OperationalEndPoint, address);
        Assert.Equal(IPAddress.Loopback, address.Address);
    }

    [Fact]
    public async Task The_fault_knob_and_BLE_behaviour_are_configured_per_device_by_discriminator()
    {
        await using var host = await TestHost.StartAsync("--Simulator:Enabled=true", "--Simulator:NetworkDevicePort=-1",
            "--Simulator:Devices:3840:Fault=AddNoc", "--Simulator:Devices:3840:BleAfterNetwork=Drop");
        var fleet = Simulator(host).Fleet;
        var light = fleet.DeviceFor(Light)!;
        Assert.Equal((DeviceFaultStep.AddNoc, BleAfterNetwork.Drop), (light.Matter.Options.Fault, light.Behaviour.AfterNetwork));
        Assert.Equal(DeviceFaultStep.None, fleet.DeviceFor(DefaultDevices.All[1])!.Matter.Options.Fault);

        using var authority = FabricAuthority.Create(0x1357, 1);
        var (noc, _) = CommissionToNetwork(light, authority, 0x32);
        Assert.Equal(NodeOperationalCertStatus.InvalidNoc, NocResponse.Parse(noc.Fields!).Value!.StatusCode);
    }

    [Theory]
    [InlineData("Devices:3840:Fault", "Sometimes", "Simulator:Devices:3840:Fault: 'Sometimes' is not one of")]
    [InlineData("Devices:3840:Fault", "3", "Simulator:Devices:3840:Fault: '3' is not one of")]
    [InlineData("Devices:light:Fault", "Pase", "Simulator:Devices:light: the key must be a device's discriminator")]
    [InlineData("Devices:3840:BleAfterNetwork", "later", "Simulator:Devices:3840:BleAfterNetwork: 'later' is not one of")]
    public void A_bad_device_setting_is_refused_with_its_path(string key, string value, string message)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [$"Simulator:{key}"] = value }).Build();
        var error = Assert.Throws<InvalidOperationException>(() => SimulatorSettings.From(configuration));
        Assert.StartsWith(message, error.Message);
    }
}
