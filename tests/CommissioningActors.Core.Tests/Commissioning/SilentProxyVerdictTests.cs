using System.Text;
using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using CommissioningActors.Core.Commissioning;
using CommissioningActors.Core.Connections;
using CommissioningActors.Core.Discovery;
using CommissioningActors.Core.Gate;
using CommissioningActors.Core.Proxies;
using CommissioningActors.Core.Sockets;
using CommissioningActors.Protocol.BleProxy;
using CommissioningActors.Protocol.Matter;

namespace CommissioningActors.Core.Tests.Commissioning;

/// <summary>
/// Two candidates on a 1-slot proxy that never answers `connect`, with the default timeouts, in virtual time:
/// the real session and gate, the real attempt and connections. The queued candidate must still be tried,
/// and the verdict must be the proxy's silence, every run.
/// </summary>
public sealed class SilentProxyVerdictTests() : TestKit("""akka.scheduler.implementation = "Akka.TestKit.TestScheduler, Akka.TestKit" """)
{
    private static readonly SetupPayload Payload = new(20202021, 3840, false, 0xFFF1, 0x8001, RendezvousInformation: RendezvousFlags.Ble);
    private static readonly MatterAdvertisement Advertisement = new(3840, 0, 0xFFF1, 0x8001, HasAdditionalData: false);

    private TestScheduler Scheduler => (TestScheduler)Sys.Scheduler;

    [Fact]
    public async Task The_queued_candidate_is_tried_and_the_verdict_is_the_unanswered_connect()
    {
        var outbound = CreateTestProbe("outbound");
        var manager = CreateTestProbe("manager");
        manager.IgnoreMessages<GateState>();
        var session = manager.ChildActorOf(ProxySessionActor.Props("proxy-1", "silent", outbound.Ref, CreateTestProbe().Ref,
            ProxySettings.Default with { ScanOnConnect = false }, GateSettings.Default));
        session.Tell(new SocketTextReceived(Encoding.UTF8.GetBytes("""{"type":"hello","version":1}""")));
        outbound.ExpectMsg<SendText>();
        var gate = manager.ExpectMsg<ProxySessionReady>().Gate;

        var registry = CreateTestProbe("registry");
        var proxies = CreateTestProbe("proxies");
        var report = CreateTestProbe("report");
        var supervisor = CreateTestProbe("supervisor");
        var attemptSettings = AttemptSettings.Default with
        {
            CandidateSettle = TimeSpan.FromMilliseconds(100),
            Policy = ConnectPolicy.AllAtOnce,
        };
        supervisor.ChildActorOf(CommissioningAttemptActor.Props(new CommissionRequest("job-1", Payload), registry.Ref, proxies.Ref,
            report.Ref, attemptSettings, ConnectionSettings.Default));
        registry.ExpectMsg<WatchDevice>();
        registry.Reply(new MatchingDevices(
        [
            new Sighting("C0:FF:EE:00:00:01", "proxy-1", session, -50, null, true, Advertisement, DateTimeOffset.UtcNow),
            new Sighting("C0:FF:EE:00:00:02", "proxy-1", session, -60, null, true, Advertisement, DateTimeOffset.UtcNow),
        ]));

        // The settle timer is started when the attempt handles the sightings: step until it has fired.
        AwaitAssert(() =>
        {
            Scheduler.Advance(TimeSpan.FromMilliseconds(100));
            proxies.ExpectMsg<GetProxies>(TimeSpan.FromMilliseconds(50));
        });
        proxies.Reply(new ProxyList([new ProxyInfo("proxy-1", "silent", "127.0.0.1", true, session, gate)]));

        // One candidate holds the slot with a connect the proxy never answers; the other waits in the gate.
        ExpectConnect(outbound);
        await AwaitAssertAsync(async () => Assert.Equal(1, (await gate.Ask<GateState>(GetGateState.Instance)).Queued));

        // The connect times out (15 s + 5 s margin): its slot goes to the waiter, which connects in turn.
        Scheduler.Advance(TimeoutBudget.ConnectHold(ConnectionSettings.Default, ProxySettings.Default));
        ExpectConnect(outbound);
        Scheduler.Advance(TimeoutBudget.ConnectHold(ConnectionSettings.Default, ProxySettings.Default));

        var verdict = report.FishForMessage<AttemptFailed>(_ => true);
        Assert.Equal(BleErrorCodes.Timeout, verdict.ErrorCode);
        Assert.Contains("2 of 2", verdict.Message, StringComparison.Ordinal);
        Assert.Contains("did not answer 'connect'", verdict.Message, StringComparison.Ordinal);
    }

    private static void ExpectConnect(TestProbe outbound)
    {
        var sent = outbound.ExpectMsg<SendText>();
        var frame = Assert.IsType<CommandFrame>(BleProxyCodec.ParseServerMessage(sent.Text).Value);
        Assert.IsType<Connect>(frame.Command);
    }
}
