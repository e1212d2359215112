using System.Net;
using System.Runtime.Versioning;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using CommissioningActors.Core.Matter.Commissioning;
using CommissioningActors.Core.Matter.Fabric;
using CommissioningActors.Core.Matter.Resolution;
using CommissioningActors.Core.Matter.Sessions;
using CommissioningActors.Core.Matter.Transport;
using CommissioningActors.Core.Storage;
using CommissioningActors.Protocol.Matter.SecureChannel;
using Microsoft.Data.Sqlite;
using Xunit;

namespace CommissioningActors.Core.Tests.Matter;

/// <summary>
/// The flow's steps after AddNOC against scripted sessions (a fake commissionee whose attestation really
/// verifies): failures name their step and the device's status and roll the fail-safe back over PASE; success
/// saves the node and closes both sessions. The real sessions against matter.js: Host.Tests Interop.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class CommissioningFlowActorTests() : TestKit(StoreDispatcher), IDisposable
{
    private const string StoreDispatcher = """
        commissioning.store-dispatcher {
          type = ForkJoinDispatcher
          throughput = 100
          dedicated-thread-pool { thread-count = 1 }
        }
        """;

    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private static readonly IPEndPoint Commissioning = new(IPAddress.Loopback, 5540);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "ca-flow-unit-" + Guid.NewGuid().ToString("N"));
    private IActorRef? _fabric;

    [Fact]
    public async Task A_failing_noc_status_fails_addnoc_naming_the_status_and_disarms()
    {
        using var device = new FakeCommissionee { NocStatus = 5 };
        var cases = CreateTestProbe();

        var (lines, outcome) = await Run(device, Settings(device, cases));

        var failed = Assert.IsType<FlowFailed>(outcome);
        Assert.Equal(FlowStep.AddNoc, failed.Step);
        Assert.Equal("commissioning_failed", failed.ErrorCode);
        Assert.Equal("AddNOC failed: the device answered NOC status 5 (TableFull)", failed.Reason);
        Assert.Contains(lines, l => l.Text == "fail-safe disarmed: the device is commissionable again");
        Assert.Equal(1, device.Disarms);
        Assert.False(cases.HasMessages); // the flow asked for no CASE session before it stopped
    }

    [Theory]
    [InlineData(0xFFF2, 0x8000, "device attestation failed: UntrustedChain: VendorID mismatch: the device reports 0xFFF2 in Basic Information but its DAC carries 0xFFF1")]
    [InlineData(0xFFF1, 0x8001, "device attestation failed: UntrustedChain: ProductID mismatch: the device reports 0x8001 in Basic Information but its DAC carries 0x8000")]
    public async Task Reported_ids_the_dac_does_not_carry_fail_attestation_before_the_csr_and_disarm(int vendor, int product, string reason)
    {
        using var device = new FakeCommissionee { ReportedVendorId = (ushort)vendor, ReportedProductId = (ushort)product };

        var (lines, outcome) = await Run(device, Settings(device, CreateTestProbe()));

        var failed = Assert.IsType<FlowFailed>(outcome);
        Assert.Equal(FlowStep.Attestation, failed.Step);
        Assert.Equal("attestation_failed", failed.ErrorCode);
        Assert.Equal(reason, failed.Reason);
        Assert.Contains(lines, l => l.Text == "fail-safe disarmed: the device is commissionable again");
        Assert.Equal(1, device.Disarms);
        // Attestation was the last operational-credentials step: no CSR, no root, no NOC reached the device.
        Assert.Equal(["read", "0x30/0 60", "0x3E/2", "0x3E/2", "0x3E/0", "0x30/0 0"], device.Commands);
        await AssertNoNodes();
    }

    [Fact]
    public async Task A_device_that_does_not_report_its_ids_fails_attestation()
    {
        using var device = new FakeCommissionee { ReportedProductId = null };

        var (_, outcome) = await Run(device, Settings(device, CreateTestProbe()));

        var failed = Assert.IsType<FlowFailed>(outcome);
        Assert.Equal((FlowStep.Attestation, "attestation_failed"), (failed.Step, failed.ErrorCode));
        Assert.Contains("did not report its Basic Information VendorID and ProductID", failed.Reason);
        Assert.Equal(1, device.Disarms);
        Assert.DoesNotContain("0x3E/4", device.Commands);
    }

    [Fact]
    public async Task A_device_reporting_its_dacs_ids_passes_attestation_saying_they_match()
    {
        using var device = new FakeCommissionee();

        var (lines, outcome) = await Run(device, Settings(device, CreateTestProbe()) with { AdvertisedIds = (0xFFF1, 0x8000) });

        Assert.IsType<FlowSucceeded>(outcome);
        Assert.DoesNotContain(lines, l => l.Text.StartsWith("warning: the device advertised", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Step == FlowStep.Attestation &&
            l.Text == "attestation verified: vendor 0xFFF1, product 0x8000 (test device), matching the device's Basic Information and certification declaration");
    }

    [Fact]
    public async Task A_case_failure_fails_the_case_step_with_the_session_reason_and_disarms()
    {
        using var device = new FakeCommissionee();
        var cases = CreateTestProbe();
        var settings = Settings(device, cases, new SessionEstablishmentFailed(SessionFailureKind.AuthenticationFailed, "Sigma2 does not decrypt"));

        var (lines, outcome) = await Run(device, settings);

        var failed = Assert.IsType<FlowFailed>(outcome);
        Assert.Equal(FlowStep.Case, failed.Step);
        Assert.Equal("CASE failed: Sigma2 does not decrypt", failed.Reason);
        Assert.Contains(lines, l => l.Text == "fail-safe disarmed: the device is commissionable again");
        Assert.Equal(1, device.Disarms);
        var request = await cases.ExpectMsgAsync<CaseRequested>(Wait);
        Assert.Equal(Commissioning, request.Peer);
        await AssertNoNodes();
    }

    [Fact]
    public async Task A_failing_commissioning_complete_names_the_error_disarms_and_saves_no_node()
    {
        using var device = new FakeCommissionee { CompleteError = 3 };
        var cases = CreateTestProbe();

        var (lines, outcome) = await Run(device, Settings(device, cases));

        var failed = Assert.IsType<FlowFailed>(outcome);
        Assert.Equal(FlowStep.CommissioningComplete, failed.Step);
        Assert.Equal("CommissioningComplete failed: the device answered error code 3 (NoFailSafe)", failed.Reason);
        Assert.Contains(lines, l => l.Text == "fail-safe disarmed: the device is commissionable again");
        Assert.Equal(1, device.Disarms);
        await AssertNoNodes();
    }

    [Fact]
    public async Task Success_saves_the_node_reports_it_and_closes_both_sessions()
    {
        using var device = new FakeCommissionee();
        var cases = CreateTestProbe();

        var (lines, outcome) = await Run(device, Settings(device, cases) with { Label = "desk" });

        var node = Assert.IsType<FlowSucceeded>(outcome).Node;
        Assert.Equal((ushort)0xFFF1, node.VendorId);
        Assert.Equal((ushort)0x8000, node.ProductId);
        Assert.Equal("desk", node.Label);
        Assert.Equal("udp", node.Transport);
        Assert.Equal(new[] { $"udp {Commissioning}" }, node.Addresses);
        Assert.Equal(0, device.Disarms);
        Assert.Contains(lines, l => l.Step == FlowStep.CommissioningComplete && l.Text == $"node {node.NodeId} saved");
        _fabric!.Tell(new GetNode(node.NodeId));
        Assert.Equal(node, (await ExpectMsgAsync<NodeFound>(Wait)).Node);
    }

    [Fact]
    public async Task Without_a_resolver_answer_and_without_fallback_the_flow_fails_operational_discovery_and_disarms()
    {
        using var device = new FakeCommissionee();
        var cases = CreateTestProbe();
        var resolver = CreateTestProbe();
        var settings = Settings(device, cases) with { Resolver = resolver, FallBackToCommissioningAddress = false };

        var flow = Start(device, settings);
        var resolve = await resolver.ExpectMsgAsync<ResolveOperational>(Wait);
        resolver.Reply(new ResolveFailed("no answer to the mDNS query"));
        var (lines, outcome) = await Collect(flow);

        var failed = Assert.IsType<FlowFailed>(outcome);
        Assert.Equal(FlowStep.Case, failed.Step);
        Assert.Equal("operational_discovery_failed", failed.ErrorCode);
        Assert.Equal($"CASE failed: node {resolve.NodeId} was not found: no answer to the mDNS query", failed.Reason);
        Assert.Equal(1, device.Disarms);
        Assert.False(cases.HasMessages); // the flow asked for no CASE session before it stopped
    }

    [Fact]
    public async Task The_resolved_address_is_used_for_case_and_a_failed_resolution_falls_back_to_the_commissioning_address()
    {
        var operational = new IPEndPoint(IPAddress.Loopback, 5541);
        foreach (var found in new[] { true, false })
        {
            using var device = new FakeCommissionee();
            var cases = CreateTestProbe();
            var resolver = CreateTestProbe();
            var flow = Start(device, Settings(device, cases) with { Resolver = resolver });

            var resolve = await resolver.ExpectMsgAsync<ResolveOperational>(Wait);
            var asker = CreateTestProbe();
            _fabric!.Tell(GetControllerCredentials.Instance, asker);
            var credentials = await asker.ExpectMsgAsync<ControllerCredentials>(Wait);
            Assert.Equal(credentials.CompressedFabricId, resolve.CompressedFabricId);
            resolver.Reply(found ? new OperationalResolved(resolve.CompressedFabricId, resolve.NodeId, [operational]) : new ResolveFailed("nothing"));
            var (_, outcome) = await Collect(flow);

            var request = await cases.ExpectMsgAsync<CaseRequested>(Wait);
            Assert.Equal(found ? operational : Commissioning, request.Peer);
            Assert.Equal(resolve.NodeId, request.NodeId);
            var node = Assert.IsType<FlowSucceeded>(outcome).Node;
            Assert.Equal(found ? new[] { $"udp {operational}", $"udp {Commissioning}" } : new[] { $"udp {Commissioning}" }, node.Addresses);
        }
    }

    [Fact]
    public async Task Case_moves_past_an_operational_address_that_fails_and_fails_only_when_every_address_did()
    {
        var dead = new IPEndPoint(IPAddress.Loopback, 5542);
        var live = new IPEndPoint(IPAddress.Loopback, 5541);
        foreach (var addresses in new[] { new[] { dead, live }, new[] { dead, dead } })
        {
            using var device = new FakeCommissionee();
            var cases = CreateTestProbe();
            var resolver = CreateTestProbe();
            var settings = Settings(device, cases) with
            {
                Resolver = resolver,
                StepTimeout = TimeSpan.FromSeconds(8),
                CaseSession = (channel, owner, _, nodeId, options) =>
                {
                    var peer = ((UdpMatterChannel)channel).Peer;
                    cases.Ref.Tell(new CaseRequested(peer, nodeId, options.EstablishTimeout));
                    object outcome = peer.Equals(live) ? device.Ready(3) : new SessionEstablishmentFailed(null, $"udp {peer} did not acknowledge CASE");
                    return Props.Create(() => new ScriptedSession(owner, outcome, device.Answer));
                },
            };

            var flow = Start(device, settings);
            var resolve = await resolver.ExpectMsgAsync<ResolveOperational>(Wait);
            resolver.Reply(new OperationalResolved(resolve.CompressedFabricId, resolve.NodeId, addresses));
            var (lines, outcome) = await Collect(flow);

            // Each address gets half of the 8 s step for CASE, in the order announced.
            Assert.Equal(new CaseRequested(dead, resolve.NodeId, TimeSpan.FromSeconds(4)), await cases.ExpectMsgAsync<CaseRequested>(Wait));
            Assert.Equal(new CaseRequested(addresses[1], resolve.NodeId, TimeSpan.FromSeconds(4)), await cases.ExpectMsgAsync<CaseRequested>(Wait));
            Assert.Contains(lines, l => l.Text == $"node {resolve.NodeId} found at {addresses[0]}, {addresses[1]}");
            Assert.Contains(lines, l => l.Text == $"CASE at udp {dead} failed (udp {dead} did not acknowledge CASE); trying the next address");
            if (addresses[1].Equals(live))
            {
                Assert.Equal(new[] { $"udp {live}", $"udp {Commissioning}" }, Assert.IsType<FlowSucceeded>(outcome).Node.Addresses);
                Assert.Equal(0, device.Disarms);
            }
            else
            {
                var failed = Assert.IsType<FlowFailed>(outcome);
                Assert.Equal((FlowStep.Case, $"CASE failed: udp {dead} did not acknowledge CASE"), (failed.Step, failed.Reason));
                Assert.Equal(1, device.Disarms);
            }
        }
    }

    /// <summary>Both sessions scripted by <paramref name="device"/>; each CASE session asked for is reported to <paramref name="cases"/>.</summary>
    private static FlowSettings Settings(FakeCommissionee device, Akka.TestKit.TestProbe cases, object? caseOutcome = null) => new()
    {
        StepTimeout = Wait,
        PaseSession = (_, owner, _, _) => Props.Create(() => new ScriptedSession(owner, device.Ready(2), device.Answer)),
        CaseSession = (channel, owner, credentials, nodeId, _) =>
        {
            cases.Ref.Tell(new CaseRequested(((UdpMatterChannel)channel).Peer, nodeId));
            return Props.Create(() => new ScriptedSession(owner, caseOutcome ?? device.Ready(3), device.Answer));
        },
    };

    private IActorRef Start(FakeCommissionee device, FlowSettings settings)
    {
        _fabric ??= Sys.ActorOf(FabricActor.Props(new FabricStore(ServiceDatabase.Open(_directory))));
        var flow = Sys.ActorOf(CommissioningFlowActor.Props(new UdpMatterChannel(ActorRefs.Nobody, Commissioning), 20202021, _fabric, device.Trust, TestActor, settings));
        Watch(flow);
        return flow;
    }

    private Task<(List<FlowLine> Lines, object Outcome)> Run(FakeCommissionee device, FlowSettings settings) => Collect(Start(device, settings));

    private async Task<(List<FlowLine> Lines, object Outcome)> Collect(IActorRef flow)
    {
        var lines = new List<FlowLine>();
        object? outcome = null;
        while (true)
        {
            var message = await ExpectMsgAsync<object>(Wait);
            switch (message)
            {
                case FlowLine line:
                    lines.Add(line);
                    break;
                case FlowFailed or FlowSucceeded:
                    outcome = message;
                    break;
                case Terminated t when t.ActorRef.Equals(flow) && outcome is not null:
                    Assert.DoesNotContain("20202021", string.Join("\n", lines) + outcome);
                    return (lines, outcome);
                default:
                    Assert.Fail($"unexpected {message}; lines so far: {string.Join(" | ", lines)}");
                    break;
            }
        }
    }

    private async Task AssertNoNodes()
    {
        _fabric!.Tell(GetNodes.Instance);
        Assert.Empty((await ExpectMsgAsync<NodeList>(Wait)).Nodes);
    }

    private sealed record CaseRequested(IPEndPoint Peer, ulong NodeId, TimeSpan? Timeout = null);

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
