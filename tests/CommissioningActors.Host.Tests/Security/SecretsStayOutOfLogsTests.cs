using System.Text.Json.Nodes;
using CommissioningActors.Host.Tests.Support;
using CommissioningActors.Simulator;
using CommissioningActors.Protocol.Controller;

namespace CommissioningActors.Host.Tests.Security;

public sealed class SecretsStayOutOfLogsTests
{
    [Fact]
    public async Task A_full_commissioning_at_the_most_verbose_log_level_never_logs_the_code_or_passcode()
    {
        var dir = Directory.CreateTempSubdirectory("ca-logs-");
        try
        {
            await using (var host = await TestHost.StartWithHoconAsync(
                             """
                             akka.loglevel = DEBUG
                             commissioning.attempt.candidate-settle = 200ms
                             """,
                             "--Serilog:MinimumLevel:Default=Verbose",
                             $"--Logs:File={Path.Combine(dir.FullName, "service.log")}"))
            {
                await using var proxy = await SimulatedProxy.ConnectAsync(new UriBuilder(host.Ble) { Query = "name=sim" }.Uri,
                    new SimulatorOptions { Latencies = new SimulatorLatencies { AdvertisementInterval = TimeSpan.FromMilliseconds(50) } });
                await using var client = await RawClient.ConnectAsync(host.Ws);
                await client.ReceiveJsonAsync();

                foreach (var code in new[] { "3497-011-2332", "MT:-24J0AFN00KA0648G00", "3497 011 2333" })
                {
                    await client.SendTextAsync(ControllerCodec.Command(code, "commission_with_code", new JsonObject { ["code"] = code }));
                }

                await client.SendTextAsync(ControllerCodec.Command("d", "commission_device",
                    new JsonObject { ["discriminator"] = 3840, ["passcode"] = 20202021 }));
                var jobs = new List<string>();
                while (jobs.Count < 3)
                {
                    var frame = await client.ReceiveJsonAsync();
                    if (frame["result"]?["job_id"] is { } id)
                    {
                        jobs.Add((string)id!);
                    }
                }

                foreach (var job in jobs)
                {
                    await client.SendTextAsync(ControllerCodec.Command("f" + job, "follow_job", new JsonObject { ["job_id"] = job }));
                }

                var finished = 0;
                while (finished < jobs.Count)
                {
                    var frame = await client.ReceiveJsonAsync(TimeSpan.FromSeconds(30));
                    if ((string?)frame["event"] is "job_completed" or "job_failed" or "job_cancelled")
                    {
                        finished++;
                    }
                }
            }

            var logs = string.Join('\n', dir.EnumerateFiles().Select(f => File.ReadAllText(f.FullName)));
            Assert.Contains("discovered Matter device", logs); // the sink really captured the run
            foreach (var secret in new[] { "20202021", "34970112332", "3497-011-2332", "3497 011 233", "MT:-24J0AFN00KA0648G00" })
            {
                Assert.DoesNotContain(secret, logs);
            }
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
