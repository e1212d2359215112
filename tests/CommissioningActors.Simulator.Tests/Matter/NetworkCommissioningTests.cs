using CommissioningActors.Protocol.Matter.InteractionModel;
using CommissioningActors.Simulator.Matter;
using CommissioningActors.Simulator.Matter.Clusters;

namespace CommissioningActors.Simulator.Tests.Matter;

public sealed class NetworkCommissioningTests
{
    private static readonly byte[] Ssid = "sim-ssid"u8.ToArray();

    /// <summary>A Thread dataset with channel (0), extended PAN id (2) and network key (5) TLVs.</summary>
    private static readonly byte[] Dataset = [0, 3, 0, 0, 15, 2, 8, 1, 2, 3, 4, 5, 6, 7, 8, 5, 16, .. new byte[16]];

    [Fact]
    public void Wi_Fi_network_is_added_and_connected_under_the_fail_safe_and_reverted_by_its_expiry()
    {
        using var device = new DeviceHarness();
        Assert.Equal(ImStatusCode.FailsafeRequired,
            device.Invoke(NetworkCommissioningCommands.AddOrUpdateWiFiNetwork(Ssid, "secret"u8, 1)).Status.Status);

        device.Arm(60);
        var added = NetworkConfigResponse.Parse(device.Invoke(NetworkCommissioningCommands.AddOrUpdateWiFiNetwork(Ssid, "secret"u8, 2)).Fields!);
        Assert.True(added.Value!.IsOk);
        Assert.Equal((byte)0, added.Value.NetworkIndex);
        var connected = ConnectNetworkResponse.Parse(device.Invoke(NetworkCommissioningCommands.ConnectNetwork(Ssid, 3)).Fields!);
        Assert.True(connected.Value!.IsOk);
        Assert.True(Assert.Single(device.State.Networks).Connected);
        Assert.Equal(3UL, device.State.Breadcrumb);

        device.Time.Advance(TimeSpan.FromSeconds(61));
        device.State.CheckFailSafe();

        Assert.Empty(device.State.Networks);
        Assert.Equal(0UL, device.State.Breadcrumb);
    }

    [Fact]
    public void Connecting_to_an_unknown_network_answers_NetworkIdNotFound()
    {
        using var device = new DeviceHarness();
        device.Arm();
        var connected = ConnectNetworkResponse.Parse(device.Invoke(NetworkCommissioningCommands.ConnectNetwork("other"u8, 3)).Fields!);
        Assert.Equal(NetworkCommissioningStatus.NetworkIdNotFound, connected.Value!.Status);
    }

    [Fact]
    public void Thread_device_takes_a_dataset_its_extended_PAN_id_is_the_network_id_and_refuses_a_malformed_one()
    {
        using var device = new DeviceHarness(new SimulatedDeviceOptions { Network = DeviceNetworkKind.Thread });
        Assert.Equal(0b10UL, device.Read(0, ClusterIds.NetworkCommissioning, 0xFFFC).AsUnsigned());
        device.Arm();

        var bad = NetworkConfigResponse.Parse(device.Invoke(NetworkCommissioningCommands.AddOrUpdateThreadNetwork([2, 8, 1], 1)).Fields!);
        Assert.Equal(NetworkCommissioningStatus.OutOfRange, bad.Value!.Status);
        Assert.True(NetworkConfigResponse.Parse(device.Invoke(NetworkCommissioningCommands.AddOrUpdateThreadNetwork(Dataset, 1)).Fields!).Value!.IsOk);
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8], Assert.Single(device.State.Networks).NetworkId);
        Assert.True(ConnectNetworkResponse.Parse(device.Invoke(NetworkCommissioningCommands.ConnectNetwork([1, 2, 3, 4, 5, 6, 7, 8], 2)).Fields!).Value!.IsOk);

        Assert.Equal(ImStatusCode.UnsupportedCommand, device.Invoke(NetworkCommissioningCommands.AddOrUpdateWiFiNetwork(Ssid, "x"u8, 1)).Status.Status);
    }

    [Fact]
    public void Extended_PAN_id_parser_rejects_truncated_TLVs()
    {
        Assert.Null(NetworkCommissioningServer.ExtendedPanId([2, 8, 1, 2]));
        Assert.Null(NetworkCommissioningServer.ExtendedPanId([0, 3, 0, 0, 15]));
        Assert.Null(NetworkCommissioningServer.ExtendedPanId([7]));
    }

    [Fact]
    public void The_fault_knob_fails_ConnectNetwork()
    {
        using var device = new DeviceHarness(new SimulatedDeviceOptions { Fault = DeviceFaultStep.ConnectNetwork });
        device.Arm();
        device.Invoke(NetworkCommissioningCommands.AddOrUpdateWiFiNetwork(Ssid, "secret"u8, 1));
        var connected = ConnectNetworkResponse.Parse(device.Invoke(NetworkCommissioningCommands.ConnectNetwork(Ssid, 2)).Fields!);
        Assert.Equal(NetworkCommissioningStatus.OtherConnectionFailure, connected.Value!.Status);
        Assert.False(Assert.Single(device.State.Networks).Connected);
    }
}
