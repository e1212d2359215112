using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using CommissioningActors.Host.Tests.Support;
using CommissioningActors.Protocol.Controller;
using Xunit.Abstractions;

namespace CommissioningActors.Host.Tests.Interop.Ble;

/// <summary>
/// Our service against a real matter.js device behind a BLE proxy client that speaks our /ble protocol over a fake
/// radio (tests/fixtures/matterjs/ble-proxy-device.mjs): matter.js's own advertiser and BtpSessionHandler are the
/// device side of everything that crosses the proxy.
/// </summary>
public sealed class MatterJsBleProxyInteropTests(ITestOutputHelper output)
{
    private static readonly TimeSpan JobTimeout = TimeSpan.FromSeconds(120);

    /// <summary>What the device serves on C3: a TLV struct as real devices serve there (a rotating id).</summary>
    private static readonly byte[] AdditionalData = [0x15, 0x30, 0x00, 0x04, 0xDE, 0xAD, 0xBE, 0xEF, 0x18];

    /// <summary>Test hosts stop at the BTP handshake unless told to commission over the link.</summary>
    private const string CommissionOverBle = "commissioning.attempt.commission-over-ble = on";

    [Fact]
    public async Task The_service_finds_the_device_through_ble_reads_c3_and_opens_btp_with_matter_js()
    {
        byte[] additional = AdditionalData;
        await using var host = await TestHost.StartAsync();
        await using var device = await MatterJsBleProxyDevice.StartAsync(host.Ble, new MatterJsBleProxyDeviceOptions
        {
            Passcode = 20202023,
            Discriminator = 3210,
            AdditionalData = additional,
        });
        var advertised = await device.WaitForEventAsync("advertising", also: e => e.GetProperty("active").GetBoolean());
        // matter.js's own BLE advertisement: opcode 0, discriminator 3210 + version 0, vendor 0xFFF1, product 0x8000, flag 1.
        Assert.Equal("008a0cf1ff008001", advertised.GetProperty("serviceData").GetString());
        await using var client = await host.ConnectControllerAsync();

        var (verdict, lines) = await CommissionAsync(client, device.ManualPairingCode);

        Assert.True((string?)verdict["event"] == "job_completed", verdict.ToJsonString() + "\n" + string.Join('\n', lines));
        var job = verdict["data"]!;
        Assert.Equal(device.Address, (string?)job["result"]!["address"]);
        Assert.Equal(3210, (int)job["result"]!["discriminator"]!);
        Assert.Equal(0xFFF1, (int)job["result"]!["vendor_id"]!);
        var connected = await device.WaitForEventAsync("connected");
        Assert.Equal(device.Address, connected.GetProperty("address").GetString());
        var handle = connected.GetProperty("handle").GetInt32();
        Assert.Equal(additional.Length, (await device.WaitForEventAsync("c3-read")).GetProperty("length").GetInt32());
        Assert.Contains(lines, l => l.Contains($"Read {additional.Length} byte(s) of additional data (C3)", StringComparison.Ordinal));

        // The session our central opened is the one matter.js's BtpSessionHandler answered.
        var opened = await device.WaitForEventAsync("btp", also: e => e.GetProperty("action").GetString() == "opened");
        Assert.Equal(handle, opened.GetProperty("handle").GetInt32());
        var btp = job["result"]!["btp"]!;
        Assert.Equal(4, (int)btp["version"]!);
        Assert.Equal(opened.GetProperty("segment").GetInt32(), (int)btp["segment_size"]!);
        Assert.Equal(opened.GetProperty("window").GetInt32(), (int)btp["window_size"]!);

        // The job gives the link back: our central disconnects it (the device did not drop it).
        var disconnected = await device.WaitForEventAsync("disconnected", timeout: TimeSpan.FromSeconds(30));
        Assert.Equal("central", disconnected.GetProperty("by").GetString());
        Assert.DoesNotContain(lines, l => l.Contains("20202023", StringComparison.Ordinal) || l.Contains(device.ManualPairingCode, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_network_credentials_the_job_fails_before_the_device_is_connected()
    {
        await using var host = await TestHost.StartWithoutNetworkCredentialsAsync(CommissionOverBle);
        await using var device = await MatterJsBleProxyDevice.StartAsync(host.Ble, new MatterJsBleProxyDeviceOptions
        {
            Passcode = 20202024,
            Discriminator = 3211,
        });
        await using var client = await host.ConnectControllerAsync();

        var (verdict, lines) = await CommissionAsync(client, device.ManualPairingCode);

        Assert.True((string?)verdict["event"] == "job_failed", verdict.ToJsonString() + "\n" + string.Join('\n', lines));
        Assert.Equal("network_credentials_missing", (string?)verdict["data"]!["error_code"]);
        // The verdict is final: the device, advertising all along, was never connected, so no slot was spent.
        Assert.DoesNotContain(device.Events, e => JsonLineProcess.Is(e, "connected"));
    }

    /// <param name="concurrent">
    /// False: the device cannot hold BLE and Wi-Fi at once and drops the link itself after ConnectNetwork, which is
    /// success, not failure.
    /// </param>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_matter_js_device_behind_the_proxy_is_commissioned_over_ble_joins_wifi_and_is_reached_over_case(bool concurrent)
    {
        const string ssid = "fixture-net";
        const string password = "correct horse battery staple";
        // Service and device in a private network namespace: the device is found for CASE by real operational mDNS.
        await using var network = await NetworkNamespace.CreateAsync();
        await using var service = await NamespaceService.StartAsync(network);
        await using var device = await MatterJsBleProxyDevice.StartAsync(NamespaceService.BleInside, new MatterJsBleProxyDeviceOptions
        {
            Passcode = 20202041,
            Discriminator = 1041,
            ConcurrentConnection = concurrent,
            AdditionalData = AdditionalData,
            Network = network,
        });
        var advertised = await device.WaitForEventAsync("advertising", also: e => e.GetProperty("active").GetBoolean());
        // matter.js's own BLE advertisement: opcode 0, discriminator 1041 + version 0, vendor 0xFFF1, product 0x8000,
        // flags 1 (additional data on C3).
        Assert.Equal("001104f1ff008001", advertised.GetProperty("serviceData").GetString());
        await using var client = await service.ConnectControllerAsync();
        var stored = await client.CommandAsync("w", "set_wifi_credentials", new JsonObject { ["ssid"] = ssid, ["credentials"] = password });
        Assert.True(stored["error_code"] is null, stored.ToJsonString());

        var (verdict, lines) = await CommissionAsync(client, device.ManualPairingCode);

        var why = verdict.ToJsonString() + "\n" + string.Join('\n', lines) + "\n--- device ---\n" + string.Join('\n', device.Events)
            + "\n" + device.Process.StderrTail + "\n--- service ---\n" + service.StderrTail;
        // matter.js expires the fail-safe (and drops the new fabric) when the session that armed it gets a
        // CloseSession: PASE must be left without one before CommissioningComplete.
        Assert.False(device.Events.Any(e => JsonLineProcess.Is(e, "session") && e.GetProperty("kind").GetString() == "pase"
            && e.GetProperty("action").GetString() == "closed-by-peer"), "the service sent CloseSession over PASE before CommissioningComplete\n" + why);
        Assert.True((string?)verdict["event"] == "job_completed", why);
        output.WriteLine(string.Join('\n', lines));
        output.WriteLine($"job {verdict["data"]!["started_at"]} .. {verdict["data"]!["finished_at"]}");
        var result = verdict["data"]!["result"]!;
        Assert.Equal("ble", (string?)result["transport"]);
        var nodeId = (ulong)result["node_id"]!;

        // Over BLE: C3 read (the advertisement flagged it), then the BTP session matter.js's BtpSessionHandler answered.
        Assert.Equal(AdditionalData.Length, (await device.WaitForEventAsync("c3-read")).GetProperty("length").GetInt32());
        Assert.Contains(lines, l => l.Contains($"Read {AdditionalData.Length} byte(s) of additional data (C3)", StringComparison.Ordinal));
        var opened = await device.WaitForEventAsync("btp", also: e => e.GetProperty("action").GetString() == "opened");
        Assert.Contains(lines, l => l.StartsWith("BTP session open", StringComparison.Ordinal)
            && l.Contains($"segment {opened.GetProperty("segment").GetInt32()}, window {opened.GetProperty("window").GetInt32()}", StringComparison.Ordinal));

        // The device got our Wi-Fi network (the password's hash: it is never printed) and was told to connect.
        var added = await device.WaitForEventAsync("network", also: e => e.GetProperty("action").GetString() == "added");
        Assert.Equal(ssid, added.GetProperty("ssid").GetString());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(password))), added.GetProperty("credentialsSha256").GetString());
        await device.WaitForEventAsync("network", also: e => e.GetProperty("action").GetString() == "connected");

        // The BLE link (and with it the proxy's slot) was given back before CASE: the device saw the link end
        // before its first CASE session opened (our central disconnecting, unless the device dropped it first).
        var events = device.Events.ToList();
        var released = events.FindIndex(e => JsonLineProcess.Is(e, "disconnected"));
        var caseOpened = events.FindIndex(e => JsonLineProcess.Is(e, "session") && e.GetProperty("kind").GetString() == "case"
            && e.GetProperty("action").GetString() == "opened");
        Assert.True(released >= 0 && caseOpened > released, why);
        var slotBack = lines.FindIndex(l => l.Contains("connection slot is back in the pool", StringComparison.Ordinal));
        var caseStarts = lines.FindIndex(l => l.StartsWith("establishing CASE", StringComparison.Ordinal));
        Assert.True(slotBack >= 0 && caseStarts > slotBack, why);
        if (concurrent)
        {
            Assert.Equal("central", events[released].GetProperty("by").GetString());
        }

        // On our fabric as that node, as matter.js itself holds it.
        var fabric = Assert.Single(await device.GetFabricsAsync());
        Assert.Equal(nodeId.ToString(), fabric.NodeId);

        // Reached over CASE (UDP, found by mDNS): read BasicInformation, switch the light.
        var name = await client.CommandAsync("r", "read_attribute", new JsonObject { ["node_id"] = nodeId, ["attribute_path"] = "0/40/1" });
        Assert.Equal(device.Options.VendorName, (string?)name["result"]?["0/40/1"]);
        var onoff = device.EventCursor;
        var on = await client.CommandAsync("on", "device_command", new JsonObject
        {
            ["node_id"] = nodeId,
            ["endpoint_id"] = 1,
            ["cluster_id"] = 6,
            ["command_name"] = "On",
            ["payload"] = new JsonObject(),
        });
        Assert.True(on["error_code"] is null, on.ToJsonString());
        Assert.True((await device.WaitForEventAsync("onoff", onoff)).GetProperty("value").GetBoolean());
        Assert.True(await device.GetOnOffAsync());

        // No secret in the job output or the service's log.
        string[] secrets = ["20202041", device.ManualPairingCode, device.QrPairingCode, password];
        var log = service.AllLogText();
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(lines, l => l.Contains(secret, StringComparison.Ordinal));
            Assert.DoesNotContain(secret, log, StringComparison.Ordinal);
        }
    }

    /// <summary>commission_with_code, then follow_job to its terminal event; returns it and every output line.</summary>
    private static async Task<(JsonObject Verdict, List<string> Lines)> CommissionAsync(RawClient client, string code)
    {
        var started = await client.CommandAsync("c", "commission_with_code", new JsonObject { ["code"] = code });
        var jobId = (string?)started["result"]?["job_id"] ?? throw new InvalidOperationException(started.ToJsonString());
        await client.SendTextAsync(ControllerCodec.Command("f", "follow_job", new JsonObject { ["job_id"] = jobId }));
        var lines = new List<string>();
        var deadline = DateTime.UtcNow + JobTimeout;
        while (true)
        {
            var frame = await client.ReceiveJsonAsync(deadline - DateTime.UtcNow);
            if ((string?)frame["message_id"] != "f")
            {
                continue;
            }

            switch ((string?)frame["event"])
            {
                case "job_snapshot":
                    lines.AddRange(frame["data"]!["output"]!.AsArray().Select(l => (string)l!));
                    break;
                case "job_output":
                    lines.Add((string)frame["data"]!["line"]!);
                    break;
                case "job_completed" or "job_failed" or "job_cancelled":
                    return (frame, lines);
            }
        }
    }
}
