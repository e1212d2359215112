using System.Text.Json.Nodes;
using Akka.Actor;
using CommissioningActors.Core.Matter.Fabric;
using CommissioningActors.Core.Storage;
using CommissioningActors.Host.Tests.Support;
using CommissioningActors.Protocol.Controller;

namespace CommissioningActors.Host.Tests.Matter;

/// <summary>The node commands and events over a real /ws socket, against the real fabric registry and store.</summary>
public sealed class NodesEndToEndTests
{
    private static NodeRecord Node(ulong id, string? label = null) =>
        new(id, 0xFFF1, 0x8000, label, "udp", ["127.0.0.1:5540"], DateTimeOffset.Parse("2026-11-26T22:00:00Z"), null);

    private static async Task AddNodeAsync(TestHost host, NodeRecord node)
    {
        var fabric = await host.ActorAsync<FabricActor>();
        Assert.IsType<NodeSaved>(await fabric.Ask(new AddNode(node), TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Get_nodes_and_get_node_show_the_fabric_s_nodes_and_unknown_ids_get_unknown_node()
    {
        await using var host = await TestHost.StartAsync();
        await using var client = await host.ConnectControllerAsync();
        Assert.Empty((await client.CommandAsync("n0", "get_nodes"))["result"]!.AsArray());

        await AddNodeAsync(host, Node(7, "lamp"));
        var nodes = (await client.CommandAsync("n1", "get_nodes"))["result"]!.AsArray();
        var node = Assert.Single(nodes)!.AsObject();
        Assert.Equal(7UL, (ulong)node["node_id"]!);
        Assert.Equal(0xFFF1, (int)node["vendor_id"]!);
        Assert.Equal(0x8000, (int)node["product_id"]!);
        Assert.Equal("lamp", (string?)node["label"]);
        Assert.Equal("udp", (string?)node["transport"]);
        Assert.True((bool)node["available"]!);
        Assert.Equal("127.0.0.1:5540", (string?)node["addresses"]![0]);
        Assert.NotNull((string?)node["commissioned_at"]);
        Assert.True(node.ContainsKey("last_seen"));

        var one = await client.CommandAsync("g", "get_node", new JsonObject { ["node_id"] = 7 });
        Assert.Equal(7UL, (ulong)one["result"]!["node_id"]!);

        var unknown = await client.CommandAsync("u", "get_node", new JsonObject { ["node_id"] = 99 });
        Assert.Equal(ControllerErrorCodes.UnknownNode, (string?)unknown["error_code"]);
        Assert.Contains("99", (string?)unknown["details"]);

        foreach (var bad in new JsonNode?[] { null, "7", -1, 0, 1.5 })
        {
            var args = bad is null ? new JsonObject() : new JsonObject { ["node_id"] = bad };
            Assert.Equal(ControllerErrorCodes.InvalidArgs, (string?)(await client.CommandAsync("b", "get_node", args))["error_code"]);
        }
    }

    [Fact]
    public async Task Subscribe_events_carries_node_added_node_updated_and_node_removed()
    {
        await using var host = await TestHost.StartAsync();
        await using var client = await host.ConnectControllerAsync();
        await client.SendTextAsync(ControllerCodec.Command("ev", "subscribe_events"));
        Assert.Equal("initial_state", (string?)(await client.ReceiveJsonAsync())["event"]);

        await AddNodeAsync(host, Node(3));
        var fabric = await host.ActorAsync<FabricActor>();
        fabric.Tell(new NodeUnreachable(3));
        Assert.IsType<NodeRemovedReply>(await fabric.Ask(new RemoveNode(3), TimeSpan.FromSeconds(10)));

        var added = await NextEventAsync(client, "ev");
        Assert.Equal("node_added", (string?)added["event"]);
        Assert.Equal(3UL, (ulong)added["data"]!["node_id"]!);
        Assert.True((bool)added["data"]!["available"]!);
        var updated = await NextEventAsync(client, "ev");
        Assert.Equal("node_updated", (string?)updated["event"]);
        Assert.False((bool)updated["data"]!["available"]!);
        var removed = await NextEventAsync(client, "ev");
        Assert.Equal("node_removed", (string?)removed["event"]);
        Assert.Equal(3UL, (ulong)removed["data"]!["node_id"]!);
    }

    [Fact]
    public async Task Node_operations_on_an_unknown_node_answer_unknown_node_and_discovery_without_a_resolver_answers_not_available()
    {
        await using var host = await TestHost.StartAsync();
        await using var client = await host.ConnectControllerAsync();
        var read = await client.CommandAsync("r", "read_attribute", new JsonObject { ["node_id"] = 1, ["attribute_path"] = "0/40/1" });
        Assert.Equal(ControllerErrorCodes.UnknownNode, (string?)read["error_code"]);
        var command = await client.CommandAsync("d", "device_command", new JsonObject
        {
            ["node_id"] = 1,
            ["endpoint_id"] = 1,
            ["cluster_id"] = 6,
            ["command_name"] = "On",
            ["payload"] = new JsonObject(),
        });
        Assert.Equal(ControllerErrorCodes.UnknownNode, (string?)command["error_code"]);
        var remove = await client.CommandAsync("x", "remove_node", new JsonObject { ["node_id"] = 1 });
        Assert.Equal(ControllerErrorCodes.UnknownNode, (string?)remove["error_code"]);
        var noAddress = await client.CommandAsync("c", "commission_on_network", new JsonObject { ["setup_pin_code"] = 20202021 });
        Assert.Equal(ControllerErrorCodes.NotAvailable, (string?)noAddress["error_code"]);
        Assert.Contains("ip_addr", (string?)noAddress["details"]);
        Assert.DoesNotContain("20202021", noAddress.ToJsonString());
    }

    private static async Task<JsonObject> NextEventAsync(RawClient client, string messageId)
    {
        while (true)
        {
            var frame = await client.ReceiveJsonAsync(TimeSpan.FromSeconds(10));
            if ((string?)frame["message_id"] == messageId && ((string?)frame["event"])?.StartsWith("node_", StringComparison.Ordinal) == true)
            {
                return frame;
            }
        }
    }
}
