using System.Net;
using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using CommissioningActors.Core.Commissioning;
using CommissioningActors.Core.Matter.Commissioning;
using CommissioningActors.Core.Matter.Fabric;
using CommissioningActors.Core.Matter.Network;
using CommissioningActors.Core.Matter.Resolution;
using CommissioningActors.Core.Matter.Sessions;
using CommissioningActors.Core.Matter.Transport;
using CommissioningActors.Core.Storage;
using CommissioningActors.Protocol.Matter;
using CommissioningActors.Protocol.Matter.Certificates;

namespace CommissioningActors.Core.Tests.Matter;

/// <summary>One on-network attempt with probes for the transport, fabric and resolver.</summary>
public sealed class NetworkAttemptActorTests : TestKit, IDisposable
{
    private static readonly IPEndPoint Device = new(IPAddress.Loopback, 5599);
    private readonly PaaTrustStore _trust = PaaTrustStore.FromCertificates([], isDevelopment: true);
    private readonly TestProbe _transport;
    private readonly TestProbe _fabric;
    private readonly TestProbe _resolver;
    private readonly TestProbe _job;

    public NetworkAttemptActorTests()
    {
        _transport = CreateTestProbe();
        _fabric = CreateTestProbe();
        _resolver = CreateTestProbe();
        _job = CreateTestProbe();
    }

    public new void Dispose()
    {
        _trust.Dispose();
        base.Dispose();
    }

    private IActorRef Start(NetworkTarget target, TimeSpan? timeout = null, string? label = null, bool shortDiscriminator = false,
        FlowSettings? flow = null, PaaTrustStore? trust = null)
    {
        var request = new CommissionRequest("a1", new SetupPayload(20202021, shortDiscriminator ? (ushort)15 : (ushort)3840, shortDiscriminator),
            Timeout: timeout, Label: label, Network: target);
        var services = new MatterServices(_transport.Ref, _fabric.Ref, trust ?? _trust, _resolver.Ref, null, flow ?? new FlowSettings());
        return Watch(Sys.ActorOf(NetworkAttemptActor.Props(request, services, _job.Ref, MatterSettings.Default)));
    }

    [Fact]
    public void Without_an_address_the_resolver_finds_the_device_and_the_flow_opens_its_session_at_that_address()
    {
        var attempt = Start(new NetworkTarget(null));
        var resolve = _resolver.ExpectMsg<ResolveCommissionable>();
        Assert.Equal((ushort?)3840, resolve.LongDiscriminator);
        Assert.Null(resolve.ShortDiscriminator);
        Assert.True(resolve.Timeout <= MatterSettings.Default.ResolveTimeout);
        _resolver.Reply(new CommissionableResolved("ABCD1234", 3840, 0xFFF1, 0x8000, [Device]));

        // PASE starts unsecured (session 0) towards the resolved address.
        var register = _transport.FishForMessage<RegisterSession>(_ => true);
        Assert.Equal(Device, register.Peer);
        Assert.Equal((ushort)0, register.SessionId);
        Assert.Equal(Device, _transport.FishForMessage<SendDatagram>(_ => true).Peer);
        Assert.Contains("found ABCD1234", _job.FishForMessage<AttemptOutput>(o => o.Line.StartsWith("found", StringComparison.Ordinal)).Line);

        attempt.Tell(new CancelAttempt("cancelled by a client"));
        _job.FishForMessage<AttemptCancelled>(_ => true);
        ExpectTerminated(attempt);
    }

    [Fact]
    public void A_short_discriminator_is_resolved_as_one_and_filter_none_matches_any_device()
    {
        Start(new NetworkTarget(null), shortDiscriminator: true);
        var resolve = _resolver.ExpectMsg<ResolveCommissionable>();
        Assert.Equal(((ushort?)null, (byte?)15), (resolve.LongDiscriminator, resolve.ShortDiscriminator));

        Start(new NetworkTarget(null, MatchDiscriminator: false));
        var any = _resolver.ExpectMsg<ResolveCommissionable>();
        Assert.Equal(((ushort?)null, (byte?)null), (any.LongDiscriminator, any.ShortDiscriminator));
    }

    [Fact]
    public void A_failed_resolve_fails_the_attempt_with_device_not_found()
    {
        var attempt = Start(new NetworkTarget(null));
        _resolver.ExpectMsg<ResolveCommissionable>();
        _resolver.Reply(new ResolveFailed("nothing answered within 30 s"));
        var failed = _job.FishForMessage<AttemptFailed>(_ => true);
        Assert.Equal("device_not_found", failed.ErrorCode);
        Assert.Contains("nothing answered", failed.Message);
        ExpectTerminated(attempt);
    }

    [Fact]
    public void A_device_that_never_answers_fails_the_attempt_with_timeout_at_its_deadline()
    {
        var attempt = Start(new NetworkTarget(Device), timeout: TimeSpan.FromMilliseconds(300));
        _transport.FishForMessage<SendDatagram>(_ => true);
        var failed = _job.FishForMessage<AttemptFailed>(_ => true, TimeSpan.FromSeconds(5));
        Assert.Equal("timeout", failed.ErrorCode);
        Assert.EndsWith("; stopped at PASE", failed.Message);
        ExpectTerminated(attempt);
        Assert.Empty(_resolver.Queued());
    }

    [Fact]
    public void The_flow_s_verdicts_become_the_job_s_outcome_and_a_label_is_given_to_the_new_node()
    {
        var attempt = Start(new NetworkTarget(Device), label: "porch");
        attempt.Tell(new FlowLine(FlowStep.Pase, "PASE session established"));
        var node = new NodeRecord(4, 0xFFF1, 0x8000, null, "udp", [Device.ToString()], DateTimeOffset.UtcNow, null);
        attempt.Tell(new FlowSucceeded(node));

        Assert.Equal("PASE session established", _job.FishForMessage<AttemptOutput>(o => o.Line.StartsWith("PASE", StringComparison.Ordinal)).Line);
        var done = _job.FishForMessage<NodeCommissioned>(_ => true);
        Assert.Equal(new NodeCommissioned("a1", 4, 0xFFF1, 0x8000, "udp", Device.ToString()), done);
        Assert.Equal(new LabelNode(4, "porch"), _fabric.FishForMessage<LabelNode>(_ => true));
        ExpectTerminated(attempt);

        var failing = Start(new NetworkTarget(Device));
        failing.Tell(new FlowFailed(FlowStep.Pase, "pase_failed", "PASE failed: the device rejected the passcode"));
        var failed = _job.FishForMessage<AttemptFailed>(_ => true);
        Assert.Equal(("pase_failed", "PASE failed: the device rejected the passcode"), (failed.ErrorCode, failed.Message));
        ExpectTerminated(failing);
    }

    [Fact]
    public void A_cancel_after_the_fail_safe_is_armed_disarms_it_before_the_job_hears_cancelled()
    {
        using var device = new FakeCommissionee();
        var attempt = Start(new NetworkTarget(Device), flow: Scripted(device, _ => true), trust: device.Trust);

        // The flow has armed the fail-safe and verified the CSR; it now waits for a node id from the fabric.
        _fabric.ExpectMsg<AllocateNodeId>(Wait);
        Assert.Equal(0, device.Disarms);
        attempt.Tell(new CancelAttempt("cancelled by a client"));

        var (lines, outcome) = CollectJob();
        Assert.Equal(new AttemptCancelled("a1", "cancelled by a client"), outcome);
        Assert.Equal(1, device.Disarms);
        Assert.Contains("fail-safe armed for 60 s", lines);
        Assert.Contains("stopping at CSRRequest: cancelled by a client", lines);
        Assert.Equal("fail-safe disarmed: the device is commissionable again", lines[^2]);
        ExpectTerminated(attempt);
    }

    [Fact]
    public void The_deadline_after_the_fail_safe_is_armed_disarms_it_and_names_the_step()
    {
        using var device = new FakeCommissionee();
        var attempt = Start(new NetworkTarget(Device), timeout: TimeSpan.FromSeconds(6), flow: Scripted(device, _ => true), trust: device.Trust);
        _fabric.ExpectMsg<AllocateNodeId>(Wait); // never answered: the attempt's deadline ends it

        var (lines, outcome) = CollectJob();
        var failed = Assert.IsType<AttemptFailed>(outcome);
        Assert.Equal("timeout", failed.ErrorCode);
        Assert.Equal("commissioning did not finish within 6 s; stopped at CSRRequest", failed.Message);
        Assert.Contains("fail-safe disarmed: the device is commissionable again", lines);
        Assert.Equal(1, device.Disarms);
        ExpectTerminated(attempt);
    }

    [Fact]
    public void A_cancel_whose_disarm_gets_no_answer_reports_within_the_disarm_timeout_and_says_the_fail_safe_expires()
    {
        using var device = new FakeCommissionee();
        var disarm = FlowPayloads.ArmFailSafe(0);
        var flow = Scripted(device, _ => true) with
        {
            DisarmTimeout = TimeSpan.FromMilliseconds(500),
            // The device answers every step but the disarm (a reply the flow does not wait for stands in for silence).
            PaseSession = (_, owner, _, _) =>
            {
                Func<SendRequest, object> answer = r => r.Payload.AsSpan().SequenceEqual(disarm) ? new Unanswered() : device.Answer(r);
                return Props.Create(() => new ScriptedSession(owner, device.Ready(2), answer));
            },
        };
        var attempt = Start(new NetworkTarget(Device), flow: flow, trust: device.Trust);
        _fabric.ExpectMsg<AllocateNodeId>(Wait);

        attempt.Tell(new CancelAttempt("cancelled by a client"));
        var (lines, outcome) = CollectJob();

        Assert.IsType<AttemptCancelled>(outcome);
        Assert.Equal("the fail-safe will expire on the device within 60 s", lines[^2]);
        Assert.DoesNotContain("fail-safe disarmed: the device is commissionable again", lines);
        ExpectTerminated(attempt);
    }

    private sealed record Unanswered;

    [Fact]
    public void A_dead_first_address_is_passed_over_for_the_next_one_within_a_share_of_the_step_timeout()
    {
        using var device = new FakeCommissionee();
        var dead = new IPEndPoint(IPAddress.Loopback, 5601);
        var sessions = CreateTestProbe();
        var attempt = Start(new NetworkTarget(null), flow: Scripted(device, peer => !peer.Equals(dead), sessions), trust: device.Trust);
        _resolver.ExpectMsg<ResolveCommissionable>();
        _resolver.Reply(new CommissionableResolved("ABCD1234", 3840, 0xFFF1, 0x8000, [dead, Device]));

        // Each address gets half of the 10 s step timeout for PASE; the live one then runs the flow.
        Assert.Equal(new PaseRequested(dead, TimeSpan.FromSeconds(5)), sessions.ExpectMsg<PaseRequested>(Wait));
        Assert.Equal(new PaseRequested(Device, TimeSpan.FromSeconds(5)), sessions.ExpectMsg<PaseRequested>(Wait));
        _fabric.ExpectMsg<AllocateNodeId>(Wait);
        attempt.Tell(new CancelAttempt("enough"));

        var (lines, _) = CollectJob();
        Assert.Equal(
            [
                $"found ABCD1234 (discriminator 3840) at {dead}, {Device}",
                $"trying {dead} (1 of 2)",
                $"no PASE answer at {dead}; trying the next address",
                $"trying {Device} (2 of 2)",
                "PASE session established",
            ],
            lines.Where(l => l.StartsWith("found", StringComparison.Ordinal) || l.StartsWith("trying", StringComparison.Ordinal)
                || l.StartsWith("no PASE", StringComparison.Ordinal) || l.StartsWith("PASE", StringComparison.Ordinal)));
        ExpectTerminated(attempt);
    }

    [Fact]
    public void A_rejected_passcode_at_the_first_address_is_not_tried_at_the_next()
    {
        using var device = new FakeCommissionee();
        var other = new IPEndPoint(IPAddress.Loopback, 5602);
        var flow = new FlowSettings
        {
            StepTimeout = Wait,
            PaseSession = (_, owner, _, _) => Props.Create(() => new ScriptedSession(owner,
                new SessionEstablishmentFailed(Protocol.Matter.SecureChannel.SessionFailureKind.WrongPasscode, "Pake2 verification failed"), device.Answer)),
        };
        var attempt = Start(new NetworkTarget(null), flow: flow, trust: device.Trust);
        _resolver.ExpectMsg<ResolveCommissionable>();
        _resolver.Reply(new CommissionableResolved("ABCD1234", 3840, 0xFFF1, 0x8000, [Device, other]));

        var (lines, outcome) = CollectJob();
        Assert.Equal("pase_failed", Assert.IsType<AttemptFailed>(outcome).ErrorCode);
        Assert.DoesNotContain(lines, l => l.Contains("next address", StringComparison.Ordinal) || l.StartsWith($"trying {other}", StringComparison.Ordinal));
        ExpectTerminated(attempt);
    }

    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private sealed record PaseRequested(IPEndPoint Peer, TimeSpan Timeout);

    /// <summary>PASE sessions scripted by <paramref name="device"/> at addresses where <paramref name="answers"/>; elsewhere PASE finds nobody.</summary>
    private static FlowSettings Scripted(FakeCommissionee device, Func<IPEndPoint, bool> answers, TestProbe? sessions = null) => new()
    {
        StepTimeout = Wait,
        PaseSession = (channel, owner, _, options) =>
        {
            var peer = ((UdpMatterChannel)channel).Peer;
            sessions?.Ref.Tell(new PaseRequested(peer, options.EstablishTimeout));
            object established = answers(peer) ? device.Ready(2) : new SessionEstablishmentFailed(null, $"PASE with udp {peer} was not acknowledged");
            return Props.Create(() => new ScriptedSession(owner, established, device.Answer));
        },
    };

    /// <summary>The job's output lines up to the attempt's outcome, and the outcome.</summary>
    private (List<string> Lines, AttemptOutcome Outcome) CollectJob()
    {
        var lines = new List<string>();
        while (true)
        {
            switch (_job.ExpectMsg<object>(Wait))
            {
                case AttemptOutput output:
                    lines.Add(output.Line);
                    break;
                case AttemptOutcome outcome:
                    return (lines, outcome);
            }
        }
    }
}
