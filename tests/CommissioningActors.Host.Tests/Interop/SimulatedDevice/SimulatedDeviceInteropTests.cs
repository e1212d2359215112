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
}
