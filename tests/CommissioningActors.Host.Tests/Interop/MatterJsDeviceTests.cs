using System.Net;
using System.Net.Sockets;

namespace CommissioningActors.Host.Tests.Interop;

/// <summary>One shared matter.js device: what the fixture reports before anyone commissions it.</summary>
public sealed class MatterJsDeviceTests(MatterJsDeviceTests.SharedDevice shared) : IClassFixture<MatterJsDeviceTests.SharedDevice>
{
    private MatterJsDevice Device => shared.Device;

    [Fact]
    public async Task Ready_device_listens_on_its_reported_loopback_port_and_has_no_fabric()
    {
        Assert.InRange(Device.Port, 1, 65535);
        Assert.Equal("127.0.0.1", Device.Ready.GetProperty("address").GetString());
        Assert.False(Device.Ready.GetProperty("commissioned").GetBoolean());

        // The port is taken on 127.0.0.1: the device holds it.
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        var bind = Assert.Throws<SocketException>(() => probe.Bind(new IPEndPoint(IPAddress.Loopback, Device.Port)));
        Assert.Equal(SocketError.AddressAlreadyInUse, bind.SocketErrorCode);

        Assert.Empty(await Device.GetFabricsAsync());
    }

    [Fact]
    public async Task Ready_line_carries_the_pairing_codes_of_the_chosen_passcode_and_discriminator()
    {
        Assert.Equal(20202023, Device.Ready.GetProperty("passcode").GetInt32());
        Assert.Equal(1234, Device.Ready.GetProperty("discriminator").GetInt32());
        var manual = Device.Ready.GetProperty("manualPairingCode").GetString();
        Assert.Matches("^[0-9]{11}$", manual);
        Assert.StartsWith("MT:", Device.Ready.GetProperty("qrPairingCode").GetString());
        Assert.Empty(await Device.GetFabricsAsync());
    }

    [Fact]
    public async Task Switching_the_light_at_the_device_is_reported_as_onoff_events()
    {
        var cursor = Device.EventCursor;
        await Device.SetOnOffAsync(true);
        var on = await Device.WaitForEventAsync("onoff", cursor, also: e => !e.TryGetProperty("reason", out _));
        Assert.True(on.GetProperty("value").GetBoolean());
        Assert.True(await Device.GetOnOffAsync());

        cursor = Device.EventCursor;
        await Device.SetOnOffAsync(false);
        var off = await Device.WaitForEventAsync("onoff", cursor, also: e => !e.TryGetProperty("reason", out _));
        Assert.False(off.GetProperty("value").GetBoolean());
        Assert.False(await Device.GetOnOffAsync());
    }

    public sealed class SharedDevice : IAsyncLifetime
    {
        public MatterJsDevice Device { get; private set; } = null!;

        public async Task InitializeAsync() =>
            Device = await MatterJsDevice.StartAsync(new MatterJsDeviceOptions { Passcode = 20202023, Discriminator = 1234 });

        public async Task DisposeAsync() => await Device.DisposeAsync();
    }
}
