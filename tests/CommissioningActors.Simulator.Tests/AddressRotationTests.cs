using CommissioningActors.Protocol.BleProxy;

namespace CommissioningActors.Simulator.Tests;

public sealed class AddressRotationTests
{
    private static SimulatedDevice Rotating(AddressRotation rotation) =>
        DefaultDevices.All[0] with { Rotation = rotation };

    [Fact]
    public async Task A_rotating_device_is_connectable_only_at_its_current_address()
    {
        await using var server = new TestBleServer();
        var rotation = new AddressRotation();
        var device = Rotating(rotation);
        var (proxy, session) = await server.StartSimulatorAsync(new SimulatorOptions { Devices = [device] });
        await using var _ = proxy;

        Assert.True(rotation.Advance(device.Addresses.Count));
        var stale = await session.CommandAsync(new Connect(device.Addresses[0], TimeoutMs: 150));
        Assert.False(stale.Success);
        Assert.Equal(BleErrorCodes.DeviceNotFound, stale.Error);

        // The stale connect held a slot until its own timeout, as a real controller's would.
        Assert.Equal(1, proxy.SlotHoldsCompleted);
        Assert.InRange(proxy.TotalSlotHoldTime.TotalMilliseconds, 140, 5_000);
        Assert.Equal(0, proxy.LinkHoldsCompleted);

        var current = await session.CommandAsync(new Connect(device.Addresses[1]));
        Assert.True(current.Success, current.Message);
        Assert.Equal(1, proxy.SlotsInUse);
    }

    [Fact]
    public async Task A_configured_fraction_of_stale_connects_fails_fast()
    {
        await using var server = new TestBleServer();
        var rotation = new AddressRotation();
        var device = Rotating(rotation);
        var options = new SimulatorOptions
        {
            Devices = [device],
            Radio = new SimulatorRadio { StaleConnectFastFailure = 1.0 },
            Latencies = new SimulatorLatencies { Seed = 5 },
        };
        var (proxy, session) = await server.StartSimulatorAsync(options);
        await using var _ = proxy;
        rotation.Advance(device.Addresses.Count);

        var stale = await session.CommandAsync(new Connect(device.Addresses[0], TimeoutMs: 60_000));

        Assert.Equal(BleErrorCodes.DeviceNotFound, stale.Error);
        Assert.InRange(proxy.TotalSlotHoldTime.TotalMilliseconds, 0, 5_000);
    }

    [Fact]
    public async Task Only_the_current_address_is_advertised_and_a_rotation_is_advertised_at_once()
    {
        await using var server = new TestBleServer();
        var rotation = new AddressRotation();
        var device = Rotating(rotation);
        var options = new SimulatorOptions
        {
            Devices = [device],
            // Rounds far apart: the new address must not wait for the next round.
            Latencies = new SimulatorLatencies { AdvertisementInterval = TimeSpan.FromMinutes(10) },
            Radio = new SimulatorRadio { RssiJitterDb = 3 },
        };
        var (proxy, session) = await server.StartSimulatorAsync(options);
        await using var _ = proxy;

        Assert.True((await session.CommandAsync(new StartScan(null, AllowDuplicates: true))).Success);
        var first = await session.NextAsync<DeviceDiscovered>();
        Assert.Equal(device.Addresses[0], first.Address);
        Assert.InRange(first.Rssi!.Value, device.Rssi - 3, device.Rssi + 3);

        rotation.Advance(device.Addresses.Count);
        var second = await session.NextAsync<DeviceDiscovered>(d => d.Address != device.Addresses[0]);
        Assert.Equal(device.Addresses[1], second.Address);
    }

    [Fact]
    public void Rotation_stops_at_the_last_address()
    {
        var rotation = new AddressRotation();
        Assert.True(rotation.Advance(2));
        Assert.False(rotation.Advance(2));
        Assert.Equal(1, rotation.Index);
    }
}
