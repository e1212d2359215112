using System.Text.Json.Nodes;
using CommissioningActors.Host.Tests.Interop;
using CommissioningActors.Host.Tests.Support;

namespace CommissioningActors.Host.Tests.Matter;

/// <summary>
/// The whole service finds a device by mDNS: a matter.js device and the service (as a process) share a private
/// network namespace whose only interface is lo, the resolver is on, and the command carries no ip_addr. The
/// device is found by `_matterc._udp`, the new node by `_matter._tcp`; nothing leaves the namespace.
/// </summary>
public sealed class MdnsCommissioningInteropTests
{
    private const string ResolverOn = """
        commissioning.matter.udp.bind-address = "127.0.0.1"
        commissioning.matter.resolver { enabled = on, interfaces = [lo] }
        """;

    [Fact]
    public async Task A_network_only_code_without_ip_addr_commissions_the_device_mdns_finds_and_the_node_answers_a_read()
    {
        await using var network = await NetworkNamespace.CreateAsync();
        await using var device = await MatterJsDevice.StartAsync(new MatterJsDeviceOptions { Passcode = 20202071, Discriminator = 3071, Network = network });
        await using var host = await NamespacedHost.StartAsync(network, ResolverOn);
        await using var client = await host.ConnectControllerAsync();

        var started = await client.CommandAsync("c", "commission_with_code", new JsonObject
        {
            ["code"] = device.Ready.GetProperty("manualPairingCode").GetString(),
            ["network_only"] = true,
            ["label"] = "found by mdns",
        });
        var jobId = (string?)started["result"]?["job_id"] ?? throw new InvalidOperationException(started.ToJsonString());
        var (lines, verdict) = await NetworkCommissioningInteropTests.FollowAsync(client, jobId);
        var text = string.Join('\n', lines);

        Assert.True((string?)verdict["event"] == "job_completed", $"{verdict.ToJsonString()}\n{text}\n{host.Output}");
        var nodeId = (ulong)verdict["data"]!["node_id"]!;
        // The manual code carries the short discriminator: 3071 >> 8 = 11; the device was found by its announcement.
        Assert.Contains("looking for a commissionable device with short discriminator 11 on the network", lines);
        Assert.Contains(lines, l => l.StartsWith("found ", StringComparison.Ordinal) && l.Contains($":{device.Port}", StringComparison.Ordinal));
        // CASE went to where `_matter._tcp` said the node is, not to a fallback.
        Assert.Contains(lines, l => l.StartsWith($"node {nodeId} found at ", StringComparison.Ordinal) && l.Contains($":{device.Port}", StringComparison.Ordinal));
        Assert.DoesNotContain("trying the commissioning address", text);
        Assert.DoesNotContain("20202071", text + verdict.ToJsonString());

        var node = Assert.Single((await client.CommandAsync("n", "get_nodes"))["result"]!.AsArray())!;
        Assert.Equal(nodeId, (ulong)node["node_id"]!);
        Assert.Equal("found by mdns", (string?)node["label"]);
        var name = await client.CommandAsync("r", "read_attribute", new JsonObject { ["node_id"] = nodeId, ["attribute_path"] = "0/40/1" });
        Assert.True((string?)name["result"]?["0/40/1"] == "matter.js fixture", $"{name.ToJsonString()}\n{host.Output}");
        Assert.Equal(nodeId.ToString(), Assert.Single(await device.GetFabricsAsync()).NodeId);
    }
}
