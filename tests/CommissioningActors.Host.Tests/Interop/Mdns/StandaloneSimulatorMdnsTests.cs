using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CommissioningActors.Host.Tests.Matter;
using CommissioningActors.Host.Tests.Support;

namespace CommissioningActors.Host.Tests.Interop.Mdns;

/// <summary>
/// The product feature end to end, as two processes: the service (embedded simulator off, so it holds no static
/// entry for any device) and the standalone simulator with `--mdns lo`, in a private network namespace whose only
/// interface is lo. The Test Light is commissioned over BLE through the simulator's proxy, joins the "network",
/// is announced by the simulator's mDNS responder, and the service finds it by `_matter._tcp` for CASE.
/// </summary>
public sealed partial class StandaloneSimulatorMdnsTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task The_service_commissions_the_standalone_simulators_test_light_over_ble_and_reaches_it_where_mdns_says()
    {
        const string password = "simulated wifi password";
        await using var network = await NetworkNamespace.CreateAsync();
        await using var service = await NamespaceService.StartAsync(network);
        await using var simulator = StandaloneSimulator.Start(network, "--url", NamespaceService.BleInside.ToString(), "--mdns", "lo", "--name", "standalone");
        await simulator.WaitForLineAsync(l => l.StartsWith("mDNS responder on lo", StringComparison.Ordinal), Patience, "responder line");
        var light = await simulator.WaitForLineAsync(l => l.StartsWith("device 'Test Light", StringComparison.Ordinal), Patience, "Test Light line");
        var code = ManualCode().Match(light).Groups[1].Value;
        await simulator.WaitForLineAsync(l => l.Contains("] connected to ", StringComparison.Ordinal), Patience, "proxy connected line");
        await using var client = await service.ConnectControllerAsync();
        var stored = await client.CommandAsync("w", "set_wifi_credentials", new JsonObject { ["ssid"] = "sim-net", ["credentials"] = password });
        Assert.True(stored["error_code"] is null, stored.ToJsonString());

        var started = await client.CommandAsync("c", "commission_with_code", new JsonObject { ["code"] = code, ["label"] = "standalone light" });
        var jobId = (string?)started["result"]?["job_id"] ?? throw new InvalidOperationException(started.ToJsonString());
        var (lines, verdict) = await NetworkCommissioningInteropTests.FollowAsync(client, jobId);

        var why = $"{verdict.ToJsonString()}\n{string.Join('\n', lines)}\n--- simulator ---\n{simulator.Output}\n--- service ---\n{service.StderrTail}";
        Assert.True((string?)verdict["event"] == "job_completed", why);
        var result = verdict["data"]!["result"]!;
        Assert.Equal("ble", (string?)result["transport"]);
        var nodeId = (ulong)result["node_id"]!;

        // The simulator announced the node by mDNS, and CASE went where `_matter._tcp` said it listens.
        var announced = await simulator.WaitForLineAsync(l => l.StartsWith("operational: ", StringComparison.Ordinal)
            && l.EndsWith($"-{nodeId:X16}", StringComparison.Ordinal), Patience, "operational announcement");
        var port = Announced().Match(announced).Groups[1].Value;
        Assert.Contains(lines, l => l.StartsWith($"node {nodeId} found at ", StringComparison.Ordinal) && l.Contains($"127.0.0.1:{port}", StringComparison.Ordinal));

        var onOff = await client.CommandAsync("r", "read_attribute", new JsonObject { ["node_id"] = nodeId, ["attribute_path"] = "1/6/0" });
        Assert.True(onOff["result"]?["1/6/0"] is JsonValue value && value.GetValueKind() is System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False,
            $"{onOff.ToJsonString()}\n{why}");

        foreach (var secret in new[] { password, code })
        {
            Assert.DoesNotContain(secret, string.Join('\n', lines) + service.AllLogText(), StringComparison.Ordinal);
        }

        Assert.DoesNotContain(password, simulator.Output, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"manual code (\d{11})")]
    private static partial Regex ManualCode();

    [GeneratedRegex(@"udp 127\.0\.0\.1:(\d+), operational instance")]
    private static partial Regex Announced();
}
