using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using CommissioningActors.Core.Commissioning;
using CommissioningActors.Core.Discovery;
using CommissioningActors.Core.Gate;
using CommissioningActors.Core.Proxies;
using CommissioningActors.Host.Tests.Support;
using CommissioningActors.Protocol.BleProxy;
using CommissioningActors.Protocol.Matter;
using CommissioningActors.Protocol.Matter.Btp;
using CommissioningActors.Simulator;

namespace CommissioningActors.Host.Tests.EndToEnd;

/// <summary>Seed 000's scenario over real loopback WebSockets: a rotating-address device behind a 1-slot proxy.</summary>
public sealed class CommissioningEndToEndTests
{
    private static readonly SimulatedDevice Light = DefaultDevices.All[0];

    private static string Hocon(int gateSlots, string policy = "hedged") => $$"""
        commissioning {
          gate.slots = {{gateSlots}}
          attempt.connect-policy = {{policy}}
          attempt.candidate-settle = 300ms
          attempt.scan-timeout = 10s
        }
        """;

    private static SimulatorOptions OneSlotProxy(SimulatorFaults? faults = null) => new()
    {
        Name = "one-slot",
        ConnectionSlots = 1,
        Devices = [Light],
        Latencies = new SimulatorLatencies { AdvertisementInterval = TimeSpan.FromMilliseconds(50) },
        Faults = faults ?? new SimulatorFaults(),
    };

    private static async Task<ProxyInfo> ReadyProxyAsync(TestHost host)
    {
        var proxies = await host.ActorAsync<ProxyManagerActor>();
        var list = await Eventually.GetAsync(() => proxies.Ask<ProxyList>(GetProxies.Instance),
            l => l.Proxies.Any(p => p.Ready), what: "a ready proxy");
        return list.Proxies.Single(p => p.Ready);
    }

    private static async Task<(AttemptOutcome Outcome, List<string> Output)> CommissionAsync(TestHost host, string code,
        TimeSpan? within = null)
    {
        var payload = SetupCode.Parse(code);
        Assert.True(payload.IsOk, payload.Error?.ToString());
        var supervisor = await host.ActorAsync<CommissioningSupervisorActor>();
        var report = new TestProbe(host.System, new XunitAssertions());
        supervisor.Tell(new StartCommissioning(new CommissionRequest(Guid.NewGuid().ToString("N"), payload.Value!), report.Ref), report.Ref);
        await report.ExpectMsgAsync<CommissioningStarted>();

        var output = new List<string>();
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(20));
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

    private static async Task AssertNothingLeftAsync(TestHost host, SimulatedProxy proxy)
    {
        var supervisor = await host.ActorAsync<CommissioningSupervisorActor>();
        await Eventually.GetAsync(() => supervisor.Ask<CommissioningStatus>(GetCommissioningStatus.Instance),
            s => s.InProgress == 0, what: "no attempt in progress");
        var proxies = await host.ActorAsync<ProxyManagerActor>();
        var list = await proxies.Ask<ProxyList>(GetProxies.Instance);
        foreach (var gate in list.Proxies.Select(p => p.Gate).OfType<IActorRef>())
        {
            await Eventually.GetAsync(() => gate.Ask<GateState>(GetGateState.Instance),
                s => s.InUse == 0 && s.Queued == 0, what: "every gate empty");
        }
        await Eventually.GetAsync(() => Task.FromResult(proxy.SlotsInUse), n => n == 0, what: "the proxy's slots all free");
        foreach (var handle in proxy.DisconnectCommandsByHandle)
        {
            Assert.True(handle.Value == 1, $"handle {handle.Key} got {handle.Value} disconnect commands");
        }
    }

    [Theory]
    [InlineData("34970112332")]
    [InlineData("3497-011-2332")]
    [InlineData("MT:Y.K90AFN00KA0648G00")]
    public async Task A_rotating_device_behind_a_one_slot_proxy_is_commissioned_with_no_slot_errors(string code)
    {
        // All addresses at once (matter.js's way): the gate alone keeps the proxy safe.
        await using var host = await TestHost.StartWithHoconAsync(Hocon(gateSlots: 1, policy: "all-at-once"));
        await using var proxy = await SimulatedProxy.ConnectAsync(new UriBuilder(host.Ble) { Query = "name=one-slot" }.Uri, OneSlotProxy());
        var info = await ReadyProxyAsync(host);

        var (outcome, output) = await CommissionAsync(host, code);

        var success = Assert.IsType<AttemptSucceeded>(outcome);
        Assert.Contains(success.Address, Light.Addresses);
        Assert.Equal(info.Id, success.ProxyId);
        Assert.Equal(Light.Discriminator, success.Discriminator);
        Assert.Equal(BtpHandshake.SupportedVersion, success.Btp.Version);
        Assert.Equal(0, proxy.OutOfSlotsErrorsSent);
        Assert.Equal(1, proxy.PeakSlotsInUse);
        Assert.True(output.Count(l => l.StartsWith("Trying ", StringComparison.Ordinal)) >= 2,
            "the rotating addresses were all tried:\n" + string.Join('\n', output));
        Assert.DoesNotContain(output, l => l.Contains("20202021", StringComparison.Ordinal) || l.Contains("34970112332", StringComparison.Ordinal));
        await AssertNothingLeftAsync(host, proxy);
    }

    [Fact]
    public async Task Without_the_gate_the_same_scenario_exhausts_the_proxy_and_says_so()
    {
        // The gate believes in 3 slots; the proxy really has 1: the seed's connect storm.
        await using var host = await TestHost.StartWithHoconAsync(Hocon(gateSlots: 3, policy: "all-at-once"));
        await using var proxy = await SimulatedProxy.ConnectAsync(new UriBuilder(host.Ble) { Query = "name=one-slot" }.Uri, OneSlotProxy());
        await ReadyProxyAsync(host);

        var (_, output) = await CommissionAsync(host, "34970112332");

        Assert.True(proxy.OutOfSlotsErrorsSent > 0, "the ungated storm hit the proxy's slot limit");
        Assert.Contains(output, l => l.Contains(BleErrorCodes.OutOfConnectionSlots, StringComparison.Ordinal)
            && l.Contains(SlotExhaustion.ActionableMessage, StringComparison.Ordinal));
        await AssertNothingLeftAsync(host, proxy);
    }

    [Fact]
    public async Task With_hedging_a_device_rotating_over_three_addresses_costs_one_connect_to_its_current_address()
    {
        var rotation = new AddressRotation();
        var light = Light with { Rotation = rotation };
        await using var host = await TestHost.StartWithHoconAsync(Hocon(gateSlots: 3) + "\ncommissioning.attempt.freshness-resolution = 50ms");
        await using var proxy = await SimulatedProxy.ConnectAsync(new UriBuilder(host.Ble) { Query = "name=one-slot" }.Uri,
            OneSlotProxy() with { Devices = [light], Latencies = new SimulatorLatencies { AdvertisementInterval = TimeSpan.FromMilliseconds(100) } });
        await ReadyProxyAsync(host);
        var registry = await host.ActorAsync<DiscoveryRegistryActor>();
        // The device advertised its first two addresses earlier, then rotated to its third.
        foreach (var address in light.Addresses)
        {
            await Eventually.GetAsync(() => registry.Ask<DiscoveriesSnapshot>(GetDiscoveries.Instance),
                s => s.Discoveries.Any(d => d.Address == address), what: $"{address} seen");
            rotation.Advance(light.Addresses.Count);
        }

        // The current address keeps being heard; the old ones fell silent when the device moved on.
        await Eventually.GetAsync(() => registry.Ask<DiscoveriesSnapshot>(GetDiscoveries.Instance),
            s => s.Discoveries.Single(d => d.Address == light.Addresses[^1]).LastSeen
                 - s.Discoveries.Where(d => d.Address != light.Addresses[^1]).Max(d => d.LastSeen) > TimeSpan.FromMilliseconds(300),
            what: "the current address heard well after the old ones");
        var (outcome, output) = await CommissionAsync(host, "34970112332");

        var success = Assert.IsType<AttemptSucceeded>(outcome);
        Assert.Equal(light.Addresses[^1], success.Address);
        Assert.Equal(1, proxy.ConnectsReceived);
        Assert.Equal(0, proxy.OutOfSlotsErrorsSent);
        Assert.Single(output, l => l.StartsWith("Trying ", StringComparison.Ordinal));
        await AssertNothingLeftAsync(host, proxy);
    }

    [Theory]
    [InlineData(SlotExhaustionStyle.Structured)]
    [InlineData(SlotExhaustionStyle.LegacyText)]
    public async Task When_every_candidate_hits_a_full_proxy_the_attempt_fails_with_the_actionable_slot_error(SlotExhaustionStyle style)
    {
        await using var host = await TestHost.StartWithHoconAsync(Hocon(gateSlots: 3));
        await using var proxy = await SimulatedProxy.ConnectAsync(new UriBuilder(host.Ble) { Query = "name=one-slot" }.Uri,
            OneSlotProxy(new SimulatorFaults { SlotExhaustion = style }));
        var info = await ReadyProxyAsync(host);

        // Something outside the gate already holds the proxy's only slot.
        var squatter = new TestProbe(host.System, new XunitAssertions());
        info.Session.Tell(new ExecuteBleCommand(new Connect("C0:FF:EE:00:00:03")), squatter.Ref);
        await squatter.ExpectMsgAsync<BleCommandSucceeded>();

        var (outcome, _) = await CommissionAsync(host, "34970112332");

        var failed = Assert.IsType<AttemptFailed>(outcome);
        Assert.Equal(BleErrorCodes.OutOfConnectionSlots, failed.ErrorCode);
        Assert.Contains(SlotExhaustion.ActionableMessage, failed.Message);
    }

    [Fact]
    public async Task A_proxy_that_drops_mid_connect_fails_the_attempt_quickly_and_leaks_nothing()
    {
        await using var host = await TestHost.StartWithHoconAsync(Hocon(gateSlots: 1));
        await using var proxy = await SimulatedProxy.ConnectAsync(new UriBuilder(host.Ble) { Query = "name=one-slot" }.Uri,
            OneSlotProxy(new SimulatorFaults { DropSocketOnConnect = true }));
        await ReadyProxyAsync(host);

        var started = DateTime.UtcNow;
        var (outcome, _) = await CommissionAsync(host, "34970112332");

        var failed = Assert.IsType<AttemptFailed>(outcome);
        Assert.Equal(BleErrorCodes.ConnectionAborted, failed.ErrorCode);
        Assert.Contains("disconnected", failed.Message);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5), "failed at once, not after a connect timeout");

        var supervisor = await host.ActorAsync<CommissioningSupervisorActor>();
        await Eventually.GetAsync(() => supervisor.Ask<CommissioningStatus>(GetCommissioningStatus.Instance),
            s => s.InProgress == 0, what: "no attempt left");
        var proxies = await host.ActorAsync<ProxyManagerActor>();
        await Eventually.GetAsync(() => proxies.Ask<ProxyList>(GetProxies.Instance), l => l.Proxies.Count == 0, what: "session gone");
    }

    [Fact]
    public async Task An_old_proxy_client_without_write_and_subscribe_still_gets_a_btp_session()
    {
        await using var host = await TestHost.StartWithHoconAsync(Hocon(gateSlots: 1));
        await using var proxy = await SimulatedProxy.ConnectAsync(new UriBuilder(host.Ble) { Query = "name=one-slot" }.Uri,
            OneSlotProxy(new SimulatorFaults { LacksWriteAndSubscribe = true, LacksRequestMtu = true }));
        await ReadyProxyAsync(host);

        var (first, output) = await CommissionAsync(host, "34970112332");
        Assert.IsType<AttemptSucceeded>(first);
        Assert.Contains(output, l => l.Contains("predates write_and_subscribe", StringComparison.Ordinal));

        // Remembered per proxy: the second attempt falls back without asking the proxy again.
        var (second, _) = await CommissionAsync(host, "34970112332");
        Assert.IsType<AttemptSucceeded>(second);
        Assert.Equal(1, proxy.CommandsReceivedNamed("write_and_subscribe"));
        Assert.Equal(1, proxy.CommandsReceivedNamed("request_mtu"));
        Assert.True(proxy.CommandsReceivedNamed("subscribe_characteristic") >= 2);
    }
}
