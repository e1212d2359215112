using System.Net;
using System.Runtime.Versioning;
using System.Text;
using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using CommissioningActors.Core.Commissioning;
using CommissioningActors.Core.Connections;
using CommissioningActors.Core.Discovery;
using CommissioningActors.Core.Matter.Commissioning;
using CommissioningActors.Core.Matter.Fabric;
using CommissioningActors.Core.Matter.Network;
using CommissioningActors.Core.Matter.Resolution;
using CommissioningActors.Core.Matter.Transport;
using CommissioningActors.Core.Proxies;
using CommissioningActors.Core.Storage;
using CommissioningActors.Core.Tests.Matter;
using CommissioningActors.Protocol.BleProxy;
using CommissioningActors.Protocol.Matter;
using CommissioningActors.Protocol.Matter.Btp;
using Microsoft.Data.Sqlite;
using Xunit;

namespace CommissioningActors.Core.Tests.Commissioning;

/// <summary>
/// An attempt with the Matter services: the winning link carries the commissioning flow (scripted sessions of a
/// fake commissionee), the losers are cancelled, the winner is released when the flow leaves it (the job output
/// shows the slot released before CASE), the flow's verdict is the attempt's; with no stored network the
/// supervisor fails the job before any scan.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class BleCommissioningAttemptTests : TestKit, IDisposable
{
    private const string StoreDispatcher = """
        commissioning.store-dispatcher {
          type = ForkJoinDispatcher
          throughput = 100
          dedicated-thread-pool { thread-count = 1 }
        }
        """;

    private const string AttemptId = "ble-1";
    private const string AddressA = "AA:BB:CC:DD:EE:01";
    private const string AddressB = "AA:BB:CC:DD:EE:02";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private static readonly IPEndPoint Operational = new(IPAddress.Loopback, 5541);
    private static readonly SetupPayload Payload = new(20202021, 3840, false, 0xFFF1, 0x8001, RendezvousInformation: RendezvousFlags.Ble);
    private static readonly NetworkCredentials WiFi = new(NetworkKind.WiFi, "home-net", Encoding.UTF8.GetBytes("correct-horse-battery"));

    private static readonly AttemptSettings Settings = AttemptSettings.Default with
    {
        CandidateSettle = TimeSpan.FromMilliseconds(100),
        ScanTimeout = TimeSpan.FromSeconds(10),
        DefaultTimeout = TimeSpan.FromSeconds(20),
        Policy = ConnectPolicy.AllAtOnce,
    };

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "ca-ble-attempt-" + Guid.NewGuid().ToString("N"));
    private readonly TestProbe _reportTo;
    private readonly TestProbe _registry;
    private readonly TestProbe _proxies;
    private readonly TestProbe _resolver;
    private readonly AttemptProxy _p1;
    private IActorRef? _fabric;

    public BleCommissioningAttemptTests()
        : base(StoreDispatcher)
    {
        _reportTo = CreateTestProbe("report-to");
        _registry = CreateTestProbe("registry");
        _proxies = CreateTestProbe("proxies");
        _resolver = CreateTestProbe("resolver");
        _p1 = FakeGate.Proxy(this, "proxy-1");
    }

    [Fact]
    public void The_winner_carries_the_flow_the_loser_is_cancelled_and_the_slot_is_released_before_case()
    {
        using var device = new FakeCommissionee { NetworkFeatures = 0x1 };
        var (attempt, connections) = StartAndConnect(device, new CommissioningNetworks(WiFi, null));
        var winner = connections[AddressA];
        var loser = connections[AddressB];
        var watcher = CreateTestProbe();
        watcher.Watch(winner);
        watcher.Watch(loser);

        attempt.Tell(Established(AddressA), winner);

        // Only the loser goes; the winner stays up through PASE and the BLE steps.
        watcher.ExpectTerminated(loser, Wait);
        var resolve = _resolver.ExpectMsg<ResolveOperational>(Wait);
        watcher.ExpectTerminated(winner, Wait); // released after ConnectNetwork, before the node is looked for
        _resolver.Reply(new OperationalResolved(resolve.CompressedFabricId, resolve.NodeId, [Operational]));

        var (outcome, output) = Outcome(attempt);
        var node = Assert.IsType<NodeCommissioned>(outcome);
        Assert.Equal(("ble", AddressA, resolve.NodeId), (node.Transport, node.Address, node.NodeId));
        var released = output.FindIndex(l => l == $"BLE link to {AddressA} via proxy-1 released: its connection slot is back in the pool");
        var joined = output.FindIndex(l => l == "the device joined Wi-Fi network \"home-net\"");
        var caseLine = output.FindIndex(l => l.StartsWith("establishing CASE", StringComparison.Ordinal));
        Assert.True(joined >= 0 && joined < released && released < caseLine, string.Join("\n", output));
        Assert.DoesNotContain(output, l => l.Contains("correct-horse-battery", StringComparison.Ordinal));
        // The winner's advertisement (product 0x8001) reaches the flow, which names the difference from what the device reports.
        Assert.Contains("warning: the device advertised vendor 0xFFF1, product 0x8001 but reports vendor 0xFFF1, product 0x8000; attestation checks the reported ids", output);
        _fabric!.Tell(new GetNode(node.NodeId));
        Assert.Equal("ble", ExpectMsg<NodeFound>(Wait).Node.Transport);
    }

    [Fact]
    public void A_flow_failure_ends_the_attempt_with_the_flows_code_and_releases_the_winner()
    {
        // The device only joins Thread networks; only Wi-Fi is stored.
        using var device = new FakeCommissionee { NetworkFeatures = 0x2 };
        var (attempt, connections) = StartAndConnect(device, new CommissioningNetworks(WiFi, null));
        var watcher = CreateTestProbe();
        watcher.Watch(connections[AddressA]);

        attempt.Tell(Established(AddressA), connections[AddressA]);

        var (outcome, _) = Outcome(attempt);
        var failed = Assert.IsType<AttemptFailed>(outcome);
        Assert.Equal(AttemptErrorCodes.NetworkCredentialsMissing, failed.ErrorCode);
        Assert.Contains("store a Thread dataset", failed.Message, StringComparison.Ordinal);
        watcher.ExpectTerminated(connections[AddressA], Wait);
    }

    [Fact]
    public void A_cancel_while_the_flow_runs_aborts_it_and_ends_cancelled_within_the_abort_bound()
    {
        using var device = new FakeCommissionee { NetworkFeatures = 0x1 };
        var (attempt, connections) = StartAndConnect(device, new CommissioningNetworks(WiFi, null));
        attempt.Tell(Established(AddressA), connections[AddressA]);
        _resolver.ExpectMsg<ResolveOperational>(Wait); // the flow is waiting for the node to be found

        attempt.Tell(new CancelAttempt("user asked"));

        var (outcome, _) = Outcome(attempt);
        Assert.Equal("user asked", Assert.IsType<AttemptCancelled>(outcome).Reason);
    }

    [Fact]
    public void Without_stored_credentials_the_supervisor_fails_the_job_before_any_scan()
    {
        _fabric = Sys.ActorOf(FabricActor.Props(new FabricStore(ServiceDatabase.Open(_directory))));
        using var device = new FakeCommissionee();
        var supervisor = Sys.ActorOf(CommissioningSupervisorActor.Props(_registry.Ref, _proxies.Ref, Settings, ConnectionSettings.Default,
            Services(device)));

        supervisor.Tell(new StartCommissioning(new CommissionRequest(AttemptId, Payload), _reportTo.Ref), _reportTo.Ref);

        var line = _reportTo.ExpectMsg<AttemptOutput>(Wait);
        Assert.StartsWith("Failed: network_credentials_missing: BLE commissioning hands the device a network", line.Line);
        var failed = _reportTo.ExpectMsg<AttemptFailed>(Wait);
        Assert.Equal(AttemptErrorCodes.NetworkCredentialsMissing, failed.ErrorCode);
        Assert.Contains("set_wifi_credentials", failed.Message, StringComparison.Ordinal);
        // No attempt was started: nothing scanned, nothing routed.
        supervisor.Tell(GetCommissioningStatus.Instance);
        Assert.Equal(0, ExpectMsg<CommissioningStatus>(Wait).InProgress);
        Assert.False(_registry.HasMessages);
        Assert.False(_proxies.HasMessages);
    }

    [Theory]
    [InlineData(NetworkKind.WiFi)]
    [InlineData(NetworkKind.Thread)]
    public void With_either_kind_stored_the_supervisor_starts_the_attempt(NetworkKind kind)
    {
        _fabric = Sys.ActorOf(FabricActor.Props(new FabricStore(ServiceDatabase.Open(_directory))));
        _fabric.Tell(new SaveNetworkCredentials(kind == NetworkKind.WiFi ? WiFi : new NetworkCredentials(NetworkKind.Thread, null, new byte[] { 2, 8, 1, 2, 3, 4, 5, 6, 7, 8 })));
        ExpectMsg<NetworkCredentialsSaved>(Wait);
        using var device = new FakeCommissionee();
        var supervisor = Sys.ActorOf(CommissioningSupervisorActor.Props(_registry.Ref, _proxies.Ref, Settings, ConnectionSettings.Default,
            Services(device)));

        supervisor.Tell(new StartCommissioning(new CommissionRequest(AttemptId, Payload), _reportTo.Ref), _reportTo.Ref);

        _reportTo.ExpectMsg<CommissioningStarted>(Wait);
        Assert.Equal(new WatchDevice(3840, false), _registry.ExpectMsg<WatchDevice>(Wait));
    }

    private (IActorRef Attempt, Dictionary<string, IActorRef> Connections) StartAndConnect(FakeCommissionee device, CommissioningNetworks networks)
    {
        _fabric = Sys.ActorOf(FabricActor.Props(new FabricStore(ServiceDatabase.Open(_directory))));
        var attempt = Sys.ActorOf(CommissioningAttemptActor.Props(new CommissionRequest(AttemptId, Payload), _registry.Ref, _proxies.Ref,
            _reportTo.Ref, Settings, ConnectionSettings.Default, Services(device), networks));
        Watch(attempt);
        _registry.ExpectMsg<WatchDevice>(Wait);
        _registry.Reply(new MatchingDevices([_p1.Saw(AddressA), _p1.Saw(AddressB)]));
        _proxies.ExpectMsg<GetProxies>(Wait);
        _proxies.Reply(new ProxyList([_p1.Info(slots: 2)]));
        var connections = new Dictionary<string, IActorRef>();
        for (var i = 0; i < 2; i++)
        {
            var request = _p1.Gate.ExpectMsg<CommissioningActors.Core.Gate.RequestSlot>(Wait);
            connections[request.Address] = _p1.Gate.LastSender;
        }

        return (attempt, connections);
    }

    /// <summary>What the winning connection tells its attempt once BTP carries Matter messages (the channel's sessions are scripted here).</summary>
    private static ConnectionEstablished Established(string address) =>
        new(address, "proxy-1", 5, 185, new BtpHandshakeResponse(BtpHandshake.SupportedVersion, 244, 6), null)
        {
            Channel = new ScriptedChannel($"ble {address} via proxy-1"),
        };

    private MatterServices Services(FakeCommissionee device)
    {
        _fabric ??= Sys.ActorOf(FabricActor.Props(new FabricStore(ServiceDatabase.Open(_directory))));
        return new MatterServices(ActorRefs.Nobody, _fabric, device.Trust, _resolver.Ref, null, new FlowSettings
        {
            StepTimeout = Wait,
            DisarmTimeout = TimeSpan.FromSeconds(1),
            Resolver = _resolver.Ref,
            PaseSession = (_, owner, _, _) => Props.Create(() => new ScriptedSession(owner, device.Ready(2), device.Answer)),
            CaseSession = (_, owner, _, _, _) => Props.Create(() => new ScriptedSession(owner, device.Ready(3), device.Answer)),
        });
    }

    /// <summary>The report-to's output lines up to the one outcome; then the attempt stops.</summary>
    private (AttemptOutcome Outcome, List<string> Output) Outcome(IActorRef attempt)
    {
        var output = new List<string>();
        var outcome = _reportTo.FishForMessage(m =>
        {
            if (m is AttemptOutput line)
            {
                output.Add(line.Line);
            }

            return m is AttemptOutcome;
        }, Wait);
        ExpectTerminated(attempt, Wait);
        return ((AttemptOutcome)outcome, output);
    }

    private sealed class ScriptedChannel(string peer) : IMatterChannel
    {
        public bool IsReliable => true;

        public string PeerDescription => peer;

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
