using Akka.Actor;
using CommissioningActors.Core.Matter.Commissioning;
using CommissioningActors.Core.Matter.Fabric;
using CommissioningActors.Core.Matter.Transport;
using CommissioningActors.Core.Storage;
using CommissioningActors.Protocol.Matter.Certificates;
using Microsoft.Data.Sqlite;

namespace CommissioningActors.Host.Tests.Interop.Sessions;

/// <summary>
/// The commissioning flow actor against a real matter.js device: PASE, initial data, ArmFailSafe, attestation
/// (DAC -> PAI -> the development PAA, signature over our nonce and the PASE challenge) and CSRRequest pass.
/// The flow then stops at AddTrustedRootCertificate (Matter TLV certificate encoding has not landed in this
/// build), disarms the fail-safe, and the device is commissionable again.
/// </summary>
public sealed class CommissioningFlowInteropTests() : Akka.TestKit.Xunit2.TestKit(StoreDispatcher), IDisposable
{
    private const string StoreDispatcher = """
        commissioning.store-dispatcher {
          type = ForkJoinDispatcher
          throughput = 100
          dedicated-thread-pool { thread-count = 1 }
        }
        """;

    private static readonly TimeSpan Step = TimeSpan.FromSeconds(20);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "ca-flow-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task The_flow_passes_pase_attestation_csr_root_and_noc_then_rolls_back_cleanly()
    {
        const uint passcode = 20202051;
        await using var device = await MatterJsDevice.StartAsync(new MatterJsDeviceOptions { Passcode = passcode, Discriminator = 121 });
        using var trust = PaaTrustStore.Load();
        var transport = Sys.ActorOf(UdpTransportActor.Props());
        var fabric = Sys.ActorOf(FabricActor.Props(new FabricStore(ServiceDatabase.Open(_directory))));

        for (var attempt = 0; attempt < 2; attempt++)
        {
            var flow = Sys.ActorOf(CommissioningFlowActor.Props(new UdpMatterChannel(transport, device.EndPoint), passcode, fabric, trust, TestActor));
            Watch(flow);
            var (lines, failed) = await Collect();
            await ExpectTerminatedAsync(flow, Step);

            var text = string.Join("\n", lines.Select(l => $"{l.Step}: {l.Text}"));
            Assert.Equal(FlowStep.Case, failed.Step);
            Assert.Equal("commissioning_failed", failed.ErrorCode);
            Assert.Contains("PASE session established", text);
            Assert.Contains("ReadInitialData: device vendor 0xFFF1, product 0x8000, fail-safe 60 s", text);
            Assert.Contains("ArmFailSafe: fail-safe armed for 60 s", text);
            Assert.Contains("Attestation: attestation verified: vendor 0xFFF1, product 0x8000 (test device)", text);
            Assert.Contains("CsrRequest: CSR received and signed by the device's DAC", text);
            Assert.Contains("AddTrustedRootCertificate: root certificate added", text);
            Assert.Contains("AddNoc: operational certificate added: node id", text);
            Assert.Contains("fail-safe disarmed: the device is commissionable again", text);
            Assert.DoesNotContain(passcode.ToString(), text + failed);
        }
    }

    [Fact]
    public async Task A_wrong_passcode_fails_the_flow_at_pase_without_the_passcode()
    {
        const uint passcode = 20202052;
        const uint wrong = 20202097;
        await using var device = await MatterJsDevice.StartAsync(new MatterJsDeviceOptions { Passcode = passcode, Discriminator = 122 });
        using var trust = PaaTrustStore.Load();
        var transport = Sys.ActorOf(UdpTransportActor.Props());
        var fabric = Sys.ActorOf(FabricActor.Props(new FabricStore(ServiceDatabase.Open(_directory))));

        Sys.ActorOf(CommissioningFlowActor.Props(new UdpMatterChannel(transport, device.EndPoint), wrong, fabric, trust, TestActor));
        var (lines, failed) = await Collect();

        Assert.Equal(FlowStep.Pase, failed.Step);
        Assert.Equal("pase_failed", failed.ErrorCode);
        Assert.Contains("the device rejected the passcode", failed.Reason);
        var text = string.Join("\n", lines.Select(l => l.Text)) + failed;
        Assert.DoesNotContain(wrong.ToString(), text);
        Assert.DoesNotContain(passcode.ToString(), text);
    }

    private async Task<(List<FlowLine> Lines, FlowFailed Failed)> Collect()
    {
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
