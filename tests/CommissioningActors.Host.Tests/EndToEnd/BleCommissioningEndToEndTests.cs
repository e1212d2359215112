using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using CommissioningActors.Core.Commissioning;
using CommissioningActors.Core.Matter.Fabric;
using CommissioningActors.Core.Matter.Resolution;
using CommissioningActors.Core.Proxies;
using CommissioningActors.Host.Tests.Support;
using CommissioningActors.Protocol.Matter;
using CommissioningActors.Simulator;
using CommissioningActors.Simulator.Matter;

namespace CommissioningActors.Host.Tests.EndToEnd;

/// <summary>
/// BLE commissioning for real through the host: a simulated proxy whose device's BTP link carries Matter messages to
/// a simulated commissionee (not on its network yet; the DeviceLinks wiring is built here), the stored test Wi-Fi
/// handed over, ConnectNetwork, the BLE slot released, then the node found at its UDP address (a static resolver
/// entry: no multicast outside a namespace) and commissioned over CASE.
/// </summary>
public sealed class BleCommissioningEndToEndTests
{
    private static readonly SimulatedDevice Light = DefaultDevices.All[0] with { Rotation = null };

    // The resolver on, but bound to an interface that does not exist: static entries answer, nothing multicasts.
    private const string Hocon = """
        commissioning {
          gate.slots = 1
          attempt.candidate-settle = 300ms
          attempt.scan-timeout = 10s
          attempt.commission-over-ble = on
          matter.resolver.enabled = on
          matter.resolver.interfaces = ["ca-no-such-interface"]
        }
        """;

    [Fact]
    public async Task A_ble_device_joins_the_network_and_our_fabric_and_its_slot_is_released_before_case()
    {
        using var commissionee = new SimulatedMatterDevice(new SimulatedDeviceOptions
        {
            Passcode = Light.Passcode,
            Discriminator = Light.Discriminator,
        });
        await using var operational = UdpMatterDeviceHost.Start(commissionee);
        await using var host = await TestHost.StartWithHoconAsync(Hocon);
        var options = new SimulatorOptions
        {
            Name = "ble-e2e",
            ConnectionSlots = 1,
            Devices = [Light],
            Latencies = new SimulatorLatencies { AdvertisementInterval = TimeSpan.FromMilliseconds(50) },
            DeviceLinks = (_, send) => new BtpLink(commissionee, send),
        };
        await using var proxy = await SimulatedProxy.ConnectAsync(new UriBuilder(host.Ble) { Query = "name=ble-e2e" }.Uri, options);
        await Eventually.GetAsync(async () => await (await host.ActorAsync<ProxyManagerActor>()).Ask<ProxyList>(GetProxies.Instance),
            l => l.Proxies.Any(p => p.Ready), what: "a ready proxy");

        // The node id the fabric will hand out next, announced where the device listens once on its network.
        var fabric = await host.ActorAsync<FabricActor>();
        var credentials = await fabric.Ask<ControllerCredentials>(GetControllerCredentials.Instance, TimeSpan.FromSeconds(10));
        var nextNode = await NextNodeIdAsync(fabric);
        var resolver = host.System.ActorSelection("/user/matter-resolver");
        resolver.Tell(new AddStaticOperational(credentials.CompressedFabricId, nextNode, operational.EndPoint));

        var (outcome, output) = await CommissionAsync(host, Light.ManualCode);

        var node = Assert.IsType<NodeCommissioned>(outcome);
        Assert.Equal("ble", node.Transport);
        Assert.Equal(nextNode, node.NodeId);
        var released = output.FindIndex(l => l.Contains("released: its connection slot is back in the pool", StringComparison.Ordinal));
        var caseLine = output.FindIndex(l => l.StartsWith("establishing CASE", StringComparison.Ordinal));
        Assert.True(released >= 0 && released < caseLine, string.Join('\n', output));
        Assert.Single(commissionee.Inspect(s => s.Fabrics.ToList()));
        Assert.True(Assert.Single(commissionee.Inspect(s => s.Networks.ToList())).Connected);
        var text = string.Join('\n', output);
        Assert.DoesNotContain("test-wifi-password", text);
        Assert.DoesNotContain(Light.Passcode.ToString(), text);
        Assert.Equal(0, proxy.OutOfSlotsErrorsSent);
    }

    [Fact]
    public async Task Without_stored_credentials_the_job_fails_before_any_connect_and_no_slot_is_spent()
    {
        await using var host = await TestHost.StartWithoutNetworkCredentialsAsync(Hocon);
        var options = new SimulatorOptions
        {
            Name = "ble-e2e",
            ConnectionSlots = 1,
            Devices = [Light],
            Latencies = new SimulatorLatencies { AdvertisementInterval = TimeSpan.FromMilliseconds(50) },
        };
        await using var proxy = await SimulatedProxy.ConnectAsync(new UriBuilder(host.Ble) { Query = "name=ble-e2e" }.Uri, options);
        await Eventually.GetAsync(async () => await (await host.ActorAsync<ProxyManagerActor>()).Ask<ProxyList>(GetProxies.Instance),
            l => l.Proxies.Any(p => p.Ready), what: "a ready proxy");

        var payload = SetupCode.Parse(Light.ManualCode);
        var supervisor = await host.ActorAsync<CommissioningSupervisorActor>();
        var report = new TestProbe(host.System, new XunitAssertions());
        supervisor.Tell(new StartCommissioning(new CommissionRequest("no-network", payload.Value!), report.Ref), report.Ref);

        var failed = await report.FishForMessageAsync<AttemptFailed>(m => m is AttemptFailed, TimeSpan.FromSeconds(10));
        Assert.Equal(AttemptErrorCodes.NetworkCredentialsMissing, failed.ErrorCode);
        Assert.Equal(0, proxy.PeakSlotsInUse);
        var status = await supervisor.Ask<CommissioningStatus>(GetCommissioningStatus.Instance, TimeSpan.FromSeconds(10));
        Assert.Equal(0, status.InProgress);
    }

    private static async Task<ulong> NextNodeIdAsync(IActorRef fabric)
    {
        var allocated = await fabric.Ask<NodeIdAllocated>(AllocateNodeId.Instance, TimeSpan.FromSeconds(10));
        return allocated.NodeId + 1;
    }

    private static async Task<(AttemptOutcome Outcome, List<string> Output)> CommissionAsync(TestHost host, string code)
    {
        var payload = SetupCode.Parse(code);
        Assert.True(payload.IsOk, payload.Error?.ToString());
        var supervisor = await host.ActorAsync<CommissioningSupervisorActor>();
        var report = new TestProbe(host.System, new XunitAssertions());
        supervisor.Tell(new StartCommissioning(new CommissionRequest(Guid.NewGuid().ToString("N"), payload.Value!), report.Ref), report.Ref);
        await report.ExpectMsgAsync<CommissioningStarted>(TimeSpan.FromSeconds(10));

        var output = new List<string>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (true)
        {
            var message = await report.ReceiveOneAsync(deadline - DateTime.UtcNow)
                ?? throw new TimeoutException($"attempt did not end; output so far:\n{string.Join('\n', output)}");
            switch (message)
            {
                case AttemptOutput line:
                    output.Add(line.Line);
                    break;
                case AttemptOutcome outcome:
                    return (outcome, output);
            }
        }
    }

    /// <summary>One BTP session of the simulated proxy's device, carried to the simulated commissionee (reliable: no MRP).</summary>
    private sealed class BtpLink(SimulatedMatterDevice device, MatterDeviceSend send) : IMatterDeviceLink, IMatterDeviceTransport
    {
        public bool IsReliable => true;

        public void OnMessage(ReadOnlyMemory<byte> message) => device.Receive(this, message);

        public void OnClosed(string reason) => device.Forget(this);

        // The device sends under its own lock: hand the message over without waiting.
        public void Send(ReadOnlyMemory<byte> message) => _ = send(message.ToArray());
    }
}
