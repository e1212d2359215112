namespace CommissioningActors.Host.Tests.Interop;

/// <summary>A device that stops answering mid-flow: the commissioner gives up, the fail-safe rolls back, a retry works.</summary>
public sealed class MatterJsFailSafeTests
{
    [Fact]
    public async Task A_device_frozen_after_ArmFailSafe_rolls_back_when_its_fail_safe_expires_and_then_commissions()
    {
        await using var device = await MatterJsDevice.StartAsync(new MatterJsDeviceOptions { FailSafeSeconds = 5 });
        var cursor = device.EventCursor;

        // The commissioner arms the fail-safe (breadcrumb 1); the device freezes itself right there.
        await device.FreezeAtBreadcrumbAsync(1);
        var failed = await MatterJsController.RunAsync([(device.EndPoint, device.Options.Passcode)], interact: false, timeout: TimeSpan.FromSeconds(8));
        await device.WaitForEventAsync("frozen", cursor);
        Assert.NotEqual(0, failed.ExitCode);
        Assert.Empty(failed.Named("commissioned"));

        // Thawed, the device finds its fail-safe overdue: it expires, the breadcrumb goes back to 0, nothing was kept.
        var thawed = device.EventCursor;
        device.Resume();
        await device.WaitForEventAsync("breadcrumb", thawed, TimeSpan.FromSeconds(30), e => e.GetProperty("value").GetInt32() == 0);
        Assert.Empty(await device.GetFabricsAsync());

        var secondTry = await MatterJsController.RunAsync([(device.EndPoint, device.Options.Passcode)], interact: false);
        Assert.True(secondTry.ExitCode == 0, secondTry.ToString());
        var fabric = Assert.Single(await device.GetFabricsAsync());
        Assert.Equal(secondTry.Controller.GetProperty("rootPublicKey").GetString(), fabric.RootPublicKeyHex);
    }
}
