using System.Net;
using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using CommissioningActors.Core.Matter.Fabric;
using CommissioningActors.Core.Matter.Nodes;
using CommissioningActors.Core.Matter.Resolution;
using CommissioningActors.Core.Matter.Sessions;
using CommissioningActors.Core.Storage;
using CommissioningActors.Protocol.Matter.Certificates;
using CommissioningActors.Protocol.Matter.InteractionModel;
using CommissioningActors.Protocol.Matter.Messages;
using CommissioningActors.Protocol.Matter.SecureChannel;
using CommissioningActors.Protocol.Matter.Tlv;
using Xunit;

namespace CommissioningActors.Core.Tests.Matter.Nodes;

/// <summary>The node manager: lookups, sessions, queueing, idle close, unreachable nodes.</summary>
public sealed class NodeManagerActorTests : NodeTestBase
{
    [Fact]
    public async Task A_node_the_fabric_does_not_know_gets_unknown_node()
    {
        var manager = Manager();
        manager.Tell(new ReadNodeAttribute(42, OnOff));

        await Fabric.ExpectMsgAsync<GetNode>(g => g.NodeId == 42, Wait);
        Fabric.Reply(new UnknownNode(42));

        var failed = await ExpectMsgAsync<NodeOperationFailed>(Wait);
        Assert.Equal(("unknown_node", 42UL), (failed.ErrorCode, failed.NodeId));
    }

    [Fact]
    public async Task A_read_opens_a_session_at_the_stored_address_and_tells_the_fabric_the_node_was_seen()
    {
        var manager = Manager();
        manager.Tell(new ReadNodeAttribute(7, OnOff));
        await Found(Node(7, "udp 127.0.0.1:5541"));

        var started = await Opened();
        Assert.Equal("udp 127.0.0.1:5541", started.Peer);
        var start = await Sessions.ExpectMsgAsync<StartConversation>(Wait);
        Assert.Equal((byte)InteractionModelOpcode.ReadRequest, start.Opcode);
        started.Owner.Tell(Report(start.RequestId, true), started.Session);

        var end = await Sessions.ExpectMsgAsync<EndConversation>(Wait);
        Assert.Equal((byte)InteractionModelOpcode.StatusResponse, end.Opcode);
        var read = await ExpectMsgAsync<NodeAttributeRead>(Wait);
        Assert.Equal(("1/6/0", "true"), (read.Path, read.Value!.ToJsonString()));
        var seen = await Fabric.ExpectMsgAsync<NodeSeen>(Wait);
        Assert.Equal((7UL, "udp 127.0.0.1:5541"), (seen.NodeId, seen.Address));
    }

    [Fact]
    public async Task A_chunked_report_is_acknowledged_per_chunk_and_the_last_value_answers()
    {
        var manager = Manager();
        manager.Tell(new ReadNodeAttribute(7, OnOff));
        await Found(Node(7, "udp 127.0.0.1:5541"));
        var started = await Opened();
        var start = await Sessions.ExpectMsgAsync<StartConversation>(Wait);

        started.Owner.Tell(Report(start.RequestId, false, more: true, path: new AttributePath(1, 6, 0x4000)), started.Session);
        var ack = await Sessions.ExpectMsgAsync<ContinueConversation>(Wait);
        Assert.Equal((byte)InteractionModelOpcode.StatusResponse, ack.Opcode);
        started.Owner.Tell(Report(start.RequestId, true), started.Session);

        await Sessions.ExpectMsgAsync<EndConversation>(Wait);
        Assert.Equal("true", (await ExpectMsgAsync<NodeAttributeRead>(Wait)).Value!.ToJsonString());
    }

    [Fact]
    public async Task Requests_queue_while_the_session_opens_and_past_the_bound_are_refused_at_once()
    {
        var manager = Manager(new NodeManagerSettings { MaxQueued = 2 });
        var first = CreateTestProbe();
        manager.Tell(new ReadNodeAttribute(7, OnOff), first);
        await Found(Node(7, "udp 127.0.0.1:5541"));
        var started = await Sessions.ExpectMsgAsync<FakeSession.Started>(Wait);
        var second = CreateTestProbe();
        var third = CreateTestProbe();
        manager.Tell(new ReadNodeAttribute(7, OnOff), second);
        manager.Tell(new ReadNodeAttribute(7, OnOff), third);

        Assert.Equal("node_unavailable", (await third.ExpectMsgAsync<NodeOperationFailed>(Wait)).ErrorCode);
        started.Owner.Tell(new SessionReady(1, 2, SecureSessionParameters.Defaults, []), started.Session);
        foreach (var probe in new[] { first, second })
        {
            var start = await Sessions.ExpectMsgAsync<StartConversation>(Wait);
            started.Owner.Tell(Report(start.RequestId, true), started.Session);
            await Sessions.ExpectMsgAsync<EndConversation>(Wait);
            await probe.ExpectMsgAsync<NodeAttributeRead>(Wait);
        }
    }

    [Fact]
    public async Task An_idle_session_is_closed_and_the_next_request_opens_a_new_one()
    {
        var manager = Manager(new NodeManagerSettings { IdleTimeout = TimeSpan.FromMilliseconds(300) });
        manager.Tell(new ReadNodeAttribute(7, OnOff));
        await Found(Node(7, "udp 127.0.0.1:5541"));
        var started = await Opened();
        var start = await Sessions.ExpectMsgAsync<StartConversation>(Wait);
        started.Owner.Tell(Report(start.RequestId, true), started.Session);
        await ExpectMsgAsync<NodeAttributeRead>(Wait);
        Watch(started.Session);

        await Sessions.ExpectMsgAsync<EndConversation>(Wait);
        await Sessions.ExpectMsgAsync<CloseSecureSession>(Wait);
        await ExpectTerminatedAsync(started.Session, Wait);

        manager.Tell(new ReadNodeAttribute(7, OnOff));
        var again = await Opened();
        Assert.NotEqual(started.Session, again.Session);
        var next = await Sessions.ExpectMsgAsync<StartConversation>(Wait);
        again.Owner.Tell(Report(next.RequestId, false), again.Session);
        Assert.Equal("false", (await ExpectMsgAsync<NodeAttributeRead>(Wait)).Value!.ToJsonString());
    }

    [Fact]
    public async Task A_silent_device_fails_the_request_and_the_queue_with_node_unavailable_and_marks_it_unreachable()
    {
        var manager = Manager();
        var queued = CreateTestProbe();
        // Both wait for the registry's answer, so both are at the node before its session opens.
        manager.Tell(new ReadNodeAttribute(7, OnOff));
        manager.Tell(new InvokeNodeCommand(7, 1, 6, "On", null, null), queued);
        await Found(Node(7, "udp 127.0.0.1:5541"));
        var started = await Opened();
        var start = await Sessions.ExpectMsgAsync<StartConversation>(Wait);
        await Fabric.ExpectMsgAsync<NodeSeen>(Wait); // the session opened

        started.Owner.Tell(new RequestFailed(start.RequestId, RequestFailureKind.NotAcknowledged, "udp 127.0.0.1:5541 did not acknowledge"), started.Session);

        Assert.Equal("node_unavailable", (await ExpectMsgAsync<NodeOperationFailed>(Wait)).ErrorCode);
        Assert.Equal("node_unavailable", (await queued.ExpectMsgAsync<NodeOperationFailed>(Wait)).ErrorCode);
        Assert.Equal(7UL, (await Fabric.ExpectMsgAsync<NodeUnreachable>(Wait)).NodeId);
        await Sessions.ExpectMsgAsync<CloseSecureSession>(Wait);
    }

    [Fact]
    public async Task No_session_within_the_open_timeout_gives_node_unavailable()
    {
        var manager = Manager(new NodeManagerSettings { OpenTimeout = TimeSpan.FromMilliseconds(300) });
        manager.Tell(new ReadNodeAttribute(7, OnOff));
        await Found(Node(7, "udp 127.0.0.1:5541"));
        var started = await Sessions.ExpectMsgAsync<FakeSession.Started>(Wait);
        Watch(started.Session);

        var failed = await ExpectMsgAsync<NodeOperationFailed>(Wait);
        Assert.Equal("node_unavailable", failed.ErrorCode);
        Assert.Contains("no secure session", failed.Message);
        await Fabric.ExpectMsgAsync<NodeUnreachable>(Wait);
        await ExpectTerminatedAsync(started.Session, Wait);
    }

    [Fact]
    public async Task Each_address_is_tried_in_turn_until_a_session_is_established()
    {
        var manager = Manager();
        manager.Tell(new ReadNodeAttribute(7, OnOff));
        await Found(Node(7, "udp 127.0.0.1:5541", "ble AA:BB", "udp [::1]:5542"));

        var first = await Sessions.ExpectMsgAsync<FakeSession.Started>(Wait);
        Assert.Equal("udp 127.0.0.1:5541", first.Peer);
        first.Owner.Tell(new SessionEstablishmentFailed(null, "did not answer"), first.Session);
        var second = await Sessions.ExpectMsgAsync<FakeSession.Started>(Wait);
        Assert.Equal("udp [::1]:5542", second.Peer);
        second.Owner.Tell(new SessionEstablishmentFailed(null, "did not answer"), second.Session);

        var failed = await ExpectMsgAsync<NodeOperationFailed>(Wait);
        Assert.Equal("node_unavailable", failed.ErrorCode);
        Assert.Contains("did not answer", failed.Message);
    }

    [Fact]
    public async Task The_resolver_is_asked_first_and_its_addresses_come_before_the_stored_ones()
    {
        var resolver = CreateTestProbe();
        var manager = Manager(resolver: resolver);
        var getFabric = await Fabric.ExpectMsgAsync<GetFabric>(Wait);
        _ = getFabric;
        using var authority = FabricAuthority.Create(0x1234, 0x5678, TimeProvider.System);
        Fabric.Reply(new FabricInfo(0x1234, 0xFFF1, 99, authority.RootCertificate, new byte[16]));

        manager.Tell(new ReadNodeAttribute(7, OnOff));
        await Found(Node(7, "udp 127.0.0.1:5541"));
        var resolve = await resolver.ExpectMsgAsync<ResolveOperational>(Wait);
        Assert.Equal(7UL, resolve.NodeId);
        resolver.Reply(new OperationalResolved(resolve.CompressedFabricId, 7, [new IPEndPoint(IPAddress.Loopback, 6000)]));

        Assert.Equal("udp 127.0.0.1:6000", (await Sessions.ExpectMsgAsync<FakeSession.Started>(Wait)).Peer);
    }

    [Theory]
    [InlineData("Blink", null)]
    [InlineData("Identify", "{\"identifyTime\":\"soon\"}")]
    [InlineData(null, null)]
    public async Task A_bad_command_gets_invalid_args_without_a_session(string? name, string? payload)
    {
        var manager = Manager();
        var json = payload is null ? null : System.Text.Json.Nodes.JsonNode.Parse(payload)!.AsObject();
        manager.Tell(new InvokeNodeCommand(7, 1, name == "Identify" ? 3u : 6u, name, null, json));
        await Found(Node(7, "udp 127.0.0.1:5541"));

        Assert.Equal("invalid_args", (await ExpectMsgAsync<NodeOperationFailed>(Wait)).ErrorCode);
        // A valid read after it is the first thing to open a session.
        manager.Tell(new ReadNodeAttribute(7, OnOff));
        await Sessions.ExpectMsgAsync<FakeSession.Started>(Wait);
    }
}
