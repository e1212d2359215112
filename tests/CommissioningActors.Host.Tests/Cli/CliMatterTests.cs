using Akka.Actor;
using CommissioningActors.Core.Matter.Fabric;
using CommissioningActors.Core.Storage;
using CommissioningActors.Host.Cli;
using CommissioningActors.Host.Tests.Support;

namespace CommissioningActors.Host.Tests.Cli;

/// <summary>The node and credential verbs and `commission --network`, against the real host.</summary>
public sealed class CliMatterTests
{
    private const string Password = "cli-wifi-pass-4e7a";

    [Fact]
    public async Task Set_wifi_reads_the_password_from_stdin_stores_it_and_never_prints_it()
    {
        await using var host = await TestHost.StartAsync();
        var settings = CliRun.Quick with { Input = () => new StringReader(Password + "\n") };
        var (exit, run) = await CliRun.RunAsync(settings, "set-wifi", "--url", host.Ws.ToString(), "--ssid", "home");
        Assert.Equal(CliExitCodes.Ok, exit);
        Assert.Contains("Wi-Fi credentials for home stored", run.Out);
        Assert.DoesNotContain(Password, run.Out + run.Err);

        var fabric = await host.ActorAsync<FabricActor>();
        var stored = (NetworkCredentialsFound)await fabric.Ask(new GetNetworkCredentials(NetworkKind.WiFi), TimeSpan.FromSeconds(10));
        Assert.Equal(Password, System.Text.Encoding.UTF8.GetString(stored.Credentials!.Secret));

        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, "from-a-file-91\n");
            var (fromFile, _) = await CliRun.RunAsync("set-wifi", "--url", host.Ws.ToString(), "--ssid", "home", "--password-file", file);
            Assert.Equal(CliExitCodes.Ok, fromFile);
            stored = (NetworkCredentialsFound)await fabric.Ask(new GetNetworkCredentials(NetworkKind.WiFi), TimeSpan.FromSeconds(10));
            Assert.Equal("from-a-file-91", System.Text.Encoding.UTF8.GetString(stored.Credentials!.Secret));
        }
        finally
        {
            File.Delete(file);
        }

        var (badDataset, bad) = await CliRun.RunAsync("set-thread", "--url", host.Ws.ToString(), "--dataset", "0510abcd");
        Assert.Equal(CliExitCodes.Unavailable, badDataset);
        Assert.Contains("invalid_args", bad.Err);
        Assert.DoesNotContain("0510abcd", bad.Err);
    }

    [Fact]
    public async Task Nodes_and_node_print_the_fabric_s_nodes_and_read_of_an_unknown_node_says_unknown_node()
    {
        await using var host = await TestHost.StartAsync();
        var (empty, none) = await CliRun.RunAsync("nodes", "--url", host.Ws.ToString());
        Assert.Equal((CliExitCodes.Ok, "no nodes"), (empty, none.OutLines.Single()));

        var fabric = await host.ActorAsync<FabricActor>();
        await fabric.Ask(new AddNode(new NodeRecord(5, 0xFFF1, 0x8000, "desk lamp", "udp", ["127.0.0.1:5540"], DateTimeOffset.UtcNow, null)),
            TimeSpan.FromSeconds(10));
        var (exit, run) = await CliRun.RunAsync("nodes", "--url", host.Ws.ToString());
        Assert.Equal(CliExitCodes.Ok, exit);
        Assert.StartsWith("NODE_ID", run.OutLines[0]);
        Assert.Matches(@"^5\s+0xFFF1\s+0x8000\s+desk lamp\s+yes\s+udp", run.OutLines[1]);

        var (oneExit, one) = await CliRun.RunAsync("node", "5", "--url", host.Ws.ToString());
        Assert.Equal(CliExitCodes.Ok, oneExit);
        Assert.Contains("\"label\": \"desk lamp\"", one.Out);

        var (unknown, missing) = await CliRun.RunAsync("node", "6", "--url", host.Ws.ToString());
        Assert.Equal(CliExitCodes.Unavailable, unknown);
        Assert.Contains("unknown_node", missing.Err);

        var (readExit, read) = await CliRun.RunAsync("read", "6", "0/40/1", "--url", host.Ws.ToString());
        Assert.Equal(CliExitCodes.Unavailable, readExit);
        Assert.Contains("unknown_node", read.Err);
    }

    [Fact]
    public async Task Commission_network_with_a_pin_runs_an_on_network_job_and_the_pin_is_never_printed()
    {
        await using var host = await TestHost.StartAsync();
        // Nothing listens on port 9 of loopback: the job fails at its deadline, having tried that address over UDP.
        var (exit, run) = await CliRun.RunAsync("commission", "--network", "--ip", "127.0.0.1:9", "--timeout", "1", "--follow", "20202021",
            "--url", host.Ws.ToString());
        Assert.Equal(CliExitCodes.Failed, exit);
        Assert.Contains("establishing PASE with udp 127.0.0.1:9", run.Out);
        Assert.Contains(run.OutLines, l => l.StartsWith("failed: job", StringComparison.Ordinal) && l.Contains(": timeout:", StringComparison.Ordinal));
        Assert.DoesNotContain("20202021", run.Out + run.Err);

        var (noIp, refused) = await CliRun.RunAsync("commission", "--network", "34970112332", "--url", host.Ws.ToString());
        Assert.Equal(CliExitCodes.Unavailable, noIp);
        Assert.Contains("not_available", refused.Err);
        Assert.DoesNotContain("34970112332", refused.Out + refused.Err);
    }
}
