using System.Text.Json.Nodes;
using Akka.Actor;
using CommissioningActors.Core.Proxies;
using CommissioningActors.Host.Tests.Support;
using CommissioningActors.Protocol.Controller;

namespace CommissioningActors.Host.Tests.Simulation;

/// <summary>
/// The README's BLE path with no hardware, through /ws as the CLI does it: the first command's embedded
/// simulator, `set-wifi`, then `commission 34970112332 --follow` ends with a node on our fabric, which `nodes`
/// lists and `read`/`command` reach. The slot is released before CASE; no secret reaches the job or the log.
/// </summary>
public sealed class EmbeddedSimulatorReadmeTests
{
    // As on a machine without multicast: the resolver is on but bound to no real interface; the simulator's static
    // entries answer, nothing multicasts.
    private const string StaticResolver = "commissioning.attempt.commission-over-ble = on\ncommissioning.matter.resolver.enabled = on\ncommissioning.matter.resolver.interfaces = [\"ca-no-such-interface\"]";
    private const string WifiPassword = "readme-wifi-pass-51d7";

    [Fact]
    public async Task Set_wifi_then_commissioning_the_simulated_Test_Light_by_its_setup_code_ends_with_a_node_we_can_read_and_switch()
    {
        var sink = new CapturingSink();
        await using var host = await TestHost.StartWithSinkAsync(sink, StaticResolver,
            "--Simulator:Enabled=true", "--Simulator:NetworkDevicePort=-1", "--Serilog:MinimumLevel:Default=Information");
        var proxies = await host.ActorAsync<ProxyManagerActor>();
        await Eventually.GetAsync(() => proxies.Ask<ProxyList>(GetProxies.Instance), l => l.Proxies.Any(p => p.Ready), what: "the embedded proxy");
        await using var client = await host.ConnectControllerAsync();
        var wifi = await client.CommandAsync("w", "set_wifi_credentials", new JsonObject { ["ssid"] = "readme-net", ["credentials"] = WifiPassword });
        Assert.Equal("{}", wifi["result"]!.ToJsonString());

        var started = await client.CommandAsync("c", "commission_with_code", new JsonObject { ["code"] = "34970112332" });
        var jobId = (string)started["result"]!["job_id"]!;
        await client.SendTextAsync(ControllerCodec.Command("f", "follow_job", new JsonObject { ["job_id"] = jobId }));
        var lines = new List<string>();
        JsonObject verdict;
        while (true)
        {
            verdict = await client.ReceiveJsonAsync(TimeSpan.FromSeconds(120));
            if ((string?)verdict["event"] == "job_output" && (string?)verdict["data"]?["job_id"] == jobId)
            {
                lines.Add((string)verdict["data"]!["line"]!);
            }

            if ((string?)verdict["message_id"] == "f" && (string?)verdict["event"] is "job_completed" or "job_failed" or "job_cancelled")
            {
                break;
            }
        }

        var output = string.Join("\n", lines);
        Assert.True((string?)verdict["event"] == "job_completed", $"{verdict.ToJsonString()}\n{output}");
        var nodeId = (ulong)verdict["data"]!["node_id"]!;

        // The slot goes back before CASE starts.
        var released = lines.FindIndex(l => l.Contains("released: its connection slot is back in the pool", StringComparison.Ordinal));
        var caseStarts = lines.FindIndex(l => l.Contains("establishing CASE", StringComparison.Ordinal));
        Assert.True(released >= 0 && caseStarts > released, output);

        var node = Assert.Single((await client.CommandAsync("n", "get_nodes"))["result"]!.AsArray())!.AsObject();
        Assert.Equal(nodeId, (ulong)node["node_id"]!);
        var name = await client.CommandAsync("r", "read_attribute", new JsonObject { ["node_id"] = nodeId, ["attribute_path"] = "0/40/1" });
        Assert.Equal("CommissioningActors", (string?)name["result"]!["0/40/1"]);
        var on = await client.CommandAsync("on", "device_command", new JsonObject
        {
            ["node_id"] = nodeId,
            ["endpoint_id"] = 1,
            ["cluster_id"] = 6,
            ["command_name"] = "On",
            ["payload"] = new JsonObject(),
        });
        Assert.Null((string?)on["error_code"]);
        var state = await client.CommandAsync("r2", "read_attribute", new JsonObject { ["node_id"] = nodeId, ["attribute_path"] = "1/6/0" });
        Assert.True((bool)state["result"]!["1/6/0"]!);

        // The service log says so too, in that order.
        var logLines = sink.Events.Select(CapturingSink.Text).ToList();
        var releasedInLog = logLines.FindIndex(l => l.Contains("is back in the pool before CASE", StringComparison.Ordinal));
        var caseInLog = logLines.FindIndex(l => l.Contains("Establishing CASE with node", StringComparison.Ordinal));
        Assert.True(releasedInLog >= 0 && caseInLog > releasedInLog, string.Join("\n", logLines));

        string[] secrets = ["34970112332", "20202021", WifiPassword];
        var logs = string.Join("\n", sink.Events.Select(CapturingSink.Text));
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(secret, output);
            Assert.DoesNotContain(secret, logs);
        }
    }
}
