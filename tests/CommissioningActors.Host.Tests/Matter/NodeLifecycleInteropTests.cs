using System.Text.Json.Nodes;
using CommissioningActors.Host.Tests.Interop;
using CommissioningActors.Host.Tests.Support;
using CommissioningActors.Protocol.Controller;

namespace CommissioningActors.Host.Tests.Matter;

/// <summary>
/// The whole on-network story over /ws against a real matter.js device: commission, read, control, restart the
/// service (a fresh CASE session on the stored fabric), remove. Each step is what a user of the API does.
/// </summary>
public sealed class NodeLifecycleInteropTests
{
    private static readonly TimeSpan Verdict = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_commissioned_node_is_read_and_controlled_survives_a_restart_over_a_new_case_session_and_is_removed_from_the_device()
    {
        await using var device = await MatterJsDevice.StartAsync(new MatterJsDeviceOptions { Passcode = 20202031, Discriminator = 1031 });
        var storage = TestHost.NewStorageDirectory();
        try
        {
            ulong nodeId;
            await using (var host = await TestHost.StartAsync($"--Storage:Directory={storage}"))
            {
                await using var client = await host.ConnectControllerAsync();
                var started = await client.CommandAsync("c", "commission_on_network", new JsonObject
                {
                    ["setup_pin_code"] = 20202031,
                    ["ip_addr"] = $"127.0.0.1:{device.Port}",
                    ["label"] = "lamp",
                });
                var verdict = await VerdictAsync(client, (string)started["result"]!["job_id"]!);
                Assert.True((string?)verdict["event"] == "job_completed", verdict.ToJsonString());
                nodeId = (ulong)verdict["data"]!["node_id"]!;

                var name = await client.CommandAsync("r1", "read_attribute", Args(nodeId, "0/40/1"));
                Assert.Equal("matter.js fixture", (string?)name["result"]!["0/40/1"]);

                Assert.Null(Error(await client.CommandAsync("on", "device_command", Command(nodeId, "On"))));
                Assert.True((bool)(await client.CommandAsync("r2", "read_attribute", Args(nodeId, "1/6/0")))["result"]!["1/6/0"]!);
                Assert.Null(Error(await client.CommandAsync("t", "device_command", Command(nodeId, "Toggle"))));
                Assert.False((bool)(await client.CommandAsync("r3", "read_attribute", Args(nodeId, "1/6/0")))["result"]!["1/6/0"]!);

                var unsupported = await client.CommandAsync("r4", "read_attribute", Args(nodeId, "1/6/65000"));
                Assert.NotNull(Error(unsupported));
            }

            await using (var host = await TestHost.StartAsync($"--Storage:Directory={storage}"))
            {
                await using var client = await host.ConnectControllerAsync();
                var node = Assert.Single((await client.CommandAsync("n", "get_nodes"))["result"]!.AsArray())!;
                Assert.Equal(nodeId, (ulong)node["node_id"]!);
                Assert.Equal("lamp", (string?)node["label"]);

                // A new process: its session to the node can only be a fresh CASE session on the stored fabric.
                Assert.Null(Error(await client.CommandAsync("on", "device_command", Command(nodeId, "On"))));
                Assert.True((bool)(await client.CommandAsync("r", "read_attribute", Args(nodeId, "1/6/0")))["result"]!["1/6/0"]!);
                Assert.True((bool)(await client.CommandAsync("g", "get_node", new JsonObject { ["node_id"] = nodeId }))["result"]!["available"]!);

                Assert.Single(await device.GetFabricsAsync());
                Assert.Null(Error(await client.CommandAsync("x", "remove_node", new JsonObject { ["node_id"] = nodeId })));
                Assert.Empty((await client.CommandAsync("n2", "get_nodes"))["result"]!.AsArray());
                Assert.Empty(await device.GetFabricsAsync());
                var gone = await client.CommandAsync("r5", "read_attribute", Args(nodeId, "1/6/0"));
                Assert.Equal(ControllerErrorCodes.UnknownNode, Error(gone));
            }
        }
        finally
        {
            if (Directory.Exists(storage))
            {
                Directory.Delete(storage, recursive: true);
            }
        }
    }

    private static string? Error(JsonObject reply) => (string?)reply["error_code"];

    private static JsonObject Args(ulong node, string path) => new() { ["node_id"] = node, ["attribute_path"] = path };

    private static JsonObject Command(ulong node, string name) => new()
    {
        ["node_id"] = node,
        ["endpoint_id"] = 1,
        ["cluster_id"] = 6,
        ["command_name"] = name,
        ["payload"] = new JsonObject(),
    };

    private static async Task<JsonObject> VerdictAsync(RawClient client, string jobId)
    {
        await client.SendTextAsync(ControllerCodec.Command("f", "follow_job", new JsonObject { ["job_id"] = jobId }));
        while (true)
        {
            var frame = await client.ReceiveJsonAsync(Verdict);
            if ((string?)frame["message_id"] == "f" && (string?)frame["event"] is "job_completed" or "job_failed" or "job_cancelled")
            {
                return frame;
            }
        }
    }
}
