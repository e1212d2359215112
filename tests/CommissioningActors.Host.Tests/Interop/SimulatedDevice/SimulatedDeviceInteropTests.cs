using CommissioningActors.Simulator.Matter;
using Xunit.Abstractions;

namespace CommissioningActors.Host.Tests.Interop.SimulatedDevice;

/// <summary>matter.js's own CommissioningController commissions our simulated device over UDP on loopback.</summary>
public sealed class SimulatedDeviceInteropTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Matter_js_controller_commissions_the_simulated_device_reads_it_and_toggles_its_light()
    {
        using var device = new SimulatedMatterDevice(new SimulatedDeviceOptions { OnNetwork = true, VendorName = "Sim Vendor", Log = output.WriteLine });
        await using var host = UdpMatterDeviceHost.Start(device);

        var run = await MatterJsController.RunAsync([(host.EndPoint, device.Options.Passcode)]);

        output.WriteLine(run.ToString());
        Assert.True(run.ExitCode == 0, run.ToString());
        var commissioned = Assert.Single(run.Named("commissioned"));
        Assert.Equal("Sim Vendor", Assert.Single(run.Named("vendor-name")).GetProperty("value").GetString());
        Assert.Equal([true, false], run.Named("toggled").Select(e => e.GetProperty("onOff").GetBoolean()));
        var fabric = Assert.Single(device.Inspect(s => s.Fabrics.ToList()));
        Assert.True(fabric.Committed);
        Assert.Equal(commissioned.GetProperty("nodeId").GetString(), fabric.NodeId.ToString());
        Assert.Equal(run.Controller.GetProperty("fabricId").GetString(), fabric.FabricId.ToString());
        Assert.False(device.Inspect(s => s.OnOff));
    }

    [Fact]
    public async Task A_device_whose_CommissioningComplete_is_faulted_fails_matter_js_at_that_step_and_its_disarm_leaves_the_device_empty()
    {
        using var device = new SimulatedMatterDevice(new SimulatedDeviceOptions
        {
            OnNetwork = true,
            Fault = DeviceFaultStep.CommissioningComplete,
            Log = output.WriteLine,
        });
        await using var host = UdpMatterDeviceHost.Start(device);

        var run = await MatterJsController.RunAsync([(host.EndPoint, device.Options.Passcode)], interact: false, timeout: TimeSpan.FromSeconds(30));

        output.WriteLine(run.ToString());
        Assert.NotEqual(0, run.ExitCode);
        Assert.Empty(run.Named("commissioned"));

        // matter.js disarms over CASE (ArmFailSafe 0); the device answers on that session before it closes it,
        // so the controller fails at once at the step, not at its deadline, and the device keeps nothing.
        var failed = Assert.Single(run.Named("failed"));
        Assert.Equal("commission", failed.GetProperty("step").GetString());
        Assert.Contains("InvalidAuthentication", failed.GetProperty("message").GetString());
        Assert.Empty(device.Inspect(s => s.Fabrics.ToList()));
        Assert.False(device.Inspect(s => s.FailSafe.IsArmed));
    }
}
