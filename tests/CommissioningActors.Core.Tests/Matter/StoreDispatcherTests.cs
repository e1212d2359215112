using System.Runtime.Versioning;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using CommissioningActors.Core.Jobs;
using CommissioningActors.Core.Matter.Fabric;
using CommissioningActors.Core.Storage;
using Xunit;

namespace CommissioningActors.Core.Tests.Matter;

/// <summary>
/// With the shipped HOCON, the fabric answers a node-id request while the job history's thread is busy: a
/// commissioning holding a proxy slot never waits behind history writes (the storm benchmark found it did).
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class StoreDispatcherTests() : TestKit(ShippedHocon.Load("commissioning.hocon")), IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "ca-dispatch-" + Guid.NewGuid().ToString("N"));

    /// <summary>Holds whatever thread runs it until released: stands in for a slow history write.</summary>
    private sealed class Blocker : ReceiveActor
    {
        public Blocker(ManualResetEventSlim release) =>
            ReceiveAny(_ =>
            {
                Sender.Tell("blocking");
                release.Wait(TimeSpan.FromSeconds(30));
            });
    }

    [Fact]
    public async Task The_fabric_allocates_a_node_id_while_the_history_thread_is_stuck_in_a_write()
    {
        using var release = new ManualResetEventSlim();
        var blocker = Sys.ActorOf(Props.Create(() => new Blocker(release)).WithDispatcher(JobHistoryActor.Dispatcher));
        var fabric = Sys.ActorOf(FabricActor.Props(new FabricStore(ServiceDatabase.Open(_directory))));
        Assert.Equal("blocking", await blocker.Ask<string>("write", TimeSpan.FromSeconds(10)));

        try
        {
            var allocated = await fabric.Ask<NodeIdAllocated>(AllocateNodeId.Instance, TimeSpan.FromSeconds(10));
            Assert.Equal(1ul, allocated.NodeId);
        }
        finally
        {
            release.Set();
        }
    }

    void IDisposable.Dispose()
    {
        Shutdown();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
