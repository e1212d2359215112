using System.Text;
using Akka.Actor;
using CommissioningActors.Core.Matter.Commissioning;
using CommissioningActors.Core.Matter.Fabric;
using CommissioningActors.Core.Matter.Transport;
using CommissioningActors.Core.Storage;
using CommissioningActors.Protocol.Matter.Certificates;
using Microsoft.Data.Sqlite;

namespace CommissioningActors.Host.Tests.Interop.Sessions;

/// <summary>
/// The network steps' first decision against a real matter.js device: its root endpoint carries no
/// NetworkCommissioning cluster (matter.js 0.17.9 ServerNode on IP), so the initial read's FeatureMap path is answered
/// with a status, the flow with stored networks fails network_credentials_missing before arming the fail-safe, and
/// the untouched device then commissions on the network.
/// </summary>
public sealed class MatterJsNetworkStepsInteropTests() : Akka.TestKit.Xunit2.TestKit(StoreDispatcher), IDisposable
{
    private const string StoreDispatcher = """
        commissioning.store-dispatcher {
          type = ForkJoinDispatcher
          throughput = 100
          dedicated-thread-pool { thread-count = 1 }
        }
        """;

    private static readonly TimeSpan Step = TimeSpan.FromSeconds(30);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "ca-mjs-net-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task A_device_without_a_wifi_or_thread_interface_is_refused_before_arming_and_stays_commissionable()
    {
        const uint passcode = 20202081;
        await using var device = await MatterJsDevice.StartAsync(new MatterJsDeviceOptions { Passcode = passcode, Discriminator = 181 });
        using var trust = PaaTrustStore.Load();
        var transport = Sys.ActorOf(UdpTransportActor.Props());
        var fabric = Sys.ActorOf(FabricActor.Props(new FabricStore(ServiceDatabase.Open(_directory))));
        var networks = new CommissioningNetworks(new NetworkCredentials(NetworkKind.WiFi, "mjs-net", Encoding.UTF8.GetBytes("mjs-secret")), null);

        var refused = Sys.ActorOf(CommissioningFlowActor.Props(new UdpMatterChannel(transport, device.EndPoint), passcode, fabric, trust, TestActor,
            new FlowSettings { StepTimeout = Step, Network = networks }));
        Watch(refused);
        var failed = Assert.IsType<FlowFailed>(await FishForMessageAsync(m => m is FlowFailed or FlowSucceeded, Step));
        await ExpectTerminatedAsync(refused, Step);

        Assert.Equal(FlowStep.ConfigureNetwork, failed.Step);
        Assert.Equal("network_credentials_missing", failed.ErrorCode);
        Assert.Contains("no NetworkCommissioning feature map", failed.Reason, StringComparison.Ordinal);
        Assert.Empty(await device.GetFabricsAsync());

        // Nothing was armed or added: the same device commissions on the network at once.
        var flow = Sys.ActorOf(CommissioningFlowActor.Props(new UdpMatterChannel(transport, device.EndPoint), passcode, fabric, trust, TestActor,
            new FlowSettings { StepTimeout = Step }));
        Watch(flow);
        var succeeded = Assert.IsType<FlowSucceeded>(await FishForMessageAsync(m => m is FlowFailed or FlowSucceeded, Step));
        await ExpectTerminatedAsync(flow, Step);
        Assert.Equal(succeeded.NodeId.ToString(), Assert.Single(await device.GetFabricsAsync()).NodeId);
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
