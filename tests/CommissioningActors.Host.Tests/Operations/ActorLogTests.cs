using System.Text.Json.Nodes;
using CommissioningActors.Host.Hosting;
using CommissioningActors.Host.Tests.Support;
using CommissioningActors.Protocol.Controller;
using CommissioningActors.Simulator;
using Serilog.Events;

namespace CommissioningActors.Host.Tests.Operations;

/// <summary>A normal commissioning's log: every actor line names its actor, and no dead letters at Information.</summary>
public sealed class ActorLogTests
{
    internal const string Hocon = """
        commissioning.attempt.candidate-settle = 200ms
        commissioning.attempt.scan-timeout = 10s
        """;

    internal static SimulatorOptions Proxy() => new()
    {
        Name = "sim",
        ConnectionSlots = 1,
        Latencies = new SimulatorLatencies { AdvertisementInterval = TimeSpan.FromMilliseconds(50) },
    };

    /// <summary>Connects a simulated proxy, commissions one device over /ws and waits for its verdict; returns the job id.</summary>
    /// <param name="afterVerdict">Runs after the verdict, while the proxy and the client are still connected.</param>
    internal static async Task<string> CommissionOnceAsync(TestHost host, Func<Task>? afterVerdict = null)
    {
        await using var proxy = await SimulatedProxy.ConnectAsync(new UriBuilder(host.Ble) { Query = "name=sim" }.Uri, Proxy());
        await using var client = await RawClient.ConnectAsync(host.Ws);
        Assert.Equal("server_info", (string?)(await client.ReceiveJsonAsync())["event"]);
        await Eventually.GetAsync(async () => (await client.CommandAsync("info", "server_info"))["result"]!["proxies"]!.AsArray().Count,
            n => n == 1, what: "proxy listed in server_info");
        var started = await client.CommandAsync("c1", "commission_with_code", new JsonObject { ["code"] = "3497-011-2332" });
        var jobId = (string)started["result"]!["job_id"]!;
        await client.SendTextAsync(ControllerCodec.Command("f1", "follow_job", new JsonObject { ["job_id"] = jobId }));
        while (true)
        {
            var frame = await client.ReceiveJsonAsync(TimeSpan.FromSeconds(20));
            if ((string?)frame["message_id"] == "f1" && (string?)frame["event"] is "job_completed" or "job_failed" or "job_cancelled")
            {
                Assert.Equal("job_completed", (string?)frame["event"]);
                if (afterVerdict is not null)
                {
                    await afterVerdict();
                }

                return jobId;
            }
        }
    }


    private static string? Scalar(LogEvent e, string property) =>
        e.Properties.TryGetValue(property, out var value) && value is ScalarValue { Value: var v } ? v?.ToString() : null;

    [Fact]
    public async Task A_commissioning_run_names_the_actor_on_every_line_and_logs_no_dead_letters_at_information()
    {
        var sink = new CapturingSink();
        string jobId;
        await using (var host = await TestHost.StartWithSinkAsync(sink, "akka.loglevel = DEBUG\nakka.actor.debug.lifecycle = on\n" + Hocon,
                         "--Serilog:MinimumLevel:Default=Debug"))
        {
            jobId = await CommissionOnceAsync(host);
        }

        var events = sink.Events;
        var actorLines = events.Where(e => e.Properties.ContainsKey("ActorPath")).ToList();
        Assert.NotEmpty(actorLines);
        Assert.DoesNotContain(events, e => Scalar(e, "SourceContext") is "Akka.Actor.ActorSystem");
        Assert.All(actorLines, e => Assert.False(string.IsNullOrEmpty(Scalar(e, "SourceContext"))));
        // The job's and the proxy's own actors log under their class, with their id as a property.
        Assert.Contains(actorLines, e => Scalar(e, "JobId") == jobId && Scalar(e, "SourceContext") == "CommissioningActors.Core.Jobs.JobActor");
        Assert.Contains(actorLines, e => Scalar(e, "JobId") == jobId
            && Scalar(e, "SourceContext") == "CommissioningActors.Core.Commissioning.CommissioningAttemptActor");
        Assert.Contains(actorLines, e => Scalar(e, "ProxyId") == "proxy-1"
            && Scalar(e, "SourceContext") == "CommissioningActors.Core.Proxies.ProxySessionActor" && e.Level == LogEventLevel.Information);
        var deadLetters = events.Where(e => e.Level >= LogEventLevel.Information
            && e.RenderMessage().Contains("dead letter", StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.True(deadLetters.Count == 0, string.Join('\n', deadLetters.Select(e => e.RenderMessage())));
    }

    [Theory]
    [InlineData("akka://commissioning/user/jobs/job-ab12/x", "JobId", "ab12")]
    [InlineData("akka://commissioning/user/commissioning/attempt-ab12/connection-0", "JobId", "ab12")]
    [InlineData("akka://commissioning/user/proxies/proxy-3/gate", "ProxyId", "proxy-3")]
    public void Ids_are_read_from_the_actor_path(string path, string property, string expected)
    {
        var properties = ActorLogContext.Properties(path);
        Assert.Equal(path, properties["ActorPath"]);
        Assert.Equal(expected, properties[property]);
    }
}
