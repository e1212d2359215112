using Akka.TestKit;
using System.Net;
using System.Runtime.Versioning;
using System.Text;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using CommissioningActors.Core.Matter.Commissioning;
using CommissioningActors.Core.Matter.Fabric;
using CommissioningActors.Core.Matter.Resolution;
using CommissioningActors.Core.Matter.Transport;
using CommissioningActors.Core.Storage;
using Microsoft.Data.Sqlite;
using Xunit;

namespace CommissioningActors.Core.Tests.Matter;

/// <summary>
/// The network steps of a BLE commissioning (FlowSettings.Network set) against scripted sessions: the stored
/// network the device supports is chosen, the steps run in matter.js's order with a fail-safe re-armed to cover
/// connect + discovery + CASE, the owner hears FlowLeftCommissioningLink before CASE starts, a link that drops
/// during ConnectNetwork is success, and no secret reaches a line. Over UDP against the simulated device:
/// Host.Tests Interop/SimulatedDevice.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class CommissioningFlowNetworkTests() : TestKit(StoreDispatcher), IDisposable
{
    private const string StoreDispatcher = """
        commissioning.store-dispatcher {
          type = ForkJoinDispatcher
          throughput = 100
          dedicated-thread-pool { thread-count = 1 }
        }
        """;

    private const string Password = "correct-horse-battery";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private static readonly IPEndPoint Operational = new(IPAddress.Loopback, 5541);
    private static readonly NetworkCredentials WiFi = new(NetworkKind.WiFi, "home-net", Encoding.UTF8.GetBytes(Password));

    // Active timestamp, then the extended PAN id (type 2, 8 bytes), then the network key (type 5, 16 bytes).
    private static readonly byte[] Dataset = Convert.FromHexString("0E080000000000010000" + "0208DEAD00BEEF00CAFE" + "051000112233445566778899AABBCCDDEEFF");
    private static readonly NetworkCredentials Thread = new(NetworkKind.Thread, null, Dataset);

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "ca-flow-net-" + Guid.NewGuid().ToString("N"));
    private IActorRef? _fabric;

    [Fact]
    public async Task Wifi_steps_run_in_order_the_link_is_left_before_case_and_the_node_is_saved_as_ble()
    {
        using var device = new FakeCommissionee { NetworkFeatures = 0x1 };
        var run = Start(device, new CommissioningNetworks(WiFi, Thread));

        var resolve = await run.Resolver.ExpectMsgAsync<ResolveOperational>(Wait);
        run.Resolver.Reply(new OperationalResolved(resolve.CompressedFabricId, resolve.NodeId, [Operational]));
        var (messages, outcome) = await Collect(run.Flow);

        var node = Assert.IsType<FlowSucceeded>(outcome).Node;
        Assert.Equal("ble", node.Transport);
        Assert.Equal(new[] { $"udp {Operational}" }, node.Addresses);
        Assert.Equal(Operational, (await run.Cases.ExpectMsgAsync<CaseRequested>(Wait)).Peer);
        Assert.Equal(new[]
        {
            "read", "0x30/0 60", "0x30/2", "0x3E/2", "0x3E/2", "0x3E/0", "0x3E/4", "0x3E/11", "0x3E/6",
            "0x31/2", "0x30/0 100", $"0x31/6 {Convert.ToHexString(Encoding.UTF8.GetBytes("home-net"))}", "0x30/4",
        }, device.Commands);

        // The owner may release the BLE link (and its slot) before CASE starts.
        var left = messages.FindIndex(m => m is FlowLeftCommissioningLink);
        var caseLine = messages.FindIndex(m => m is FlowLine { Text: var t } && t.StartsWith("establishing CASE", StringComparison.Ordinal));
        Assert.InRange(left, 0, caseLine - 1);
        var lines = messages.OfType<FlowLine>().Select(l => l.Text).ToList();
        Assert.Contains("the device will join Wi-Fi network \"home-net\"", lines);
        Assert.Contains("regulatory config set: indoor/outdoor, country XX", lines);
        Assert.Contains("fail-safe re-armed for 100 s to cover ConnectNetwork, operational discovery, CASE and CommissioningComplete", lines);
        Assert.Contains("the device joined Wi-Fi network \"home-net\"", lines);
        Assert.DoesNotContain(Password, string.Join("\n", lines) + outcome);

        // PASE ends with the link, silently: a CloseSession before CommissioningComplete makes matter.js drop the
        // new fabric. The flow has stopped, so every session it had has stopped too (and handled what it was told).
        Assert.Equal(0, device.PaseCloseSessions);
    }

    [Fact]
    public async Task A_thread_device_gets_the_dataset_and_is_connected_by_its_extended_pan_id()
    {
        using var device = new FakeCommissionee { NetworkFeatures = 0x2 };
        var run = Start(device, new CommissioningNetworks(WiFi, Thread));

        var resolve = await run.Resolver.ExpectMsgAsync<ResolveOperational>(Wait);
        run.Resolver.Reply(new OperationalResolved(resolve.CompressedFabricId, resolve.NodeId, [Operational]));
        var (messages, outcome) = await Collect(run.Flow);

        Assert.IsType<FlowSucceeded>(outcome);
        Assert.Contains("0x31/3", device.Commands);
        Assert.Contains("0x31/6 DEAD00BEEF00CAFE", device.Commands);
        Assert.Contains(messages, m => m is FlowLine { Text: "the device will join Thread network DEAD00BEEF00CAFE" });
        Assert.DoesNotContain("00112233445566778899", string.Join("\n", messages) + outcome, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_link_that_drops_during_connect_network_is_the_device_switching_networks_not_a_failure()
    {
        using var device = new FakeCommissionee { NetworkFeatures = 0x1, DropOnConnect = true };
        var run = Start(device, new CommissioningNetworks(WiFi, null));

        var resolve = await run.Resolver.ExpectMsgAsync<ResolveOperational>(Wait);
        run.Resolver.Reply(new OperationalResolved(resolve.CompressedFabricId, resolve.NodeId, [Operational]));
        var (messages, outcome) = await Collect(run.Flow);

        Assert.IsType<FlowSucceeded>(outcome);
        Assert.Contains(messages, m => m is FlowLine { Text: "the PASE session ended: the device is switching networks" });
        Assert.Single(messages.OfType<FlowLeftCommissioningLink>());
        Assert.Equal(0, device.Disarms);
    }

    [Fact]
    public async Task A_device_that_needs_a_network_we_do_not_have_fails_at_once_naming_it_without_arming()
    {
        using var device = new FakeCommissionee { NetworkFeatures = 0x2 };
        var run = Start(device, new CommissioningNetworks(WiFi, null));

        var (_, outcome) = await Collect(run.Flow);

        var failed = Assert.IsType<FlowFailed>(outcome);
        Assert.Equal(FlowStep.ConfigureNetwork, failed.Step);
        Assert.Equal("network_credentials_missing", failed.ErrorCode);
        Assert.Equal("configuring the network failed: the device joins Thread networks only: store a Thread dataset (set_thread_dataset)", failed.Reason);
        Assert.Equal(new[] { "read" }, device.Commands);
    }

    [Fact]
    public async Task A_refused_network_names_the_networking_status_and_disarms()
    {
        using var device = new FakeCommissionee { NetworkFeatures = 0x1, NetworkConfigStatus = 7 };
        var run = Start(device, new CommissioningNetworks(WiFi, null));

        var (messages, outcome) = await Collect(run.Flow);

        var failed = Assert.IsType<FlowFailed>(outcome);
        Assert.Equal(FlowStep.ConfigureNetwork, failed.Step);
        Assert.Equal("configuring the network failed: AddOrUpdateWiFiNetwork: the device answered networking status 7 (AuthFailure): refused", failed.Reason);
        Assert.Equal(1, device.Disarms);
        Assert.DoesNotContain(messages, m => m is FlowLeftCommissioningLink);
    }

    [Fact]
    public async Task A_failed_connect_network_names_the_status_and_keeps_the_link()
    {
        using var device = new FakeCommissionee { NetworkFeatures = 0x1, ConnectStatus = 9 };
        var run = Start(device, new CommissioningNetworks(WiFi, null));

        var (messages, outcome) = await Collect(run.Flow);

        var failed = Assert.IsType<FlowFailed>(outcome);
        Assert.Equal(FlowStep.ConnectNetwork, failed.Step);
        Assert.Equal("ConnectNetwork failed: the device answered networking status 9 (OtherConnectionFailure)", failed.Reason);
        Assert.Equal(1, device.Disarms);
        Assert.DoesNotContain(messages, m => m is FlowLeftCommissioningLink);
    }

    [Fact]
    public async Task A_node_not_found_after_connect_network_fails_operational_discovery_without_falling_back_to_the_ble_link()
    {
        using var device = new FakeCommissionee { NetworkFeatures = 0x1 };
        var run = Start(device, new CommissioningNetworks(WiFi, null));

        var resolve = await run.Resolver.ExpectMsgAsync<ResolveOperational>(Wait);
        run.Resolver.Reply(new ResolveFailed("no answer to the mDNS query"));
        var (messages, outcome) = await Collect(run.Flow);

        var failed = Assert.IsType<FlowFailed>(outcome);
        Assert.Equal("operational_discovery_failed", failed.ErrorCode);
        Assert.Equal($"CASE failed: node {resolve.NodeId} was not found: no answer to the mDNS query", failed.Reason);
        Assert.Single(messages.OfType<FlowLeftCommissioningLink>());
        Assert.False(run.Cases.HasMessages);
    }

    private sealed record Run(IActorRef Flow, Akka.TestKit.TestProbe Resolver, Akka.TestKit.TestProbe Cases);

    private Run Start(FakeCommissionee device, CommissioningNetworks networks)
    {
        var cases = CreateTestProbe();
        var resolver = CreateTestProbe();
        var settings = new FlowSettings
        {
            StepTimeout = Wait,
            ResolveTimeout = TimeSpan.FromSeconds(60),
            Resolver = resolver,
            Network = networks,
            OperationalChannel = address => new UdpMatterChannel(ActorRefs.Nobody, address),
            PaseSession = (_, owner, _, _) => Props.Create(() => new ScriptedSession(owner, device.Ready(2), device.Answer, device.PaseClosedBySession)),
            CaseSession = (channel, owner, credentials, nodeId, _) =>
            {
                cases.Ref.Tell(new CaseRequested(((UdpMatterChannel)channel).Peer, nodeId));
                return Props.Create(() => new ScriptedSession(owner, device.Ready(3), device.Answer));
            },
        };
        _fabric ??= Sys.ActorOf(FabricActor.Props(new FabricStore(ServiceDatabase.Open(_directory))));
        // As the BLE attempt does once the link has stopped: the flow waits for this before CASE.
        SetAutoPilot(new DelegateAutoPilot((sender, message) =>
        {
            if (message is FlowLeftCommissioningLink)
            {
                sender.Tell(CommissioningLinkReleased.Instance);
            }

            return AutoPilot.KeepRunning;
        }));
        var flow = Sys.ActorOf(CommissioningFlowActor.Props(new BleLink(), 20202021, _fabric, device.Trust, TestActor, settings));
        Watch(flow);
        return new Run(flow, resolver, cases);
    }

    private async Task<(List<object> Messages, object Outcome)> Collect(IActorRef flow)
    {
        var messages = new List<object>();
        object? outcome = null;
        while (true)
        {
            var message = await ExpectMsgAsync<object>(Wait);
            switch (message)
            {
                case FlowLine or FlowLeftCommissioningLink:
                    messages.Add(message);
                    break;
                case FlowFailed or FlowSucceeded:
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

    private sealed record CaseRequested(IPEndPoint Peer, ulong NodeId);

    /// <summary>Stands for the BTP channel: the scripted sessions never use it.</summary>
    private sealed class BleLink : IMatterChannel
    {
        public bool IsReliable => true;

        public string PeerDescription => "ble AA:BB:CC:DD:EE:FF via proxy-1";

        public void Send(byte[] message)
        {
        }

        public void Bind(ushort localSessionId, IActorRef session)
        {
        }

        public void Unbind(ushort localSessionId, IActorRef session)
        {
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
