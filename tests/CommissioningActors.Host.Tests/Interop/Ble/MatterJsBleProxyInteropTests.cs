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

    [Fact]
    public async Task The_service_finds_the_device_through_ble_reads_c3_and_opens_btp_with_matter_js()
    {
        // Additional data on C3, flagged in the advertisement: a TLV struct as real devices serve (rotating id).
        byte[] additional = [0x15, 0x30, 0x00, 0x04, 0xDE, 0xAD, 0xBE, 0xEF, 0x18];
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
        output.WriteLine(string.Join('\n', device.Events));
        output.WriteLine(device.Process.StderrTail);
        Assert.DoesNotContain(lines, l => l.Contains("20202023", StringComparison.Ordinal) || l.Contains(device.ManualPairingCode, StringComparison.Ordinal));
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
