using System.Runtime.Versioning;
using System.Security.Cryptography;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using CommissioningActors.Core.Matter.Fabric;
using CommissioningActors.Core.Storage;
using CommissioningActors.Protocol.Matter.Certificates;
using CommissioningActors.Protocol.Matter.Crypto;
using Microsoft.Data.Sqlite;
using Xunit;

namespace CommissioningActors.Core.Tests.Matter;

[UnsupportedOSPlatform("windows")]
public sealed class FabricActorTests() : TestKit(StoreDispatcher), IDisposable
{
    private const string StoreDispatcher = """
        commissioning.store-dispatcher {
          type = ForkJoinDispatcher
          throughput = 100
          dedicated-thread-pool { thread-count = 1 }
        }
        """;

    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "ca-fabric-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task The_first_start_creates_the_fabric_and_it_is_in_the_store_before_anyone_is_answered()
    {
        var store = Store();
        var fabric = Sys.ActorOf(FabricActor.Props(store));

        var info = await fabric.Ask<FabricInfo>(GetFabric.Instance);

        var stored = store.LoadFabric();
        Assert.NotNull(stored);
        Assert.Equal(info.FabricId, stored.FabricId);
        Assert.Equal(info.ControllerNodeId, stored.ControllerNodeId);
        Assert.Equal(info.RootCertificate.ToDer(), stored.RootCertificate);
        Assert.Equal(16, info.Ipk.Length);
        Assert.DoesNotContain("Key", info.ToString());
    }

    [Fact]
    public async Task A_restart_keeps_the_fabric_node_ids_and_nodes()
    {
        var first = Sys.ActorOf(FabricActor.Props(Store()));
        var info = await first.Ask<FabricInfo>(GetFabric.Instance);
        Assert.Equal(1UL, (await first.Ask<NodeIdAllocated>(AllocateNodeId.Instance)).NodeId);
        Assert.Equal(2UL, (await first.Ask<NodeIdAllocated>(AllocateNodeId.Instance)).NodeId);
        await first.Ask<NodeSaved>(new AddNode(Node(1)));
        await StopAsync(first);

        var second = Sys.ActorOf(FabricActor.Props(Store()));
        var again = await second.Ask<FabricInfo>(GetFabric.Instance);

        Assert.Equal(info.FabricId, again.FabricId);
        Assert.Equal(info.RootCertificate.ToDer(), again.RootCertificate.ToDer());
        Assert.Equal(3UL, (await second.Ask<NodeIdAllocated>(AllocateNodeId.Instance)).NodeId);
        var node = Assert.Single((await second.Ask<NodeList>(GetNodes.Instance)).Nodes);
        Assert.Equal(Node(1) with { Addresses = [] }, node with { Addresses = [] });
        Assert.Equal(Node(1).Addresses, node.Addresses);
    }

    [Fact]
    public async Task The_controller_credentials_match_the_fabric_survive_a_restart_and_never_print_a_key()
    {
        var first = Sys.ActorOf(FabricActor.Props(Store()));
        var info = await first.Ask<FabricInfo>(GetFabric.Instance);
        var credentials = await first.Ask<ControllerCredentials>(GetControllerCredentials.Instance);

        Assert.Equal(info.FabricId, credentials.FabricId);
        Assert.Equal(info.ControllerNodeId, credentials.ControllerNodeId);
        Assert.Equal(info.Ipk, credentials.IpkEpochKey);
        Assert.Equal(info.RootCertificate.ToDer(), credentials.RootCertificate.ToDer());
        Assert.Equal(credentials.ControllerNodeId, credentials.Noc.SubjectId(DnAttributeType.MatterNodeId));
        Assert.True(credentials.Noc.IsSignedBy(credentials.RootCertificate.PublicKey));
        using (var key = ECDsa.Create())
        {
            key.ImportPkcs8PrivateKey(credentials.ControllerKeyPkcs8, out _);
            Assert.Equal(credentials.Noc.PublicKey, EcdsaP256.PublicKeyOf(key));
        }

        Assert.DoesNotContain(Convert.ToHexString(credentials.IpkEpochKey), credentials.ToString());
        Assert.DoesNotContain("Key", credentials.ToString());
        await StopAsync(first);

        var again = await Sys.ActorOf(FabricActor.Props(Store())).Ask<ControllerCredentials>(GetControllerCredentials.Instance);
        Assert.Equal(credentials.Noc.ToDer(), again.Noc.ToDer());
        Assert.Equal(credentials.ControllerKeyPkcs8, again.ControllerKeyPkcs8);
        Assert.Equal(credentials.IpkEpochKey, again.IpkEpochKey);
        Assert.Equal(credentials.CompressedFabricId, again.CompressedFabricId);
    }

    [Fact]
    public async Task Node_changes_are_published_on_the_event_stream()
    {
        var fabric = Sys.ActorOf(FabricActor.Props(Store()));
        var events = CreateTestProbe();
        Sys.EventStream.Subscribe(events.Ref, typeof(NodeAdded));
        Sys.EventStream.Subscribe(events.Ref, typeof(NodeUpdated));
        Sys.EventStream.Subscribe(events.Ref, typeof(NodeRemoved));

        await fabric.Ask<NodeSaved>(new AddNode(Node(5)));
        Assert.Equal(5UL, (await events.ExpectMsgAsync<NodeAdded>()).Node.NodeId);

        fabric.Tell(new NodeSeen(5, T0.AddMinutes(1), "udp 127.0.0.1:5541"));
        var updated = await events.ExpectMsgAsync<NodeUpdated>();
        Assert.Equal(T0.AddMinutes(1), updated.Node.LastSeen);
        Assert.Equal(["udp 127.0.0.1:5541", "udp 127.0.0.1:5540"], updated.Node.Addresses);

        Assert.Equal(new NodeRemovedReply(5), await fabric.Ask<object>(new RemoveNode(5)));
        Assert.Equal(5UL, (await events.ExpectMsgAsync<NodeRemoved>()).NodeId);
        Assert.Equal(new UnknownNode(5), await fabric.Ask<object>(new RemoveNode(5)));
        Assert.Equal(new UnknownNode(5), await fabric.Ask<object>(new GetNode(5)));
        Assert.Empty(Store().LoadNodes());
    }

    [Fact]
    public async Task A_node_is_unavailable_after_it_was_unreachable_until_it_is_seen_again_and_not_after_a_restart()
    {
        var fabric = Sys.ActorOf(FabricActor.Props(Store()));
        var events = CreateTestProbe();
        Sys.EventStream.Subscribe(events.Ref, typeof(NodeUpdated));
        await fabric.Ask<NodeSaved>(new AddNode(Node(7)));
        Assert.True((await fabric.Ask<NodeFound>(new GetNode(7))).Available);

        fabric.Tell(new NodeUnreachable(7));
        Assert.False((await events.ExpectMsgAsync<NodeUpdated>()).Available);
        Assert.False((await fabric.Ask<NodeFound>(new GetNode(7))).Available);
        Assert.Empty((await fabric.Ask<NodeList>(GetNodes.Instance)).Available);

        fabric.Tell(new NodeSeen(7, T0.AddMinutes(2)));
        Assert.True((await events.ExpectMsgAsync<NodeUpdated>()).Available);
        Assert.Equal([7UL], (await fabric.Ask<NodeList>(GetNodes.Instance)).Available);

        await StopAsync(fabric);
        var restarted = Sys.ActorOf(FabricActor.Props(Store()));
        var found = await restarted.Ask<NodeFound>(new GetNode(7));
        Assert.Equal(T0.AddMinutes(2), found.Node.LastSeen);
        Assert.False(found.Available);
    }

    [Fact]
    public async Task A_malformed_csr_is_refused_with_a_reason()
    {
        var fabric = Sys.ActorOf(FabricActor.Props(Store()));

        var refused = await fabric.Ask<object>(new IssueNoc(1, [0x30, 0x03, 0x02, 0x01, 0x00]));

        Assert.Contains("CSR was refused", Assert.IsType<NocRefused>(refused).Reason);
    }

    [Fact]
    public async Task A_stored_fabric_that_does_not_load_is_reported_unavailable_and_never_replaced()
    {
        var store = Store();
        var first = Sys.ActorOf(FabricActor.Props(store));
        var info = await first.Ask<FabricInfo>(GetFabric.Instance);
        await StopAsync(first);
        var stored = store.LoadFabric()!;
        store.SaveFabric(stored with { RootPrivateKey = [1, 2, 3] });

        var second = Sys.ActorOf(FabricActor.Props(store));

        Assert.IsType<FabricUnavailable>(await second.Ask<object>(GetFabric.Instance));
        Assert.IsType<FabricUnavailable>(await second.Ask<object>(AllocateNodeId.Instance));
        Assert.Equal(info.FabricId, store.LoadFabric()!.FabricId);
    }

    private FabricStore Store() => new(ServiceDatabase.Open(_directory));

    private static NodeRecord Node(ulong id) => new(id, 0xFFF1, 0x8000, null, "udp", ["udp 127.0.0.1:5540"], T0, null);

    private async Task StopAsync(IActorRef actor)
    {
        Watch(actor);
        Sys.Stop(actor);
        await ExpectTerminatedAsync(actor);
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
