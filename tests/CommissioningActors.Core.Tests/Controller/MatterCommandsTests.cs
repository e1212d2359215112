using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Streams;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using CommissioningActors.Core.Commissioning;
using CommissioningActors.Core.Controller;
using CommissioningActors.Core.Events;
using CommissioningActors.Core.Jobs;
using CommissioningActors.Core.Matter.Commissioning;
using CommissioningActors.Core.Matter.Fabric;
using CommissioningActors.Core.Matter.Network;
using CommissioningActors.Core.Matter.Nodes;
using CommissioningActors.Core.Sockets;
using CommissioningActors.Core.Storage;
using CommissioningActors.Core.Tests.Streams;
using CommissioningActors.Protocol.Controller;
using CommissioningActors.Protocol.Matter.Certificates;

namespace CommissioningActors.Core.Tests.Controller;

/// <summary>The round-2 commands at the session: arguments checked, requests sent to the right actor, replies mapped.</summary>
public sealed class MatterCommandsTests : TestKit, IDisposable
{
    private readonly PaaTrustStore _trust = PaaTrustStore.FromCertificates([], isDevelopment: true);
    private readonly TestProbe _fabric;
    private readonly TestProbe _nodes;
    private readonly TestProbe _network;
    private readonly TestProbe _outbound;
    private readonly IActorRef _session;

    public MatterCommandsTests()
    {
        _fabric = CreateTestProbe();
        _nodes = CreateTestProbe();
        _network = CreateTestProbe();
        _outbound = CreateTestProbe();
        var jobs = Sys.ActorOf(JobManagerActor.Props(CreateTestProbe().Ref, JobSettings.Default, network: _network.Ref));
        var matter = new MatterServices(CreateTestProbe().Ref, _fabric.Ref, _trust, Resolver: null, _nodes.Ref, new FlowSettings());
        var services = new ControllerServices(jobs, Sys.ActorOf(EventHubActor.Props()), Sys.Materializer(), 64 * 1024, 100, matter);
        _session = Sys.ActorOf(ControllerSessionActor.Props(_outbound.Ref, new FakeSocketWriter(), services));
        _outbound.ExpectMsg<SendText>(); // server_info
    }

    public new void Dispose()
    {
        _trust.Dispose();
        base.Dispose();
    }

    private void Command(string id, string command, JsonObject args) =>
        _session.Tell(new SocketTextReceived(Encoding.UTF8.GetBytes(ControllerCodec.Command(id, command, args))));

    private JsonObject Reply() => FakeSocketWriter.Parse(_outbound.ExpectMsg<SendText>(TimeSpan.FromSeconds(5)).Text);

    [Fact]
    public void Read_attribute_goes_to_the_node_manager_and_its_value_comes_back_keyed_by_path()
    {
        Command("r", "read_attribute", new JsonObject { ["node_id"] = 5, ["attribute_path"] = "0/40/1" });
        var read = _nodes.ExpectMsg<ReadNodeAttribute>();
        Assert.Equal(5UL, read.NodeId);
        Assert.Equal((ushort)0, read.Path.Endpoint);
        Assert.Equal(40u, read.Path.Cluster);
        Assert.Equal(1u, read.Path.Attribute);
        _nodes.Reply(new NodeAttributeRead(5, "0/40/1", JsonValue.Create("matter.js fixture")));
        Assert.Equal("""{"message_id":"r","result":{"0/40/1":"matter.js fixture"}}""", Reply().ToJsonString());
    }

    [Theory]
    [InlineData("node_unavailable")]
    [InlineData("unknown_node")]
    [InlineData("command_failed")]
    public void A_failed_node_operation_is_answered_with_its_error_code_and_message(string code)
    {
        Command("d", "device_command", new JsonObject { ["node_id"] = 5, ["endpoint_id"] = 1, ["cluster_id"] = 6, ["command_name"] = "On" });
        var invoke = _nodes.ExpectMsg<InvokeNodeCommand>();
        Assert.Equal(("On", (uint?)null, (ushort)1, 6u), (invoke.CommandName, invoke.CommandId, invoke.EndpointId, invoke.ClusterId));
        _nodes.Reply(new NodeOperationFailed(5, code, "the node did not answer"));
        var reply = Reply();
        Assert.Equal(code, (string?)reply["error_code"]);
        Assert.Equal("the node did not answer", (string?)reply["details"]);
    }

    [Fact]
    public void A_status_only_device_command_answers_null_and_remove_node_answers_an_empty_object()
    {
        Command("d", "device_command", new JsonObject
        {
            ["node_id"] = 5,
            ["endpoint_id"] = 1,
            ["cluster_id"] = 3,
            ["command_id"] = 0,
            ["payload"] = new JsonObject { ["0"] = 5 },
        });
        var invoke = _nodes.ExpectMsg<InvokeNodeCommand>();
        Assert.Equal(0u, invoke.CommandId);
        Assert.Equal(5, (int)invoke.Payload!["0"]!);
        _nodes.Reply(new NodeCommandInvoked(5, null));
        Assert.Equal("""{"message_id":"d","result":null}""", Reply().ToJsonString());

        Command("x", "remove_node", new JsonObject { ["node_id"] = 5 });
        Assert.Equal(5UL, _nodes.ExpectMsg<DecommissionNode>().NodeId);
        _nodes.Reply(new NodeDecommissioned(5));
        Assert.Equal("""{"message_id":"x","result":{}}""", Reply().ToJsonString());
    }

    [Theory]
    [InlineData("read_attribute", """{"node_id":5,"attribute_path":"0/40"}""")]
    [InlineData("read_attribute", """{"node_id":5,"attribute_path":"*/40/1"}""")]
    [InlineData("read_attribute", """{"attribute_path":"0/40/1"}""")]
    [InlineData("device_command", """{"node_id":5,"endpoint_id":1,"cluster_id":6}""")]
    [InlineData("device_command", """{"node_id":5,"endpoint_id":70000,"cluster_id":6,"command_name":"On"}""")]
    [InlineData("device_command", """{"node_id":5,"endpoint_id":1,"cluster_id":6,"command_name":"On","payload":[1]}""")]
    [InlineData("remove_node", """{"node_id":"5"}""")]
    [InlineData("get_node", """{"node_id":-3}""")]
    [InlineData("commission_on_network", """{"setup_pin_code":20202021,"ip_addr":"not-an-ip"}""")]
    [InlineData("commission_on_network", """{"setup_pin_code":20202021,"ip_addr":"127.0.0.1:0"}""")]
    [InlineData("commission_on_network", """{"setup_pin_code":20202021,"ip_addr":"127.0.0.1","filter_type":2,"filter":5000}""")]
    [InlineData("commission_on_network", """{"ip_addr":"127.0.0.1"}""")]
    [InlineData("commission_with_code", """{"code":"34970112332","network_only":"yes"}""")]
    [InlineData("set_thread_dataset", """{"dataset":"0510aabb"}""")]
    [InlineData("set_wifi_credentials", """{"credentials":"pw"}""")]
    public void Bad_arguments_get_invalid_args_and_reach_no_actor(string command, string args)
    {
        Command("bad", command, JsonNode.Parse(args)!.AsObject());
        var reply = Reply();
        Assert.Equal(ControllerErrorCodes.InvalidArgs, (string?)reply["error_code"]);
        Assert.DoesNotContain("20202021", reply.ToJsonString());

        // A valid command after it is the first thing any actor hears: the bad one sent nothing.
        Command("ok", "get_nodes", []);
        _fabric.ExpectMsg<GetNodes>();
        _fabric.Reply(new NodeList([], new HashSet<ulong>()));
        Assert.Equal("""{"message_id":"ok","result":[]}""", Reply().ToJsonString());
        Assert.Empty(_nodes.Queued());
        Assert.Empty(_network.Queued());
    }

    [Fact]
    public void Commission_on_network_runs_a_job_on_the_network_side_and_its_node_tops_the_completed_job()
    {
        Command("c", "commission_on_network", new JsonObject
        {
            ["setup_pin_code"] = 20202021,
            ["ip_addr"] = "127.0.0.1",
            ["filter_type"] = 2,
            ["filter"] = 3840,
            ["label"] = "lamp",
        });
        var start = _network.ExpectMsg<StartCommissioning>();
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 5540), start.Request.Network!.Address);
        Assert.Equal(20202021u, start.Request.Payload.Passcode);
        Assert.Equal((ushort)3840, start.Request.Payload.Discriminator);
        Assert.False(start.Request.Payload.IsShortDiscriminator);
        Assert.Equal("lamp", start.Request.Label);
        var jobId = (string)Reply()["result"]!["job_id"]!;

        var attempt = CreateTestProbe();
        _network.Reply(new CommissioningStarted(jobId, attempt.Ref));
        start.ReportTo.Tell(new AttemptOutput(jobId, "establishing PASE with pin 20202021"), attempt.Ref);
        start.ReportTo.Tell(new NodeCommissioned(jobId, 9, 0xFFF1, 0x8000, "udp", "127.0.0.1:5540"), attempt.Ref);

        Command("g", "get_job", new JsonObject { ["job_id"] = jobId });
        var job = Reply()["result"]!.AsObject();
        Assert.Equal("completed", (string?)job["status"]);
        Assert.Equal(1, job.Select(p => p.Key).ToList().IndexOf("node_id")); // right after job_id, at the top of the data
        Assert.Equal(9UL, (ulong)job["node_id"]!);
        Assert.Equal("""{"node_id":9,"vendor_id":65521,"product_id":32768,"transport":"udp","address":"127.0.0.1:5540"}""", job["result"]!.ToJsonString());
        Assert.DoesNotContain("20202021", job.ToJsonString());
    }

    [Fact]
    public void Network_only_code_without_ip_addr_and_without_a_resolver_is_refused_as_not_available()
    {
        Command("c", "commission_with_code", new JsonObject { ["code"] = "34970112332", ["network_only"] = true });
        var reply = Reply();
        Assert.Equal(ControllerErrorCodes.NotAvailable, (string?)reply["error_code"]);
        Assert.DoesNotContain("34970112332", reply.ToJsonString());

        Command("c2", "commission_with_code", new JsonObject { ["code"] = "34970112332", ["network_only"] = true, ["ip_addr"] = "[::1]:5541" });
        var start = _network.ExpectMsg<StartCommissioning>();
        Assert.Equal(new IPEndPoint(IPAddress.IPv6Loopback, 5541), start.Request.Network!.Address);
        Assert.True(start.Request.Payload.IsShortDiscriminator);
    }

    [Fact]
    public void Network_credentials_go_to_the_fabric_and_are_answered_with_an_empty_object()
    {
        Command("w", "set_wifi_credentials", new JsonObject { ["ssid"] = "home", ["credentials"] = "hunter22" });
        var wifi = _fabric.ExpectMsg<SaveNetworkCredentials>();
        Assert.Equal((NetworkKind.WiFi, "home", "hunter22"), (wifi.Credentials.Kind, wifi.Credentials.Ssid, Encoding.UTF8.GetString(wifi.Credentials.Secret)));
        Assert.DoesNotContain("hunter22", wifi.ToString());
        _fabric.Reply(new NetworkCredentialsSaved(NetworkKind.WiFi));
        Assert.Equal("""{"message_id":"w","result":{}}""", Reply().ToJsonString());

        Command("t", "set_thread_dataset", new JsonObject { ["dataset"] = "0510" + new string('a', 32) });
        var thread = _fabric.ExpectMsg<SaveNetworkCredentials>();
        Assert.Equal(NetworkKind.Thread, thread.Credentials.Kind);
        _fabric.Reply(new FabricUnavailable("the fabric store failed: disk full"));
        var failed = Reply();
        Assert.Equal(ControllerErrorCodes.InternalError, (string?)failed["error_code"]);
        Assert.DoesNotContain(new string('a', 32), failed.ToJsonString());
    }

    [Fact]
    public void Get_node_maps_unknown_node_from_the_fabric()
    {
        Command("g", "get_node", new JsonObject { ["node_id"] = 12 });
        Assert.Equal(12UL, _fabric.ExpectMsg<GetNode>().NodeId);
        _fabric.Reply(new UnknownNode(12));
        Assert.Equal(ControllerErrorCodes.UnknownNode, (string?)Reply()["error_code"]);
    }
}
