using System.Diagnostics;
using Akka.Actor;
using CommissioningActors.Core.Commissioning;
using CommissioningActors.Core.Matter.Commissioning;
using CommissioningActors.Core.Matter.Fabric;
using CommissioningActors.Core.Matter.Network;
using CommissioningActors.Core.Matter.Transport;
using CommissioningActors.Core.Storage;
using CommissioningActors.Protocol.Matter;
using CommissioningActors.Protocol.Matter.Certificates;
using Microsoft.Data.Sqlite;

namespace CommissioningActors.Host.Tests.Interop.Sessions;

/// <summary>
/// Cancelling an on-network attempt after the fail-safe is armed, against a real matter.js device: the flow
/// disarms it (ArmFailSafe 0) before the attempt reports, so the device drops its fail-safe at once and
/// commissions again long before its own 300 s timer would have expired.
/// </summary>
public sealed class NetworkAttemptCancelInteropTests() : Akka.TestKit.Xunit2.TestKit(StoreDispatcher), IDisposable
{
    private const string StoreDispatcher = """
        commissioning.store-dispatcher {
          type = ForkJoinDispatcher
          throughput = 100
          dedicated-thread-pool { thread-count = 1 }
        }
        """;

    private static readonly TimeSpan Step = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Verdict = TimeSpan.FromSeconds(90);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "ca-cancel-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task A_cancel_after_the_fail_safe_is_armed_disarms_it_and_the_device_commissions_again_at_once()
    {
        const uint passcode = 20202061;
        const int failSafeSeconds = 300;
        await using var device = await MatterJsDevice.StartAsync(new MatterJsDeviceOptions
        {
            Passcode = passcode,
            Discriminator = 161,
            FailSafeSeconds = failSafeSeconds,
        });
        using var trust = PaaTrustStore.Load();
        var transport = Sys.ActorOf(UdpTransportActor.Props());
        var request = new CommissionRequest("cancel-1", new SetupPayload(passcode, 161, false), Network: new NetworkTarget(device.EndPoint));

        // The first attempt's fabric registry never answers: the flow holds at CSRRequest, with the fail-safe armed.
        var silentFabric = CreateTestProbe();
        var job = CreateTestProbe();
        var armed = device.EventCursor;
        var first = Sys.ActorOf(NetworkAttemptActor.Props(request, new MatterServices(transport, silentFabric, trust, null, null, new FlowSettings()),
            job, MatterSettings.Default));
        Watch(first);
        await silentFabric.ExpectMsgAsync<AllocateNodeId>(Step);
        await device.WaitForEventAsync("breadcrumb", armed, Step, e => e.GetProperty("value").GetInt32() == 1);

        var cancelled = device.EventCursor;
        var clock = Stopwatch.StartNew();
        first.Tell(new CancelAttempt("cancelled by a client"));
        var (lines, outcome) = await CollectAsync(job);

        Assert.Equal(new AttemptCancelled("cancel-1", "cancelled by a client"), outcome);
        Assert.Contains($"fail-safe armed for {failSafeSeconds} s", lines);
        Assert.Contains("fail-safe disarmed: the device is commissionable again", lines);
        await ExpectTerminatedAsync(first, Step);

        // The device itself dropped the fail-safe (breadcrumb back to 0) and holds no fabric.
        await device.WaitForEventAsync("breadcrumb", cancelled, Step, e => e.GetProperty("value").GetInt32() == 0);
        Assert.Empty(await device.GetFabricsAsync());

        // A second attempt commissions the same device now, far inside the first fail-safe's expiry. (Without the
        // disarm the device stays armed for the first commissioner and this attempt fails.)
        var fabric = Sys.ActorOf(FabricActor.Props(new FabricStore(ServiceDatabase.Open(_directory))));
        var second = Sys.ActorOf(NetworkAttemptActor.Props(request with { AttemptId = "cancel-2" },
            new MatterServices(transport, fabric, trust, null, null, new FlowSettings()), job, MatterSettings.Default));
        Watch(second);
        (lines, outcome) = await CollectAsync(job);
        var elapsed = clock.Elapsed;
        var commissioned = Assert.IsType<NodeCommissioned>(outcome);
        await ExpectTerminatedAsync(second, Step);
        Assert.True(elapsed < TimeSpan.FromSeconds(failSafeSeconds / 2), $"the second commission ended {elapsed.TotalSeconds:0.0} s after the cancel");
        Assert.Equal(commissioned.NodeId.ToString(), Assert.Single(await device.GetFabricsAsync()).NodeId);
    }

    /// <summary>The attempt's output lines up to its outcome, and the outcome.</summary>
    private static async Task<(List<string> Lines, AttemptOutcome Outcome)> CollectAsync(Akka.TestKit.TestProbe job)
    {
        var lines = new List<string>();
        while (true)
        {
            switch (await job.ExpectMsgAsync<object>(Verdict))
            {
                case AttemptOutput output:
                    lines.Add(output.Line);
                    break;
                case AttemptOutcome outcome:
                    return (lines, outcome);
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
