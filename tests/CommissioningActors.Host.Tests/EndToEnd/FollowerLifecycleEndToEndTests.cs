using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Akka.Actor;
using CommissioningActors.Core.Commissioning;
using CommissioningActors.Core.Controller;
using CommissioningActors.Core.Events;
using CommissioningActors.Core.Jobs;
using CommissioningActors.Host.Tests.Support;
using CommissioningActors.Protocol.Controller;

namespace CommissioningActors.Host.Tests.EndToEnd;

/// <summary>Seed 001's leaks and fail-closed backpressure, over real sockets.</summary>
public sealed class FollowerLifecycleEndToEndTests
{
    // No proxy is connected, so a commissioning job keeps scanning: a job that stays running.
    private const string Hocon = """
        commissioning.attempt.scan-timeout = 60s
        commissioning.jobs.follower-buffer = 10
        """;


    private static Task SendAsync(RawClient client, string messageId, string command, JsonObject? args = null) =>
        client.SendTextAsync(ControllerCodec.Command(messageId, command, args));

    private static async Task<JsonObject> NextForAsync(RawClient client, string messageId)
    {
        while (true)
        {
            var frame = await client.ReceiveJsonAsync();
            if ((string?)frame["message_id"] == messageId)
            {
                return frame;
            }
        }
    }

    /// <summary>Waits until each stream has sent its first frame; streams interleave in any order.</summary>
    private static async Task FirstFramesAsync(RawClient client, params string[] messageIds)
    {
        var waiting = messageIds.ToHashSet();
        while (waiting.Count > 0)
        {
            waiting.Remove((string?)(await client.ReceiveJsonAsync())["message_id"] ?? string.Empty);
        }
    }

    private static async Task<string> RunningJobAsync(RawClient client)
    {
        await SendAsync(client, "c", "commission_with_code", new JsonObject { ["code"] = "34970112332" });
        return (string)(await NextForAsync(client, "c"))["result"]!["job_id"]!;
    }

    private static async Task<IActorRef> JobActorAsync(TestHost host, string jobId) =>
        await host.System.ActorSelection($"/user/jobs/job-{jobId}").ResolveOne(TimeSpan.FromSeconds(3));

    private static async Task<int> FollowersAsync(IActorRef publisher) =>
        (await publisher.Ask<FollowerCount>(GetFollowerCount.Instance, TimeSpan.FromSeconds(3))).Count;

    [Fact]
    public async Task Followers_of_a_client_that_disconnects_leave_no_subscription_or_actor_behind()
    {
        await using var host = await TestHost.StartWithHoconAsync(Hocon);
        var jobs = await host.ActorAsync<JobManagerActor>();
        var events = await host.ActorAsync<EventHubActor>();
        var hub = await host.ActorAsync<ControllerHubActor>();
        await using var owner = await host.ConnectControllerAsync();
        var jobId = await RunningJobAsync(owner);
        var job = await JobActorAsync(host, jobId);

        var clients = new List<RawClient>();
        for (var i = 0; i < 3; i++)
        {
            var client = await host.ConnectControllerAsync();
            await SendAsync(client, "job", "follow_job", new JsonObject { ["job_id"] = jobId });
            await SendAsync(client, "jobs", "follow_jobs");
            await SendAsync(client, "events", "subscribe_events");
            await FirstFramesAsync(client, "job", "jobs", "events");
            clients.Add(client);
        }

        Assert.Equal(3, await FollowersAsync(job));
        Assert.Equal(3, await FollowersAsync(jobs));
        Assert.Equal(3, await FollowersAsync(events));

        clients[0].Socket.Abort();
        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }

        await Eventually.GetAsync(() => FollowersAsync(job), n => n == 0, what: "job followers gone");
        await Eventually.GetAsync(() => FollowersAsync(jobs), n => n == 0, what: "follow_jobs followers gone");
        await Eventually.GetAsync(() => FollowersAsync(events), n => n == 0, what: "event subscribers gone");
        await Eventually.GetAsync(() => hub.Ask<ControllerSessionCount>(GetControllerSessionCount.Instance), c => c.Count == 1,
            what: "only the owner's session left");
    }

    [Fact]
    public async Task Unsubscribe_stops_one_stream_and_leaves_the_others()
    {
        await using var host = await TestHost.StartWithHoconAsync(Hocon);
        var events = await host.ActorAsync<EventHubActor>();
        var jobs = await host.ActorAsync<JobManagerActor>();
        await using var client = await host.ConnectControllerAsync();
        await SendAsync(client, "events", "subscribe_events");
        await SendAsync(client, "jobs", "follow_jobs");
        await FirstFramesAsync(client, "events", "jobs");

        await SendAsync(client, "u", "unsubscribe", new JsonObject { ["stream_id"] = "events" });
        Assert.True((bool)(await NextForAsync(client, "u"))["result"]!["unsubscribed"]!);

        await Eventually.GetAsync(() => FollowersAsync(events), n => n == 0, what: "subscriber gone");
        Assert.Equal(1, await FollowersAsync(jobs));
    }

    [Fact]
    public async Task A_cancelled_job_ends_its_followers_with_one_terminal_event()
    {
        await using var host = await TestHost.StartWithHoconAsync(Hocon);
        await using var client = await host.ConnectControllerAsync();
        var jobId = await RunningJobAsync(client);
        var job = await JobActorAsync(host, jobId);
        await SendAsync(client, "f", "follow_job", new JsonObject { ["job_id"] = jobId });
        Assert.Equal("job_snapshot", (string?)(await NextForAsync(client, "f"))["event"]);

        await SendAsync(client, "x", "cancel_job", new JsonObject { ["job_id"] = jobId });
        var frames = new List<JsonObject>();
        JsonObject frame;
        do
        {
            frame = await NextForAsync(client, "f");
            frames.Add(frame);
        }
        while ((string?)frame["event"] != "job_cancelled");

        Assert.Single(frames, f => (string?)f["event"] is "job_cancelled" or "job_completed" or "job_failed");
        await Eventually.GetAsync(() => FollowersAsync(job), n => n == 0, what: "follower gone after the terminal event");
        await SendAsync(client, "g", "get_job", new JsonObject { ["job_id"] = jobId });
        Assert.Equal("cancelled", (string?)(await NextForAsync(client, "g"))["result"]!["status"]);
    }

    [Fact]
    public async Task A_follower_that_falls_behind_gets_backpressure_then_its_socket_closes_and_others_are_untouched()
    {
        await using var host = await TestHost.StartWithHoconAsync(Hocon);
        await using var bystander = await host.ConnectControllerAsync();
        await using var client = await host.ConnectControllerAsync();
        var jobId = await RunningJobAsync(client);
        var job = await JobActorAsync(host, jobId);
        await SendAsync(client, "f", "follow_job", new JsonObject { ["job_id"] = jobId });
        await NextForAsync(client, "f");

        // A burst far larger than the follower's 10-event buffer.
        for (var i = 0; i < 2000; i++)
        {
            job.Tell(new AttemptOutput(jobId, $"line {i} {new string('x', 200)}"));
        }

        var frames = new List<JsonObject>();
        while (await client.ReceiveTextAsync(TimeSpan.FromSeconds(10)) is { } text)
        {
            frames.Add(JsonNode.Parse(text)!.AsObject());
        }

        var last = frames[^1];
        Assert.Equal("backpressure", (string?)last["error_code"]);
        Assert.Equal("f", (string?)last["message_id"]);
        Assert.True(frames.Count < 2000, "the stream failed instead of delivering everything");
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, client.Socket.CloseStatus);

        await SendAsync(bystander, "l", "list_jobs");
        Assert.NotNull((await NextForAsync(bystander, "l"))["result"]);
        await Eventually.GetAsync(() => FollowersAsync(job), n => n == 0, what: "overflowed follower gone");
    }

    [Fact]
    public async Task A_client_gets_a_bounded_number_of_streams()
    {
        await using var host = await TestHost.StartWithHoconAsync(Hocon);
        await using var client = await host.ConnectControllerAsync();
        for (var i = 0; i < ControllerSessionActor.MaxStreams; i++)
        {
            await SendAsync(client, $"s{i}", "subscribe_events");
            await NextForAsync(client, $"s{i}");
        }

        await SendAsync(client, "one-too-many", "subscribe_events");
        Assert.Equal("invalid_args", (string?)(await NextForAsync(client, "one-too-many"))["error_code"]);
        await Eventually.GetAsync(async () => await FollowersAsync(await host.ActorAsync<EventHubActor>()),
            n => n == ControllerSessionActor.MaxStreams, what: "exactly the allowed streams");
    }
}
