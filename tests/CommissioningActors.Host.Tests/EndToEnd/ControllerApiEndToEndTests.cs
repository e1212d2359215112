using System.Text.Json.Nodes;
using CommissioningActors.Host.Tests.Support;
using CommissioningActors.Simulator;
using CommissioningActors.Protocol.Controller;

namespace CommissioningActors.Host.Tests.EndToEnd;

/// <summary>The /ws controller API driving real commissioning through the simulator.</summary>
public sealed class ControllerApiEndToEndTests
{
    private const string Hocon = """
        commissioning.attempt.candidate-settle = 200ms
        commissioning.attempt.scan-timeout = 10s
        """;

    private static SimulatorOptions Proxy() => new()
    {
        Name = "sim",
        ConnectionSlots = 1,
        Latencies = new SimulatorLatencies { AdvertisementInterval = TimeSpan.FromMilliseconds(50) },
    };



    /// <summary>Frames of one stream until (and including) the one the predicate accepts.</summary>
    private static async Task<List<JsonObject>> StreamUntilAsync(RawClient client, string messageId, Func<JsonObject, bool> last)
    {
        var frames = new List<JsonObject>();
        while (true)
        {
            var frame = await client.ReceiveJsonAsync(TimeSpan.FromSeconds(20));
            if ((string?)frame["message_id"] != messageId)
            {
                continue;
            }

            frames.Add(frame);
            if (last(frame))
            {
                return frames;
            }
        }
    }

    [Fact]
    public async Task Commission_with_code_then_follow_job_streams_output_to_a_completed_verdict()
    {
        await using var host = await TestHost.StartWithHoconAsync(Hocon);
        await using var proxy = await SimulatedProxy.ConnectAsync(new UriBuilder(host.Ble) { Query = "name=sim" }.Uri, Proxy());
        await using var client = await host.ConnectControllerAsync();
        await Eventually.GetAsync(async () => (await client.CommandAsync("info", "server_info"))["result"]!["proxies"]!.AsArray().Count,
            n => n == 1, what: "proxy listed in server_info");
        // Progress is live-only: a watcher subscribed before the job exists sees all of it, however late follow_job lands.
        await using var watcher = await host.ConnectControllerAsync();
        await watcher.SendTextAsync(ControllerCodec.Command("all", "follow_jobs"));
        await StreamUntilAsync(watcher, "all", f => (string?)f["event"] == "jobs_snapshot");

        var started = await client.CommandAsync("c1", "commission_with_code", new JsonObject { ["code"] = "3497-011-2332", ["label"] = "kitchen light" });
        var jobId = (string?)started["result"]!["job_id"];
        Assert.False(string.IsNullOrEmpty(jobId));

        await client.SendTextAsync(ControllerCodec.Command("f1", "follow_job", new JsonObject { ["job_id"] = jobId }));
        var frames = await StreamUntilAsync(client, "f1", f => (string?)f["event"] is "job_completed" or "job_failed" or "job_cancelled");

        Assert.Equal("job_snapshot", (string?)frames[0]["event"]);
        Assert.Equal("job_completed", (string?)frames[^1]["event"]);
        Assert.Equal(1, frames.Count(f => (string?)f["event"] is "job_completed" or "job_failed" or "job_cancelled"));
        var lines = frames[0]["data"]!["output"]!.AsArray().Select(l => (string)l!)
            .Concat(frames.Where(f => (string?)f["event"] == "job_output").Select(f => (string)f["data"]!["line"]!)).ToList();
        Assert.Contains(lines, l => l.Contains("BTP session open", StringComparison.Ordinal));
        var all = await StreamUntilAsync(watcher, "all", f => (string?)f["event"] == "job_completed" && (string?)f["data"]!["job_id"] == jobId);
        Assert.Contains(all, f => (string?)f["event"] == "job_progress" && (string?)f["data"]!["job_id"] == jobId
            && (string?)f["data"]!["phase"] == "connecting" && (int)f["data"]!["candidates"]! == 3);
        Assert.All(frames.Where(f => (string?)f["event"] == "job_output"), f => Assert.Equal(jobId, (string?)f["data"]!["job_id"]));
        Assert.DoesNotContain(lines, l => l.Contains("20202021", StringComparison.Ordinal) || l.Contains("34970112332", StringComparison.Ordinal));
        var verdict = frames[^1]["data"]!;
        Assert.Equal("completed", (string?)verdict["status"]);
        Assert.Equal(3840, (int)verdict["result"]!["discriminator"]!);
        Assert.Equal("kitchen light", (string?)verdict["label"]);

        // Following a finished job replays its output and its one terminal event, then ends.
        await client.SendTextAsync(ControllerCodec.Command("f2", "follow_job", new JsonObject { ["job_id"] = jobId }));
        var replay = await StreamUntilAsync(client, "f2", f => (string?)f["event"] == "job_completed");
        Assert.Equal(["job_snapshot", "job_completed"], replay.Select(f => (string?)f["event"]));
        Assert.Equal("completed", (string?)replay[0]["data"]!["status"]);
        Assert.Equal(jobId, (string?)replay[^1]["data"]!["job_id"]);

        var got = await client.CommandAsync("g1", "get_job", new JsonObject { ["job_id"] = jobId });
        Assert.Equal("completed", (string?)got["result"]!["status"]);
        var list = await client.CommandAsync("l1", "list_jobs");
        Assert.Contains(list["result"]!.AsArray(), j => (string?)j!["job_id"] == jobId);
    }

    [Fact]
    public async Task A_second_client_subscribed_to_events_sees_slots_taken_and_released()
    {
        await using var host = await TestHost.StartWithHoconAsync(Hocon);
        await using var proxy = await SimulatedProxy.ConnectAsync(new UriBuilder(host.Ble) { Query = "name=sim" }.Uri, Proxy());
        await using var watcher = await host.ConnectControllerAsync();
        await using var commander = await host.ConnectControllerAsync();

        await watcher.SendTextAsync(ControllerCodec.Command("ev", "subscribe_events"));
        var initial = await StreamUntilAsync(watcher, "ev", f => (string?)f["event"] == "initial_state");
        Assert.Equal("initial_state", (string?)initial[0]["event"]);

        var started = await commander.CommandAsync("c1", "commission_with_code", new JsonObject { ["code"] = "34970112332" });
        var jobId = (string?)started["result"]!["job_id"];

        // The verdict and the slot's release race each other (the release follows the connection's stop).
        var completed = false;
        var released = false;
        var seen = await StreamUntilAsync(watcher, "ev", f =>
        {
            completed |= (string?)f["event"] == "job_completed" && (string?)f["data"]!["job_id"] == jobId;
            released |= (string?)f["event"] == "slot_released" && (int)f["data"]!["in_use"]! == 0;
            return completed && released;
        });
        var names = seen.Select(f => (string?)f["event"]).ToList();
        Assert.True(names.IndexOf("slot_acquired") < names.IndexOf("job_completed"));
        Assert.True(names.IndexOf("slot_acquired") < names.IndexOf("slot_released"));
        var acquired = seen.First(f => (string?)f["event"] == "slot_acquired")["data"]!;
        Assert.Equal(1, (int)acquired["in_use"]!);
        Assert.All(seen.Where(f => (string?)f["event"] == "slot_acquired"), f => Assert.True((int)f["data"]!["in_use"]! <= 1));
    }

    [Theory]
    [InlineData("""{"message_id":"x","command":"commission_with_code","args":{"code":"12345"}}""", "invalid_code")]
    [InlineData("""{"message_id":"x","command":"commission_with_code","args":{"code":"34970112333"}}""", "invalid_code")]
    [InlineData("""{"message_id":"x","command":"commission_with_code","args":{"code":42}}""", "invalid_args")]
    [InlineData("""{"message_id":"x","command":"commission_with_code","args":{}}""", "invalid_args")]
    [InlineData("""{"message_id":"x","command":"commission_device","args":{"passcode":20202021}}""", "invalid_args")]
    [InlineData("""{"message_id":"x","command":"commission_device","args":{"passcode":11111111,"discriminator":3840}}""", "invalid_code")]
    [InlineData("""{"message_id":"x","command":"commission_device","args":{"passcode":20202021,"discriminator":5000}}""", "invalid_args")]
    [InlineData("""{"message_id":"x","command":"get_job","args":{"job_id":"nope"}}""", "unknown_job")]
    [InlineData("""{"message_id":"x","command":"cancel_job","args":{"job_id":"nope"}}""", "unknown_job")]
    [InlineData("""{"message_id":"x","command":"follow_job","args":{"job_id":"nope"}}""", "unknown_job")]
    [InlineData("""{"message_id":"x","command":"get_job","args":{"job_id":7}}""", "invalid_args")]
    public async Task Bad_commands_get_a_structured_error_and_the_socket_stays_up(string frame, string errorCode)
    {
        await using var host = await TestHost.StartWithHoconAsync(Hocon);
        await using var client = await host.ConnectControllerAsync();
        await client.SendTextAsync(frame);
        var error = await client.ReceiveJsonAsync();
        Assert.Equal("x", (string?)error["message_id"]);
        Assert.Equal(errorCode, (string?)error["error_code"]);
        Assert.DoesNotContain("34970112333", (string?)error["details"]);

        var ok = await client.CommandAsync("after", "list_jobs");
        Assert.NotNull(ok["result"]);
    }
}
