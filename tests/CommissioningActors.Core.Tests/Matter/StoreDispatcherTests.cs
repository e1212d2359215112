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

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "ca-dispatch-" + Guid.NewGuid().ToString("N"));
    private readonly SemaphoreSlim _writes = new(0);

    /// <summary>Stands in for the history actor: each message is a synchronous write that ends when the test lets it.</summary>
    private sealed class GatedWriter : ReceiveActor
    {
        public GatedWriter(SemaphoreSlim writes) => ReceiveAny(_ => writes.Wait(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task The_fabric_allocates_a_node_id_between_two_history_writes_not_after_the_backlog()
    {
        var history = Sys.ActorOf(Props.Create(() => new GatedWriter(_writes)).WithDispatcher(JobHistoryActor.Dispatcher));
        var fabric = Sys.ActorOf(FabricActor.Props(new FabricStore(ServiceDatabase.Open(_directory))));
        Assert.Equal(1ul, (await fabric.Ask<NodeIdAllocated>(AllocateNodeId.Instance, TimeSpan.FromSeconds(10))).NodeId);
        for (var i = 0; i < Backlog; i++)
        {
            history.Tell(i);
        }

        fabric.Tell(AllocateNodeId.Instance, TestActor);

        // Let the history writes finish one at a time until the fabric has answered: by message count alone it needs 100.
        var released = 0;
        object? answer = null;
        while (answer is null && released < Backlog)
        {
            _writes.Release();
            released++;
            answer = ReceiveOne(TimeSpan.FromMilliseconds(200));
        }

        Assert.Equal(2ul, Assert.IsType<NodeIdAllocated>(answer).NodeId);
        Assert.True(released < 10, $"{released} history writes went first");
    }

    void IDisposable.Dispose()
    {
        _writes.Release(Backlog);
        Shutdown();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
