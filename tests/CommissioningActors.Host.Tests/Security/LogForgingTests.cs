using System.Text.Json;
using System.Text.Json.Nodes;
using CommissioningActors.Host.Tests.Support;
using CommissioningActors.Protocol.Matter;

namespace CommissioningActors.Host.Tests.Security;

/// <summary>A proxy whose strings carry newlines and escape codes cannot forge log lines or job output lines.</summary>
public sealed class LogForgingTests
{
    private const string Forged = "\n[12:00:00 ERR] fake\u001b[2J";

    [Fact]
    public async Task A_proxy_error_with_a_forged_line_is_one_escaped_line_in_job_output_verdict_and_logs()
    {
        var dir = Directory.CreateTempSubdirectory("ca-forge-");
        try
        {
            var lines = new List<string>();
            JsonObject verdict;
            await using (var host = await TestHost.StartWithHoconAsync(
                             """
                             commissioning.proxy.scan-on-connect = off
                             commissioning.attempt.candidate-settle = 100ms
                             """,
                             "--Serilog:MinimumLevel:Default=Information",
                             $"--Logs:File={Path.Combine(dir.FullName, "service.log")}"))
            {
                await using var proxy = await RawClient.ConnectAsync(new UriBuilder(host.Ble) { Query = "name=forger" }.Uri);
                await proxy.SendTextAsync("""{"type":"hello","version":1}""");
                await proxy.ReceiveJsonAsync();
                await proxy.SendTextAsync(Event("scan_stopped", new JsonObject { ["reason"] = "adapter_off" + Forged }));
                await proxy.SendTextAsync(Event("warp" + Forged, []));
                var advert = Convert.ToBase64String(new MatterAdvertisement(3840, 0, 0xFFF1, 0x8001, false).Encode());
                await proxy.SendTextAsync(Event("device_discovered", new JsonObject
                {
                    ["address"] = "C0:FF:EE:00:00:01",
                    ["connectable"] = true,
                    ["name"] = "light" + Forged,
                    ["service_data"] = new JsonObject { [MatterBle.ServiceUuid] = advert },
                }));

                await using var client = await RawClient.ConnectAsync(host.Ws);
                await client.ReceiveJsonAsync(); // server_info
                await client.SendTextAsync("""{"message_id":"c","command":"commission_with_code","args":{"code":"34970112332"}}""");
                var jobId = (string)(await client.ReceiveJsonAsync())["result"]!["job_id"]!;
                await client.SendTextAsync(new JsonObject
                {
                    ["message_id"] = "f",
                    ["command"] = "follow_job",
                    ["args"] = new JsonObject { ["job_id"] = jobId },
                }.ToJsonString());

                var connect = await proxy.ReceiveJsonAsync();
                Assert.Equal("connect", (string?)connect["command"]);
                await proxy.SendTextAsync(new JsonObject
                {
                    ["id"] = (int)connect["id"]!,
                    ["success"] = false,
                    ["error"] = "connection_failed",
                    ["message"] = "no luck" + Forged,
                }.ToJsonString());

                while (true)
                {
                    var frame = await client.ReceiveJsonAsync(TimeSpan.FromSeconds(20));
                    var name = (string?)frame["event"];
                    if (name == "job_output")
                    {
                        lines.Add((string)frame["data"]!["line"]!);
                    }
                    else if (name is "job_failed" or "job_completed" or "job_cancelled")
                    {
                        verdict = frame["data"]!.AsObject();
                        break;
                    }
                }
            }

            const string Visible = "\\n[12:00:00 ERR] fake\\u001b[2J";
            Assert.Equal("failed", (string?)verdict["status"]);
            var error = (string)verdict["error"]!;
            Assert.Contains("no luck" + Visible, error);
            Assert.Contains(lines, l => l.Contains("no luck" + Visible));
            foreach (var text in lines.Append(error))
            {
                Assert.DoesNotContain('\n', text);
                Assert.DoesNotContain('\u001b', text);
            }

            // Every rendered log message is one line, and the forged strings are in it, escaped.
            var messages = dir.EnumerateFiles().SelectMany(f => File.ReadAllLines(f.FullName))
                .Select(l => JsonNode.Parse(l)!.AsObject())
                .SelectMany(o => o.Where(p => p.Value?.GetValueKind() == JsonValueKind.String).Select(p => (string)p.Value!))
                .ToList();
            Assert.Contains(messages, m => m.Contains("adapter_off" + Visible));
            Assert.Contains(messages, m => m.Contains("warp" + Visible));
            Assert.DoesNotContain(messages, m => m.Contains('\n') && m.Contains("fake"));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static string Event(string name, JsonObject data) => new JsonObject { ["event"] = name, ["data"] = data }.ToJsonString();
}
