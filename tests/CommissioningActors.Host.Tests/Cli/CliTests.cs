using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using CommissioningActors.Host.Cli;
using CommissioningActors.Host.Tests.Support;
using CommissioningActors.Simulator;
using CommissioningActors.Protocol.Controller;

namespace CommissioningActors.Host.Tests.Cli;

/// <summary>The CLI's verbs against the real host, run in-process with captured output.</summary>
public sealed class CliTests
{
    private const string Code = "34970112332";
    private const string Passcode = "20202021";

    private const string WithDevices = "commissioning.attempt.candidate-settle = 200ms";

    // No proxy connected: a job keeps scanning until this long, plenty of time to cancel it.
    private const string ScanLong = """
        commissioning.attempt.candidate-settle = 200ms
        commissioning.attempt.scan-timeout = 30s
        """;

    private static async Task<SimulatedProxy> ProxyAsync(TestHost host)
    {
        var proxy = await SimulatedProxy.ConnectAsync(new UriBuilder(host.Ble) { Query = "name=sim" }.Uri, new SimulatorOptions
        {
            Name = "sim",
            ConnectionSlots = 1,
            Latencies = new SimulatorLatencies { AdvertisementInterval = TimeSpan.FromMilliseconds(50) },
        });
        await using var client = await RawClient.ConnectAsync(host.Ws);
        await Eventually.GetAsync(async () =>
        {
            await client.SendTextAsync(ControllerCodec.Command("i", "server_info"));
            while (true)
            {
                var frame = await client.ReceiveJsonAsync();
                if ((string?)frame["message_id"] == "i" && frame["result"] is JsonObject info)
                {
                    return info["proxies"]!.AsArray().Count;
                }
            }
        }, n => n == 1, what: "proxy listed in server_info");
        return proxy;
    }

    private static void AssertNoSecrets(CliRun run)
    {
        Assert.DoesNotContain(Code, run.Out + run.Err, StringComparison.Ordinal);
        Assert.DoesNotContain(Passcode, run.Out + run.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Commission_follow_prints_the_output_and_a_completed_verdict_then_jobs_lists_it()
    {
        await using var host = await TestHost.StartWithHoconAsync(WithDevices);
        await using var proxy = await ProxyAsync(host);

        var (exit, run) = await CliRun.RunAsync("commission", Code, "--follow", "--label", "kitchen light", "--url", host.Ws.ToString());

        Assert.True(exit == CliExitCodes.Ok, run.Out + run.Err);
        var lines = run.OutLines;
        Assert.StartsWith("job ", lines[0], StringComparison.Ordinal);
        var jobId = lines[0]["job ".Length..];
        Assert.Contains(lines, l => l.Contains("BTP session open", StringComparison.Ordinal));
        Assert.StartsWith($"completed: job {jobId}", lines[^1], StringComparison.Ordinal);
        Assert.Contains("discriminator 3840", lines[^1], StringComparison.Ordinal);
        AssertNoSecrets(run);

        var (jobsExit, jobs) = await CliRun.RunAsync("jobs", "--url", host.Ws.ToString());
        Assert.Equal(CliExitCodes.Ok, jobsExit);
        Assert.Equal(["ID", "STATUS", "LABEL", "CREATED", "ERROR_CODE"], jobs.OutLines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        var row = Assert.Single(jobs.OutLines, l => l.StartsWith(jobId, StringComparison.Ordinal));
        Assert.Contains("completed", row, StringComparison.Ordinal);
        Assert.Contains("kitchen light", row, StringComparison.Ordinal);

        // Following a finished job replays its output and verdict at once.
        var (again, replay) = await CliRun.RunAsync("follow", jobId, "--url", host.Ws.ToString());
        Assert.Equal(CliExitCodes.Ok, again);
        Assert.StartsWith($"completed: job {jobId}", replay.OutLines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Follow_of_an_unknown_job_reports_unknown_job_on_stderr()
    {
        await using var host = await TestHost.StartWithHoconAsync(WithDevices);

        var (exit, run) = await CliRun.RunAsync("follow", "nope", "--url", host.Ws.ToString());

        Assert.Equal(CliExitCodes.Unavailable, exit);
        Assert.Contains("unknown_job", run.Err, StringComparison.Ordinal);
        Assert.Equal("", run.Out);
    }

    [Fact]
    public async Task Commission_with_a_bad_code_reports_invalid_code_without_echoing_it()
    {
        await using var host = await TestHost.StartWithHoconAsync(WithDevices);

        var (exit, run) = await CliRun.RunAsync("commission", "12345", "--url", host.Ws.ToString());

        Assert.Equal(CliExitCodes.Unavailable, exit);
        Assert.Contains("invalid_code", run.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("12345", run.Out + run.Err, StringComparison.Ordinal);
        Assert.Equal("", run.Out);
    }

    [Fact]
    public async Task Cancel_stops_a_scanning_job_and_its_follower_ends_with_cancelled_after_showing_progress()
    {
        await using var host = await TestHost.StartWithHoconAsync(ScanLong);
        var url = host.Ws.ToString();
        var (started, commission) = await CliRun.RunAsync("commission", Code, "--url", url);
        Assert.Equal(CliExitCodes.Ok, started);
        var jobId = Assert.Single(commission.OutLines);
        AssertNoSecrets(commission);

        var follow = CliRun.Start(CliRun.Quick with { ProgressAfter = TimeSpan.FromMilliseconds(200) }, CancellationToken.None, "follow", jobId, "--url", url);
        await Eventually.GetAsync(() => Task.FromResult(follow.Err), e => e.Contains("... still running", StringComparison.Ordinal),
            what: "progress while the job scans");

        var (cancelExit, cancel) = await CliRun.RunAsync("cancel", jobId, "--url", url);
        Assert.Equal(CliExitCodes.Ok, cancelExit);
        Assert.Contains($"cancel requested for job {jobId}", cancel.Out, StringComparison.Ordinal);

        var followExit = await follow.Exit.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(CliExitCodes.Cancelled, followExit);
        Assert.StartsWith($"cancelled: job {jobId}", follow.OutLines[^1], StringComparison.Ordinal);

        // A finished job has nothing left to cancel.
        var (lateExit, late) = await CliRun.RunAsync("cancel", jobId, "--url", url);
        Assert.Equal(CliExitCodes.Failed, lateExit);
        Assert.Contains("already finished", late.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Events_prints_the_initial_state_then_one_line_per_event_until_cancelled()
    {
        await using var host = await TestHost.StartWithHoconAsync(WithDevices);
        await using var proxy = await ProxyAsync(host);
        using var stop = new CancellationTokenSource();
        var events = CliRun.Start(null, stop.Token, "events", "--url", host.Ws.ToString());
        await Eventually.GetAsync(() => Task.FromResult(events.Out), o => o.Contains("jobs: ", StringComparison.Ordinal), what: "initial state");
        Assert.StartsWith("proxies: 1", events.Out, StringComparison.Ordinal);

        var (_, commission) = await CliRun.RunAsync("commission", Code, "--url", host.Ws.ToString());
        var jobId = Assert.Single(commission.OutLines);
        var done = await Eventually.GetAsync(() => Task.FromResult(events.OutLines), l => l.Any(x => x.Contains("job_completed", StringComparison.Ordinal)),
            what: "job_completed event");
        await stop.CancelAsync();

        Assert.Equal(CliExitCodes.Ok, await events.Exit.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains(done, l => l.Contains("slot_acquired", StringComparison.Ordinal));
        Assert.Contains(done, l => l.Contains($"job_completed job_id={jobId} status=completed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_server_that_cannot_be_reached_gives_a_clear_message_and_exit_3()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var (exit, run) = await CliRun.RunAsync("jobs", "--url", $"ws://127.0.0.1:{port}/ws");

        Assert.Equal(CliExitCodes.Unavailable, exit);
        Assert.Contains($"cannot reach ws://127.0.0.1:{port}/ws", run.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_token_comes_from_the_option_or_COMMISSIONING_TOKEN_and_a_missing_one_is_explained()
    {
        await using var host = await TestHost.StartWithHoconAsync(WithDevices, "--Server:Token=s3cret");
        var url = host.Ws.ToString();

        var (refused, without) = await CliRun.RunAsync("jobs", "--url", url);
        Assert.Equal(CliExitCodes.Unavailable, refused);
        Assert.Contains("401", without.Err, StringComparison.Ordinal);
        Assert.Contains("--token", without.Err, StringComparison.Ordinal);

        var (viaOption, _) = await CliRun.RunAsync("jobs", "--url", url, "--token", "s3cret");
        Assert.Equal(CliExitCodes.Ok, viaOption);

        var fromEnvironment = CliRun.Quick with { Environment = name => name == CliApp.TokenVariable ? "s3cret" : null };
        var (viaEnvironment, listed) = await CliRun.RunAsync(fromEnvironment, "jobs", "--url", url);
        Assert.Equal(CliExitCodes.Ok, viaEnvironment);
        Assert.Equal("no jobs", listed.Out.Trim());
    }

    [Theory]
    [InlineData("commission", Code, "--bogus")]
    [InlineData("commission", "--follow", Code, "extra")]
    [InlineData("follow")]
    public async Task A_bad_command_line_is_a_usage_error_that_never_echoes_a_code(params string[] args)
    {
        var (exit, run) = await CliRun.RunAsync([.. args, "--url", "ws://127.0.0.1:1/ws"]);

        Assert.Equal(CliExitCodes.Unavailable, exit);
        Assert.Contains("error:", run.Err, StringComparison.Ordinal);
        AssertNoSecrets(run);
    }

    [Theory]
    [InlineData(new string[0], false)]
    [InlineData(new[] { "serve" }, false)]
    [InlineData(new[] { "--urls", "http://127.0.0.1:5580" }, false)]
    [InlineData(new[] { "--Simulator:Enabled=false" }, false)]
    [InlineData(new[] { "commission", Code }, true)]
    [InlineData(new[] { "jobs" }, true)]
    [InlineData(new[] { "--help" }, true)]
    public void Only_a_verb_first_makes_a_cli_run_everything_else_runs_the_service(string[] args, bool cli) =>
        Assert.Equal(cli, CliApp.IsCliInvocation(args));

    [Fact]
    public async Task A_job_that_fails_exits_1_with_its_error_code_and_message()
    {
        await using var host = await TestHost.StartWithHoconAsync("""
            commissioning.attempt.candidate-settle = 200ms
            commissioning.attempt.scan-timeout = 1s
            """);

        var (exit, run) = await CliRun.RunAsync("commission", Code, "--follow", "--url", host.Ws.ToString());

        Assert.Equal(CliExitCodes.Failed, exit);
        Assert.Matches(@"^failed: job \w+: no_proxy: .+", run.OutLines[^1]);

        // Following the finished job gives the same verdict and exit code, printed once.
        var jobId = run.OutLines[0]["job ".Length..];
        var (again, replay) = await CliRun.RunAsync("follow", jobId, "--url", host.Ws.ToString());
        Assert.Equal(CliExitCodes.Failed, again);
        Assert.Equal(run.OutLines[^1], Assert.Single(replay.OutLines, l => l.StartsWith("failed:", StringComparison.Ordinal)));
    }
}
