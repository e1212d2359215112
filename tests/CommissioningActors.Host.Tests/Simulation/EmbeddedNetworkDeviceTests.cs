using System.Text.Json.Nodes;
using CommissioningActors.Host.Simulation;
using CommissioningActors.Host.Tests.Support;
using CommissioningActors.Protocol.Controller;
using Microsoft.Extensions.DependencyInjection;

namespace CommissioningActors.Host.Tests.Simulation;

/// <summary>The README's on-network example works with no hardware: the embedded simulated device joins our fabric.</summary>
public sealed class EmbeddedNetworkDeviceTests
{
    [Fact]
    public async Task The_embedded_network_device_is_commissioned_with_the_documented_pin_then_read_and_switched()
    {
        await using var host = await TestHost.StartAsync("--Simulator:Enabled=true", "--Simulator:NetworkDevicePort=0");
        var device = host.App.Services.GetRequiredService<EmbeddedNetworkDeviceService>().EndPoint;
        Assert.NotNull(device);

        await using var client = await host.ConnectControllerAsync();
        var started = await client.CommandAsync("c", "commission_on_network", new JsonObject
        {
            ["setup_pin_code"] = 20202021,
            ["ip_addr"] = device.ToString(),
        });
        var jobId = (string)started["result"]!["job_id"]!;
        await client.SendTextAsync(ControllerCodec.Command("f", "follow_job", new JsonObject { ["job_id"] = jobId }));
        JsonObject verdict;
        do
        {
            verdict = await client.ReceiveJsonAsync(TimeSpan.FromSeconds(90));
        }
        while ((string?)verdict["message_id"] != "f" || (string?)verdict["event"] is not ("job_completed" or "job_failed" or "job_cancelled"));

        Assert.True((string?)verdict["event"] == "job_completed", verdict.ToJsonString());
        var nodeId = (ulong)verdict["data"]!["node_id"]!;
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
    }
}
