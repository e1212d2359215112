using System.Runtime.CompilerServices;
using System.Runtime.Versioning;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using CommissioningActors.Core.Jobs;
using CommissioningActors.Core.Matter.Fabric;
using CommissioningActors.Core.Storage;
using Xunit;

namespace CommissioningActors.Core.Tests.Matter;

/// <summary>
/// With the shipped HOCON, the fabric answers a node-id request while the job history has a backlog of writes
/// on the same store thread: a commissioning holding a proxy slot waits for one write at most, not the backlog
/// (the storm benchmark found flows waiting seconds behind history writes).
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class StoreDispatcherTests() : TestKit(ShippedHocon.Load("commissioning.hocon")), IDisposable
{
    private const int Backlog = 300;
    private static readonly TimeSpan WriteTime = TimeSpan.FromMilliseconds(50);

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "ca-dispatch-" + Guid.NewGuid().ToString("N"));

    /// <summary>Stands in for the history actor: each message is a slow synchronous write on the store thread.</summary>
    private sealed class SlowWriter : ReceiveActor
    {
        public SlowWriter(StrongBox<int> written) => ReceiveAny(_ =>
        {
            Thread.Sleep(WriteTime);
            Interlocked.Increment(ref written.Value);
        });
    }

    [Fact]
    public async Task The_fabric_allocates_a_node_id_between_two_history_writes_not_after_the_backlog()
    {
        var written = new StrongBox<int>();
        var history = Sys.ActorOf(Props.Create(() => new SlowWriter(written)).WithDispatcher(JobHistoryActor.Dispatcher));
        var fabric = Sys.ActorOf(FabricActor.Props(new FabricStore(ServiceDatabase.Open(_directory))));
        Assert.Equal(1ul, (await fabric.Ask<NodeIdAllocated>(AllocateNodeId.Instance, TimeSpan.FromSeconds(10))).NodeId);
        for (var i = 0; i < Backlog; i++)
        {
            history.Tell(i);
        }

        AwaitCondition(() => Volatile.Read(ref written.Value) > 0, TimeSpan.FromSeconds(10));
        fabric.Tell(AllocateNodeId.Instance, TestActor);

        // The backlog takes 15 s; the answer must come while nearly all of it is still queued (throughput 100: after 100).
        Assert.Equal(2ul, ExpectMsg<NodeIdAllocated>(TimeSpan.FromSeconds(10)).NodeId);
        var writtenBefore = Volatile.Read(ref written.Value);
        Assert.True(writtenBefore < Backlog / 4, $"{writtenBefore} of {Backlog} history writes went first");
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
