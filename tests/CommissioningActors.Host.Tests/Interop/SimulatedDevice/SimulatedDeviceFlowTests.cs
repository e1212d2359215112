using CommissioningActors.Core.Matter.Commissioning;
using CommissioningActors.Core.Matter.Fabric;
using CommissioningActors.Core.Matter.Transport;
using CommissioningActors.Core.Storage;
using CommissioningActors.Protocol.Matter.Certificates;
using CommissioningActors.Simulator.Matter;
using Microsoft.Data.Sqlite;

namespace CommissioningActors.Host.Tests.Interop.SimulatedDevice;

/// <summary>
/// Our own commissioning flow actor against the simulated device over UDP on loopback, as far as the flow goes in
/// this build (it stops before CASE and disarms the fail-safe): the device's ArmFailSafe 0 takes back the root,
/// NOC and ACL, and a fault-knob step fails the flow there.
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

        Assert.Empty(device.Inspect(s => s.Fabrics.ToList()));
        Assert.Empty(device.Inspect(s => s.Acl.ToList()));
        Assert.False(device.Inspect(s => s.FailSafe.IsArmed));
        Assert.DoesNotContain("20202061", text + failed);
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
        var flow = Sys.ActorOf(CommissioningFlowActor.Props(new UdpMatterChannel(transport, host.EndPoint), passcode, fabric, trust, TestActor));
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
