using System.Net;
using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using CommissioningActors.Core.Commissioning;
using CommissioningActors.Core.Matter.Commissioning;
using CommissioningActors.Core.Matter.Fabric;
using CommissioningActors.Core.Matter.Network;
using CommissioningActors.Core.Matter.Resolution;
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

    private IActorRef Start(NetworkTarget target, TimeSpan? timeout = null, string? label = null, bool shortDiscriminator = false)
    {
        var request = new CommissionRequest("a1", new SetupPayload(20202021, shortDiscriminator ? (ushort)15 : (ushort)3840, shortDiscriminator),
            Timeout: timeout, Label: label, Network: target);
        var services = new MatterServices(_transport.Ref, _fabric.Ref, _trust, _resolver.Ref, null, new FlowSettings());
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
        Assert.Contains("fail-safe", failed.Message);
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
}
