using Akka.Actor;
using Akka.TestKit;
using CommissioningActors.Core.Matter.Commissioning;
using CommissioningActors.Core.Matter.Fabric;
using CommissioningActors.Core.Matter.Resolution;
using CommissioningActors.Core.Matter.Transport;
using CommissioningActors.Core.Storage;
using CommissioningActors.Protocol.Matter.Certificates;
using CommissioningActors.Simulator.Matter;
using Microsoft.Data.Sqlite;

namespace CommissioningActors.Host.Tests.Interop.SimulatedDevice;

/// <summary>
/// Our own commissioning flow actor against the simulated device over UDP on loopback, stopped before CASE (a
/// resolver that finds nothing and no fallback): the device's ArmFailSafe 0 takes back the root, NOC and ACL, and
/// a fault-knob step fails the flow there.
/// </summary>
public sealed class SimulatedDeviceFlowTests() : Akka.TestKit.Xunit2.TestKit(StoreDispatcher), IDisposable
{
    private const string StoreDispatcher = """
        commissioning.store-dispatcher {
          type = ForkJoinDispatcher
          throughput = 100
          dedicated-thread-pool { thread-count = 1 }
        }
        """;

    private static readonly TimeSpan Step = TimeSpan.FromSeconds(20);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "ca-simflow-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task The_flow_takes_the_simulated_device_through_attestation_root_and_NOC_and_its_roll_back_empties_the_device()
    {
        using var device = new SimulatedMatterDevice(new SimulatedDeviceOptions { Passcode = 20202061, OnNetwork = true });
        await using var host = UdpMatterDeviceHost.Start(device);
        var (lines, failed) = await RunFlow(host, 20202061);

        var text = string.Join("\n", lines.Select(l => $"{l.Step}: {l.Text}"));
        Assert.Contains("ReadInitialData: device vendor 0xFFF1, product 0x8000, fail-safe 60 s", text);
        Assert.Contains("Attestation: attestation verified: vendor 0xFFF1, product 0x8000 (test device)", text);
        Assert.Contains("AddTrustedRootCertificate: root certificate added", text);
        Assert.Contains("AddNoc: operational certificate added: node id", text);
        Assert.Contains("fail-safe disarmed: the device is commissionable again", text);
        Assert.Equal(FlowStep.Case, failed.Step);
        Assert.Equal("operational_discovery_failed", failed.ErrorCode);

        Assert.Empty(device.Inspect(s => s.Fabrics.ToList()));
        Assert.Empty(device.Inspect(s => s.Acl.ToList()));
        Assert.False(device.Inspect(s => s.FailSafe.IsArmed));
        Assert.DoesNotContain("20202061", text + failed);
    }

    [Fact]
    public async Task Without_the_resolver_stop_the_flow_commissions_the_simulated_device_over_case()
    {
        using var device = new SimulatedMatterDevice(new SimulatedDeviceOptions { Passcode = 20202062, OnNetwork = true });
        await using var host = UdpMatterDeviceHost.Start(device);
        using var trust = PaaTrustStore.Load();
        var transport = Sys.ActorOf(UdpTransportActor.Props());
        var fabric = Sys.ActorOf(FabricActor.Props(new FabricStore(ServiceDatabase.Open(_directory))));
        var flow = Sys.ActorOf(CommissioningFlowActor.Props(new UdpMatterChannel(transport, host.EndPoint), 20202062, fabric, trust, TestActor));
        Watch(flow);

        var outcome = await FishForMessageAsync(m => m is FlowSucceeded or FlowFailed, Step);
        await ExpectTerminatedAsync(flow, Step);

        var node = Assert.IsType<FlowSucceeded>(outcome).Node;
        Assert.Single(device.Inspect(s => s.Fabrics.ToList()));
        Assert.False(device.Inspect(s => s.FailSafe.IsArmed));
        fabric.Tell(new GetNode(node.NodeId));
        Assert.Equal(node, (await ExpectMsgAsync<NodeFound>(Step)).Node);
    }

    [Fact]
    public async Task A_device_reporting_a_product_its_dac_does_not_carry_fails_attestation_before_any_certificate_and_is_left_unarmed()
    {
        // Configured as product 0x8001: it answers honestly in Basic Information, but its only DAC is 0xFFF1/0x8000.
        using var device = new SimulatedMatterDevice(new SimulatedDeviceOptions { Passcode = 20202063, ProductId = 0x8001, OnNetwork = true });
        await using var host = UdpMatterDeviceHost.Start(device);
        var (lines, failed) = await RunFlow(host, 20202063);

        var text = string.Join("\n", lines.Select(l => $"{l.Step}: {l.Text}"));
        Assert.Contains("ReadInitialData: device vendor 0xFFF1, product 0x8001", text);
        Assert.Equal(FlowStep.Attestation, failed.Step);
        Assert.Equal("attestation_failed", failed.ErrorCode);
        Assert.Contains("ProductID mismatch: the device reports 0x8001 in Basic Information but its DAC carries 0x8000", failed.Reason);
        Assert.DoesNotContain("attestation verified", text);
        Assert.DoesNotContain("root certificate added", text);
        Assert.DoesNotContain("operational certificate added", text);
        Assert.Contains("Attestation: fail-safe disarmed: the device is commissionable again", text);

        Assert.Null(device.Inspect(s => s.PendingRoot));
        Assert.Empty(device.Inspect(s => s.Fabrics.ToList()));
        Assert.Empty(device.Inspect(s => s.Acl.ToList()));
        Assert.False(device.Inspect(s => s.FailSafe.IsArmed));
    }

    [Theory]
    [InlineData(DeviceFaultStep.AttestationRequest, FlowStep.Attestation)]
    [InlineData(DeviceFaultStep.AddNoc, FlowStep.AddNoc)]
    [InlineData(DeviceFaultStep.CsrRequest, FlowStep.CsrRequest)]
    [InlineData(DeviceFaultStep.AddTrustedRootCertificate, FlowStep.AddTrustedRootCertificate)]
    public async Task A_fault_knob_step_fails_the_flow_there_and_the_device_is_left_unarmed(DeviceFaultStep fault, FlowStep expected)
    {
        using var device = new SimulatedMatterDevice(new SimulatedDeviceOptions { Fault = fault, OnNetwork = true });
        await using var host = UdpMatterDeviceHost.Start(device);
        var (_, failed) = await RunFlow(host, device.Options.Passcode);

        Assert.Equal(expected, failed.Step);
        Assert.Empty(device.Inspect(s => s.Fabrics.ToList()));
        Assert.False(device.Inspect(s => s.FailSafe.IsArmed));
    }

    private async Task<(List<FlowLine> Lines, FlowFailed Failed)> RunFlow(UdpMatterDeviceHost host, uint passcode)
    {
        using var trust = PaaTrustStore.Load();
        var transport = Sys.ActorOf(UdpTransportActor.Props());
        var fabric = Sys.ActorOf(FabricActor.Props(new FabricStore(ServiceDatabase.Open(_directory))));
        var resolver = CreateTestProbe();
        resolver.SetAutoPilot(new DelegateAutoPilot((sender, _) =>
        {
            sender.Tell(new ResolveFailed("not announced in this test"));
            return AutoPilot.KeepRunning;
        }));
        var settings = new FlowSettings { Resolver = resolver, FallBackToCommissioningAddress = false };
        var flow = Sys.ActorOf(CommissioningFlowActor.Props(new UdpMatterChannel(transport, host.EndPoint), passcode, fabric, trust, TestActor, settings));
        Watch(flow);
        var lines = new List<FlowLine>();
        while (true)
        {
            var message = await ExpectMsgAsync<object>(Step);
            switch (message)
            {
                case FlowLine line:
                    lines.Add(line);
                    break;
                case FlowFailed failed:
                    await ExpectTerminatedAsync(flow, Step);
                    return (lines, failed);
                default:
                    Assert.Fail($"unexpected {message}; lines so far: {string.Join(" | ", lines)}");
                    break;
            }
        }
    }

    void IDisposable.Dispose()
    {
        Dispose();
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
