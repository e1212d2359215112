using System.Text.Json.Nodes;
using CommissioningActors.Host.Tests.Support;

namespace CommissioningActors.Host.Tests.EndToEnd;

/// <summary>Caps on active jobs, list_jobs paging and the bounded follow_jobs snapshot, over real sockets.</summary>
public sealed class JobLimitsEndToEndTests
{
    // No proxy is connected: a job scans until scan-timeout, so it stays active as long as a test needs.
    private const string LongScans = "commissioning.attempt.scan-timeout = 60s";



    private static Task<JsonObject> CommissionAsync(RawClient client, string messageId) =>
        client.CommandAsync(messageId, "commission_with_code", new JsonObject { ["code"] = "3497-011-2332", ["label"] = messageId });

    private static async Task<string> StartJobAsync(RawClient client, string messageId)
    {
        var reply = await CommissionAsync(client, messageId);
        return (string?)reply["result"]?["job_id"] ?? throw new InvalidOperationException($"no job: {reply.ToJsonString()}");
    }

    private static async Task<List<JsonObject>> ListAllAsync(RawClient client) =>
        [.. (await client.CommandAsync("all", "list_jobs"))["result"]!.AsArray().Select(j => j!.AsObject())];

    [Fact]
    public async Task Commissions_beyond_the_per_client_and_service_caps_get_busy_and_a_finished_job_frees_a_place()
    {
        await using var host = await TestHost.StartWithHoconAsync($"""
            {LongScans}
            commissioning.jobs.max-active = 4
            commissioning.jobs.max-active-per-client = 2
            """);
        await using var a = await host.ConnectControllerAsync();
        await using var c = await host.ConnectControllerAsync();
        var first = await StartJobAsync(a, "a1");
        await StartJobAsync(a, "a2");

        var perClient = await CommissionAsync(a, "a3");
        Assert.Equal("busy", (string?)perClient["error_code"]);
        Assert.Contains("this connection already has 2 jobs", (string?)perClient["details"], StringComparison.Ordinal);

        await using (var b = await host.ConnectControllerAsync())
        {
            await StartJobAsync(b, "b1");
            await StartJobAsync(b, "b2");
        }

        // b went away; its jobs keep running and keep counting towards the service's cap.
        var service = await CommissionAsync(c, "c1");
        Assert.Equal("busy", (string?)service["error_code"]);
        Assert.Contains("the service already has 4 jobs", (string?)service["details"], StringComparison.Ordinal);
        var jobs = await ListAllAsync(c);
        Assert.Equal(4, jobs.Count);
        Assert.All(jobs, j => Assert.Contains((string?)j["status"], new[] { "queued", "running" }));

        Assert.Equal(true, (bool?)(await a.CommandAsync("x", "cancel_job", new JsonObject { ["job_id"] = first }))["result"]!["cancelled"]);
        await Eventually.GetAsync(async () => (await ListAllAsync(c)).Single(j => (string?)j["job_id"] == first)["status"]!.GetValue<string>(),
            s => s == "cancelled", what: "the cancelled job finished");

        Assert.NotNull((await CommissionAsync(c, "c2"))["result"]?["job_id"]);
        Assert.Equal("busy", (string?)(await CommissionAsync(c, "c3"))["error_code"]);
    }

    [Fact]
    public async Task List_jobs_pages_in_creation_order_and_without_args_answers_the_plain_array()
    {
        await using var host = await TestHost.StartWithHoconAsync(LongScans);
        await using var client = await host.ConnectControllerAsync();
        var created = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            created.Add(await StartJobAsync(client, $"c{i}"));
        }

        var legacy = (await ListAllAsync(client)).Select(j => (string)j["job_id"]!).ToList();
        Assert.Equal(created.Order(), legacy.Order());

        var paged = new List<string>();
        var pages = 0;
        string? cursor = null;
        do
        {
            var args = new JsonObject { ["limit"] = 2 };
            if (cursor is not null)
            {
                args["cursor"] = cursor;
            }

            var page = (await client.CommandAsync($"p{pages}", "list_jobs", args))["result"]!.AsObject();
            Assert.Equal(5, (int)page["total"]!);
            var jobs = page["jobs"]!.AsArray();
            Assert.InRange(jobs.Count, 1, 2);
            paged.AddRange(jobs.Select(j => (string)j!["job_id"]!));
            cursor = (string?)page["next_cursor"];
            pages++;
        }
        while (cursor is not null);

        Assert.Equal(3, pages);
        Assert.Equal(legacy, paged);

        var defaulted = (await client.CommandAsync("d", "list_jobs", new JsonObject { ["cursor"] = null, ["limit"] = 100 }))["result"]!;
        Assert.Null((string?)defaulted["next_cursor"]);
        Assert.Equal(5, defaulted["jobs"]!.AsArray().Count);

        foreach (var bad in new[] { new JsonObject { ["limit"] = 0 }, new JsonObject { ["limit"] = 501 }, new JsonObject { ["cursor"] = "garbage" },
                     new JsonObject { ["cursor"] = 7 } })
        {
            Assert.Equal("invalid_args", (string?)(await client.CommandAsync("bad", "list_jobs", bad))["error_code"]);
        }
    }

    [Fact]
    public async Task The_follow_jobs_snapshot_carries_at_most_snapshot_max_jobs_and_says_how_many_it_left_out()
    {
        await using var host = await TestHost.StartWithHoconAsync("""
            commissioning.attempt.scan-timeout = 200ms
            commissioning.jobs.snapshot-max = 3
            """);
        await using var client = await host.ConnectControllerAsync();
        for (var i = 0; i < 5; i++)
        {
            await StartJobAsync(client, $"c{i}");
        }

        var all = await Eventually.GetAsync(() => ListAllAsync(client), jobs => jobs.All(j => (string?)j["status"] == "failed"),
            what: "every job failed with no_proxy");

        await client.SendTextAsync("""{"message_id":"fj","command":"follow_jobs","args":{}}""");
        JsonObject snapshot;
        do
        {
            snapshot = await client.ReceiveJsonAsync();
        }
        while ((string?)snapshot["message_id"] != "fj");

        Assert.Equal("jobs_snapshot", (string?)snapshot["event"]);
        var data = snapshot["data"]!;
        Assert.Equal(5, (int)data["total"]!);
        Assert.Equal(2, (int)data["omitted"]!);
        Assert.Equal(all.Skip(2).Select(j => (string?)j["job_id"]), data["jobs"]!.AsArray().Select(j => (string?)j!["job_id"]));
    }
}
