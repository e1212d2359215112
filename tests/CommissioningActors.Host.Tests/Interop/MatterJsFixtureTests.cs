using System.Text.Json;

namespace CommissioningActors.Host.Tests.Interop;

/// <summary>The fixture itself: the reference controller commissions the device, failures are loud, cleanup is complete.</summary>
public sealed class MatterJsFixtureTests
{
    [Fact]
    public async Task Matter_js_controller_commissions_the_device_which_then_has_exactly_one_fabric_the_controllers()
    {
        await using var device = await MatterJsDevice.StartAsync(new MatterJsDeviceOptions { VendorName = "Interop Vendor" });
        var cursor = device.EventCursor;

        var run = await MatterJsController.RunAsync([(device.EndPoint, device.Options.Passcode)]);

        Assert.True(run.ExitCode == 0, run.ToString());
        var commissioned = Assert.Single(run.Named("commissioned"));
        Assert.InRange(commissioned.GetProperty("ms").GetInt32(), 1, 60_000);
        Assert.Equal("Interop Vendor", Assert.Single(run.Named("vendor-name")).GetProperty("value").GetString());

        // The controller toggled twice over CASE: the device saw on, then off.
        // The light starts off, so the first change after the cursor is "on" and the next one "off".
        var within = TimeSpan.FromSeconds(15);
        await device.Process.WaitForAsync(e => IsOnOffChange(e) && e.GetProperty("value").GetBoolean(), within, cursor, "on");
        await device.Process.WaitForAsync(e => IsOnOffChange(e) && !e.GetProperty("value").GetBoolean(), within, cursor, "off");
        Assert.Equal([true, false], device.Process.Events.Skip(cursor).Where(IsOnOffChange).Select(e => e.GetProperty("value").GetBoolean()));
        Assert.False(await device.GetOnOffAsync());

        var fabric = Assert.Single(await device.GetFabricsAsync());
        Assert.Equal(run.Controller.GetProperty("rootPublicKey").GetString(), fabric.RootPublicKeyHex);
        Assert.Equal(run.Controller.GetProperty("fabricId").GetString(), fabric.FabricId);
        Assert.Equal(commissioned.GetProperty("nodeId").GetString(), fabric.NodeId);
        Assert.Equal("matter.js reference", fabric.Label);
    }

    [Fact]
    public async Task Dispose_stops_the_device_process_and_deletes_its_storage()
    {
        var device = await MatterJsDevice.StartAsync();
        var pid = device.Process.ProcessId;
        var storage = device.StorageDirectory;
        Assert.True(Directory.Exists(storage));

        await device.DisposeAsync();

        Assert.True(device.Process.HasExited);
        Assert.False(Directory.Exists(storage));
        Assert.False(Directory.Exists($"/proc/{pid}"), $"process {pid} is still there");
    }

    [Fact]
    public async Task A_device_that_cannot_start_fails_with_its_own_error_in_the_message()
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            MatterJsDevice.StartAsync(new MatterJsDeviceOptions { Discriminator = 5000 }));

        Assert.Contains("exited (code 1)", failure.Message);
        Assert.Contains("discriminator must be an integer in 0..4095", failure.Message);
    }

    [Fact]
    public void Missing_packages_fail_with_the_npm_ci_instruction()
    {
        var dir = Directory.CreateTempSubdirectory("matterjs-empty-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "package.json"), "{}");
            File.WriteAllText(Path.Combine(dir, "device.mjs"), "");

            var failure = Assert.Throws<MatterJsFixtureMissingException>(() => MatterJsFixture.Locate(dir));

            Assert.Contains($"run `npm ci` in {dir}", failure.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Missing_node_fails_with_a_message_naming_node_and_npm_ci()
    {
        var failure = Assert.Throws<MatterJsFixtureMissingException>(() =>
            MatterJsFixture.Locate(MatterJsFixture.Instance.Directory, searchPath: "/nonexistent-bin"));

        Assert.Contains("Node.js (>= 20) is not on PATH", failure.Message);
        Assert.Contains("npm ci", failure.Message);
    }

    [Fact]
    public void The_repository_fixture_is_installed_at_the_pinned_version()
    {
        var fixture = MatterJsFixture.Instance;
        Assert.True(File.Exists(fixture.Node));
        Assert.True(File.Exists(Path.Combine(fixture.Directory, "package-lock.json")));
        Assert.Contains($"\"@matter/main\": \"{MatterJsFixture.PinnedVersion}\"", File.ReadAllText(Path.Combine(fixture.Directory, "package.json")));
    }

    private static bool IsOnOffChange(JsonElement e) => JsonLineProcess.Is(e, "onoff") && !e.TryGetProperty("reason", out _);
}
