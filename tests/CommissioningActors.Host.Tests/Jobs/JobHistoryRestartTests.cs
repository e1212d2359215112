using System.Text.Json.Nodes;
using Akka.Actor;
using CommissioningActors.Core.Proxies;
using CommissioningActors.Host.Tests.Support;
using CommissioningActors.Simulator;

namespace CommissioningActors.Host.Tests.Jobs;

/// <summary>Job history in the embedded store: what finished survives a restart, what was running is reported interrupted.</summary>
public sealed class JobHistoryRestartTests
{
    private const string Hocon = """
        commissioning.attempt.candidate-settle = 200ms
        commissioning.attempt.scan-timeout = 30s
        """;

    [Fact]
    public async Task After_a_restart_finished_jobs_are_listed_with_their_output_and_a_running_one_failed_as_interrupted()
    {
        var storage = TestHost.NewStorageDirectory();
        try
        {
            string completedId, runningId;
            JsonArray completedOutput;
            await using (var host = await TestHost.StartWithHoconAsync(Hocon, $"--Storage:Directory={storage}"))
            {
                await using var proxy = await SimulatedProxy.ConnectAsync(new UriBuilder(host.Ble) { Query = "name=sim" }.Uri, new SimulatorOptions
                {
                    Name = "sim",
                    ConnectionSlots = 1,
                    Latencies = new SimulatorLatencies { AdvertisementInterval = TimeSpan.FromMilliseconds(50) },
                });
                await using var client = await host.ConnectControllerAsync();
                var proxies = await host.ActorAsync<ProxyManagerActor>();
                await Eventually.GetAsync(() => proxies.Ask<ProxyList>(GetProxies.Instance), l => l.Proxies.Any(p => p.Ready), what: "a ready proxy");

                completedId = JobId(await client.CommandAsync("c1", "commission_with_code", new JsonObject { ["code"] = "34970112332", ["label"] = "light" }));
                var frames = await FollowAsync(client, "f1", completedId, f => (string?)f["event"] is "job_completed" or "job_failed");
                Assert.Equal("job_completed", (string?)frames[^1]["event"]);
                completedOutput = (await client.CommandAsync("g1", "get_job", new JsonObject { ["job_id"] = completedId }))["result"]!["output"]!.AsArray();
                Assert.NotEmpty(completedOutput);

                // A valid code no simulated device answers to: it scans until the host goes away under it.
                runningId = JobId(await client.CommandAsync("c2", "commission_with_code", new JsonObject { ["code"] = "11693312331" }));
                // Running once its snapshot says so or its job_started arrives, whichever the follow sees first.
                await FollowAsync(client, "f2", runningId,
                    f => (string?)f["event"] == "job_started" || (string?)f["data"]?["status"] == "running");
            }

            await using (var restarted = await TestHost.StartWithHoconAsync(Hocon, $"--Storage:Directory={storage}"))
            {
                await using var client = await restarted.ConnectControllerAsync();
                var jobs = (await client.CommandAsync("l1", "list_jobs"))["result"]!.AsArray().Select(j => j!.AsObject()).ToList();

                var completed = Assert.Single(jobs, j => (string?)j["job_id"] == completedId);
                Assert.Equal("completed", (string?)completed["status"]);
                Assert.Equal("light", (string?)completed["label"]);
                var interrupted = Assert.Single(jobs, j => (string?)j["job_id"] == runningId);
                Assert.Equal("failed", (string?)interrupted["status"]);
                Assert.Equal("interrupted", (string?)interrupted["error_code"]);

                var output = (await client.CommandAsync("g2", "get_job", new JsonObject { ["job_id"] = completedId }))["result"]!["output"]!.AsArray();
                Assert.Equal(completedOutput.Select(l => (string?)l), output.Select(l => (string?)l));

                // A restored job's stream ends like a live one's: its snapshot, then exactly one terminal event.
                var frames = await FollowAsync(client, "f3", runningId, f => (string?)f["event"] is "job_completed" or "job_failed" or "job_cancelled");
                Assert.Equal(["job_snapshot", "job_failed"], frames.Select(f => (string?)f["event"]));
                var cancel = await client.CommandAsync("x1", "cancel_job", new JsonObject { ["job_id"] = completedId });
                Assert.Equal(false, (bool?)cancel["result"]!["cancelled"]);
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

    private static string JobId(JsonObject reply) => (string?)reply["result"]!["job_id"] ?? throw new InvalidOperationException(reply.ToJsonString());



    private static async Task<List<JsonObject>> FollowAsync(RawClient client, string messageId, string jobId, Func<JsonObject, bool> last)
    {
        await client.SendTextAsync(new JsonObject { ["message_id"] = messageId, ["command"] = "follow_job", ["args"] = new JsonObject { ["job_id"] = jobId } }.ToJsonString());
        var frames = new List<JsonObject>();
        while (true)
        {
            var frame = await client.ReceiveJsonAsync(TimeSpan.FromSeconds(20));
            if ((string?)frame["message_id"] == messageId)
            {
                frames.Add(frame);
                if (last(frame))
                {
                    return frames;
                }
            }
        }
    }
}
