using System.Text;
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
/// The network steps of a BLE commissioning (FlowSettings.Network set) against the simulated device that is not on
/// its network yet (OnNetwork = false), over UDP on loopback in place of BTP: the device is given the stored Wi-Fi
/// or Thread network it supports, joins it, is found operationally (a resolver that knows its address) and
/// commissioned over CASE; a refused network or a failed connect names the device's status and rolls back.
/// </summary>
public sealed class SimulatedDeviceNetworkFlowTests() : Akka.TestKit.Xunit2.TestKit(StoreDispatcher), IDisposable
{
    private const string StoreDispatcher = """
        commissioning.store-dispatcher {
          type = ForkJoinDispatcher
          throughput = 100
          dedicated-thread-pool { thread-count = 1 }
        }
        """;

    private const string Password = "sim-wifi-secret";
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(20);
    private static readonly NetworkCredentials WiFi = new(NetworkKind.WiFi, "sim-home", Encoding.UTF8.GetBytes(Password));

    // Active timestamp, extended PAN id (type 2), network key (type 5).
    private static readonly NetworkCredentials Thread = new(NetworkKind.Thread, null,
        Convert.FromHexString("0E080000000000010000" + "0208DEAD00BEEF00CAFE" + "051000112233445566778899AABBCCDDEEFF"));

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "ca-simnet-" + Guid.NewGuid().ToString("N"));

    [Theory]
    [InlineData(DeviceNetworkKind.WiFi, "73696D2D686F6D65")]
    [InlineData(DeviceNetworkKind.Thread, "DEAD00BEEF00CAFE")]
    public async Task The_device_joins_the_network_it_supports_and_is_commissioned_over_case(DeviceNetworkKind kind, string networkId)
    {
        using var device = new SimulatedMatterDevice(new SimulatedDeviceOptions { Passcode = 20202071, Network = kind });
        await using var host = UdpMatterDeviceHost.Start(device);

        var (messages, outcome) = await RunFlow(host, 20202071);

        var node = Assert.IsType<FlowSucceeded>(outcome).Node;
        Assert.Equal("ble", node.Transport);
        Assert.Equal(new[] { $"udp {host.EndPoint}" }, node.Addresses);
        var networks = device.Inspect(s => s.Networks.ToList());
        Assert.Equal(networkId, Convert.ToHexString(Assert.Single(networks).NetworkId));
        Assert.True(networks[0].Connected);
        Assert.Equal((byte)2, device.Inspect(s => s.RegulatoryConfig));
        Assert.Single(device.Inspect(s => s.Fabrics.ToList()));
        Assert.False(device.Inspect(s => s.FailSafe.IsArmed));

        var left = messages.FindIndex(m => m is FlowLeftCommissioningLink);
        var caseLine = messages.FindIndex(m => m is FlowLine { Text: var t } && t.StartsWith("establishing CASE", StringComparison.Ordinal));
        Assert.InRange(left, 0, caseLine - 1);
        var text = string.Join("\n", messages);
        Assert.DoesNotContain(Password, text);
        Assert.DoesNotContain("00112233445566778899", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("20202071", text);
    }

    [Theory]
    [InlineData(DeviceFaultStep.AddOrUpdateNetwork, FlowStep.ConfigureNetwork, "networking status 12 (UnknownError)")]
    [InlineData(DeviceFaultStep.ConnectNetwork, FlowStep.ConnectNetwork, "networking status 9 (OtherConnectionFailure)")]
    [InlineData(DeviceFaultStep.SetRegulatoryConfig, FlowStep.SetRegulatoryConfig, "error code 1 (ValueOutsideRange)")]
    public async Task A_failing_network_step_names_the_status_and_rolls_the_device_back(DeviceFaultStep fault, FlowStep step, string status)
    {
        using var device = new SimulatedMatterDevice(new SimulatedDeviceOptions { Fault = fault });
        await using var host = UdpMatterDeviceHost.Start(device);

        var (messages, outcome) = await RunFlow(host, device.Options.Passcode);

        var failed = Assert.IsType<FlowFailed>(outcome);
        Assert.Equal(step, failed.Step);
        Assert.Contains(status, failed.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(messages, m => m is FlowLeftCommissioningLink);
        Assert.Contains(messages, m => m is FlowLine { Text: "fail-safe disarmed: the device is commissionable again" });
        Assert.Empty(device.Inspect(s => s.Fabrics.ToList()));
        Assert.Empty(device.Inspect(s => s.Networks.ToList()));
        Assert.False(device.Inspect(s => s.FailSafe.IsArmed));
    }

    private async Task<(List<object> Messages, object Outcome)> RunFlow(UdpMatterDeviceHost host, uint passcode)
    {
        using var trust = PaaTrustStore.Load();
        var transport = Sys.ActorOf(UdpTransportActor.Props());
        var fabric = Sys.ActorOf(FabricActor.Props(new FabricStore(ServiceDatabase.Open(_directory))));
        var resolver = CreateTestProbe();
        var endPoint = host.EndPoint;
        resolver.SetAutoPilot(new DelegateAutoPilot((sender, message) =>
        {
            // The device announces itself on its new network: here, where it already listens.
            if (message is ResolveOperational resolve)
            {
                sender.Tell(new OperationalResolved(resolve.CompressedFabricId, resolve.NodeId, [endPoint]));
            }

            return AutoPilot.KeepRunning;
        }));
        var settings = new FlowSettings
        {
            StepTimeout = Step,
            Resolver = resolver,
            Network = new CommissioningNetworks(WiFi, Thread),
            OperationalChannel = address => new UdpMatterChannel(transport, address),
        };
        // UDP stands in for the BTP link: the steps over it are the same.
        // As the BLE attempt does once the link has stopped: the flow waits for this before CASE.
        SetAutoPilot(new DelegateAutoPilot((sender, message) =>
        {
            if (message is FlowLeftCommissioningLink)
            {
                sender.Tell(CommissioningLinkReleased.Instance);
            }

            return AutoPilot.KeepRunning;
        }));
        var flow = Sys.ActorOf(CommissioningFlowActor.Props(new UdpMatterChannel(transport, endPoint), passcode, fabric, trust, TestActor, settings));
        Watch(flow);
        var messages = new List<object>();
        object? outcome = null;
        while (true)
        {
            var message = await ExpectMsgAsync<object>(Step);
            switch (message)
            {
                case FlowLine or FlowLeftCommissioningLink:
                    messages.Add(message);
                    break;
                case FlowSucceeded or FlowFailed:
                    outcome = message;
                    break;
                case Terminated t when t.ActorRef.Equals(flow) && outcome is not null:
                    return (messages, outcome);
                default:
                    Assert.Fail($"unexpected {message}; so far: {string.Join(" | ", messages)}");
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
