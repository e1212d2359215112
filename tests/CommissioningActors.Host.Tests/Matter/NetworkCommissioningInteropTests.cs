using System.Text.Json.Nodes;
using CommissioningActors.Host.Tests.Interop;
using CommissioningActors.Host.Tests.Support;
using CommissioningActors.Protocol.Controller;

namespace CommissioningActors.Host.Tests.Matter;

/// <summary>commission_on_network over /ws against a real matter.js device on UDP loopback.</summary>
public sealed class NetworkCommissioningInteropTests
{
    private static readonly TimeSpan Verdict = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_wrong_setup_pin_fails_the_job_with_pase_failed_and_the_pin_is_nowhere()
    {
        var sink = new CapturingSink();
        await using var device = await MatterJsDevice.StartAsync(new MatterJsDeviceOptions { Passcode = 20202024, Discriminator = 1001 });
        await using (var host = await TestHost.StartWithSinkAsync(sink, "akka.loglevel = DEBUG", "--Serilog:MinimumLevel:Default=Verbose"))
        {
            await using var client = await host.ConnectControllerAsync();
            const int WrongPin = 20202025;
            var started = await client.CommandAsync("c", "commission_on_network", new JsonObject
            {
                ["setup_pin_code"] = WrongPin,
                ["ip_addr"] = $"127.0.0.1:{device.Port}",
                ["label"] = "wrong pin",
            });
            var jobId = (string)started["result"]!["job_id"]!;
            var (lines, verdict) = await FollowAsync(client, jobId);

            Assert.Equal("job_failed", (string?)verdict["event"]);
            Assert.Equal("pase_failed", (string?)verdict["data"]!["error_code"]);
            Assert.Contains("passcode", (string?)verdict["data"]!["error"]);
            Assert.Contains(lines, l => l.Contains($"udp 127.0.0.1:{device.Port}", StringComparison.Ordinal));

            var job = (await client.CommandAsync("g", "get_job", new JsonObject { ["job_id"] = jobId }))["result"]!;
            Assert.DoesNotContain(WrongPin.ToString(), job.ToJsonString());
            Assert.DoesNotContain(WrongPin.ToString(), string.Join('\n', lines));
            Assert.Empty((await client.CommandAsync("n", "get_nodes"))["result"]!.AsArray());
        }

        var logged = string.Join('\n', sink.Events.Select(CapturingSink.Text));
        Assert.Contains("Matter UDP transport bound to \"127.0.0.1:", logged); // the capture saw the run
        Assert.DoesNotContain("20202025", logged);
        Assert.Empty(await device.GetFabricsAsync());
    }

    [Fact]
    public async Task Network_only_code_with_ip_addr_commissions_a_matter_js_device_over_ws_and_the_job_ends_with_a_node_get_nodes_lists()
    {
        await using var device = await MatterJsDevice.StartAsync(new MatterJsDeviceOptions { Passcode = 20202026, Discriminator = 1002 });
        await using var host = await TestHost.StartAsync();
        await using var client = await host.ConnectControllerAsync();
        var started = await client.CommandAsync("c", "commission_with_code", new JsonObject
        {
            ["code"] = device.Ready.GetProperty("manualPairingCode").GetString(),
            ["network_only"] = true,
            ["ip_addr"] = $"127.0.0.1:{device.Port}",
        });
        var jobId = (string)started["result"]!["job_id"]!;
        var (lines, verdict) = await FollowAsync(client, jobId);

        Assert.Contains("PASE session established", lines);
        Assert.Contains(lines, l => l.StartsWith("attestation verified: vendor 0xFFF1", StringComparison.Ordinal));
        Assert.DoesNotContain("20202026", string.Join('\n', lines) + verdict.ToJsonString());
        Assert.True((string?)verdict["event"] == "job_completed", verdict.ToJsonString());
        var nodeId = (ulong)verdict["data"]!["node_id"]!;
        Assert.Equal(nodeId, (ulong)verdict["data"]!["result"]!["node_id"]!);
        Assert.Equal("udp", (string?)verdict["data"]!["result"]!["transport"]);
        Assert.Equal(0xFFF1, (int)verdict["data"]!["result"]!["vendor_id"]!);
        var node = Assert.Single((await client.CommandAsync("n", "get_nodes"))["result"]!.AsArray())!;
        Assert.Equal(nodeId, (ulong)node["node_id"]!);
        Assert.Equal("udp", (string?)node["transport"]);
        Assert.Single(await device.GetFabricsAsync()); // ours, the only one
    }

    /// <summary>follow_job until its terminal event: the output lines and that event.</summary>
    internal static async Task<(List<string> Lines, JsonObject Verdict)> FollowAsync(RawClient client, string jobId)
    {
        await client.SendTextAsync(ControllerCodec.Command("f", "follow_job", new JsonObject { ["job_id"] = jobId }));
        var lines = new List<string>();
        while (true)
        {
            var frame = await client.ReceiveJsonAsync(Verdict);
            if ((string?)frame["message_id"] != "f")
            {
                continue;
            }

            switch ((string?)frame["event"])
            {
                case "job_snapshot":
                    lines.AddRange(frame["data"]!["output"]!.AsArray().Select(l => (string)l!));
                    break;
                case "job_output":
                    lines.Add((string)frame["data"]!["line"]!);
                    break;
                case "job_completed" or "job_failed" or "job_cancelled":
                    return (lines, frame);
            }
        }
    }
}
