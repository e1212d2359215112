using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using CommissioningActors.Protocol.BleProxy;
using CommissioningActors.Protocol.Matter.Certificates;
using CommissioningActors.Protocol.Matter.InteractionModel;
using CommissioningActors.Protocol.Matter.Messages;
using CommissioningActors.Protocol.Matter.SecureChannel;
using CommissioningActors.Simulator.Matter;

namespace CommissioningActors.Simulator.Tests.Matter;

/// <summary>
/// The simulator's BLE devices as real commissionees: a <see cref="SimulatedMatterFleet"/> behind a simulated
/// proxy, driven over /ble frames by a test-side commissioner (the service's BTP, PASE and IM codecs).
/// </summary>
public sealed class BleMatterDeviceTests
{
    private static readonly SimulatedDevice Light = DefaultDevices.All[0];
    private static readonly byte[] Ssid = "sim-ssid"u8.ToArray();

    private static SimulatorOptions Options(SimulatedMatterFleet fleet) => new()
    {
        Latencies = new SimulatorLatencies { AdvertisementInterval = TimeSpan.FromMilliseconds(50) },
        DeviceLinks = fleet.Links,
    };

    private static ulong CompressedFabricId(FabricAuthority authority) =>
        BinaryPrimitives.ReadUInt64BigEndian(CaseKeySchedule.CompressedFabricId(authority.RootCertificate.PublicKey, authority.FabricId));

    private static async Task<BleTestCommissioner> PaseAsync(TestSession session, string address, uint passcode = 20202021)
    {
        var commissioner = await BleTestCommissioner.OpenAsync(session, address);
        Assert.IsType<SessionEstablished>(await commissioner.PaseAsync(passcode));
        return commissioner;
    }

    private static async Task ArmAsync(BleTestCommissioner commissioner)
    {
        var armed = await commissioner.InvokeAsync(GeneralCommissioningCommands.ArmFailSafe(120, 1));
        Assert.True(CommissioningResponse.Parse(armed.Command!.Fields!).Value!.IsOk);
    }

    private static async Task<ConnectNetworkResponse> ConnectNetworkAsync(BleTestCommissioner commissioner)
    {
        var added = await commissioner.InvokeAsync(NetworkCommissioningCommands.AddOrUpdateWiFiNetwork(Ssid, "secret"u8, 2));
        Assert.True(NetworkConfigResponse.Parse(added.Command!.Fields!).Value!.IsOk);
        var connected = await commissioner.InvokeAsync(NetworkCommissioningCommands.ConnectNetwork(Ssid, 3));
        return ConnectNetworkResponse.Parse(connected.Command!.Fields!).Value!;
    }

    [Fact]
    public async Task A_BTP_linked_device_answers_PASE_with_its_passcode_and_keeps_its_state_across_links_and_addresses()
    {
        await using var fleet = new SimulatedMatterFleet();
        await using var server = new TestBleServer();
        var (proxy, session) = await server.StartSimulatorAsync(Options(fleet));
        await using var _ = proxy;
        using var authority = FabricAuthority.Create(0x1234, 1);

        using (var first = await PaseAsync(session, Light.Addresses[0]))
        {
            var device = Assert.Single(fleet.Devices);
            Assert.Equal(1, device.Matter.SecureSessionCount);
            await ArmAsync(first);
            var noc = await first.JoinFabricAsync(authority, device.Matter.State.Attestation.Dac, 0x42);
            Assert.True(NocResponse.Parse(noc.Command!.Fields!).Value!.IsOk);
            Assert.True((await session.CommandAsync(new Disconnect(first.Handle))).Success);
        }

        var matter = Assert.Single(fleet.Devices);
        Assert.Equal(0, matter.OpenLinks);
        Assert.Equal(0, matter.Matter.SecureSessionCount);

        // Another address of the same (rotating) device reaches the same Matter device: the fabric is still there.
        using var second = await PaseAsync(session, Light.Addresses[2]);
        Assert.Same(matter, Assert.Single(fleet.Devices));
        Assert.Equal(0x42ul, Assert.Single(matter.Matter.Inspect(s => s.Fabrics.ToList())).NodeId);
        Assert.Equal(Light.Passcode, matter.Matter.Options.Passcode);
        Assert.Equal((Light.Discriminator, Light.VendorId, Light.ProductId, false),
            (matter.Matter.Options.Discriminator, matter.Matter.Options.VendorId, matter.Matter.Options.ProductId, matter.Matter.Options.OnNetwork));
        Assert.IsType<SessionFailed>(await (await BleTestCommissioner.OpenAsync(session, Light.Addresses[1])).PaseAsync(12345679));
    }

    [Fact]
    public async Task After_ConnectNetwork_the_device_serves_udp_once_and_announces_its_operational_identity_while_BLE_stays_up()
    {
        await using var fleet = new SimulatedMatterFleet();
        var announced = new TaskCompletionSource<OperationalAnnouncement>(TaskCreationOptions.RunContinuationsAsynchronously);
        fleet.Announced += a => announced.TrySetResult(a);
        await using var server = new TestBleServer();
        var (proxy, session) = await server.StartSimulatorAsync(Options(fleet));
        await using var _ = proxy;
        using var authority = FabricAuthority.Create(0x5678, 1);
        using var commissioner = await PaseAsync(session, Light.Addresses[0]);
        var device = Assert.Single(fleet.Devices);
        await ArmAsync(commissioner);
        await commissioner.JoinFabricAsync(authority, device.Matter.State.Attestation.Dac, 0x77);
        Assert.Null(device.OperationalEndPoint);

        Assert.True((await ConnectNetworkAsync(commissioner)).IsOk);

        var announcement = await announced.Task.WaitAsync(TestBleServer.Timeout);
        Assert.Equal((CompressedFabricId(authority), 0x77ul, Light.Name), (announcement.CompressedFabricId, announcement.NodeId, announcement.DeviceName));
        Assert.Equal(IPAddress.Loopback, announcement.EndPoint.Address);
        Assert.NotEqual(0, announcement.EndPoint.Port);
        Assert.Equal(announcement.EndPoint, device.OperationalEndPoint);

        // The device answers on UDP: a PBKDFParamRequest gets its response.
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var start = new PaseInitiator(20202021, 9).Start();
        var request = MessageCodec.Encode(new MatterMessage(new MessageHeader(0, SessionType.Unicast, 1, 0x99),
            new ExchangeHeader((byte)start.Opcode, 1, MatterProtocolId.SecureChannel, IsInitiator: true, RequiresAck: true), start.Payload));
        await udp.SendAsync(request, announcement.EndPoint);
        var datagram = await udp.ReceiveAsync().WaitAsync(TestBleServer.Timeout);
        Assert.True(MessageCodec.DecodeUnsecured(datagram.Buffer).Value!.Exchange.Is(SecureChannelOpcode.PbkdfParamResponse));

        // BLE stays up (concurrent): a second ConnectNetwork over it joins again, on the same address.
        Assert.True((await ConnectNetworkAsync(commissioner)).IsOk);
        Assert.Equal(2, device.NetworkJoins);
        Assert.Equal(announcement.EndPoint, device.OperationalEndPoint);
        Assert.Null(commissioner.Ended);
        Assert.Equal(1, proxy.SlotsInUse);
    }

    [Fact]
    public async Task A_device_that_drops_BLE_after_joining_answers_ConnectNetwork_then_ends_the_link_and_frees_the_slot()
    {
        await using var fleet = new SimulatedMatterFleet(_ => BleDeviceBehaviour.Default with { AfterNetwork = BleAfterNetwork.Drop });
        await using var server = new TestBleServer();
        var (proxy, session) = await server.StartSimulatorAsync(Options(fleet));
        await using var _ = proxy;
        using var authority = FabricAuthority.Create(0x9abc, 1);
        using var commissioner = await PaseAsync(session, Light.Addresses[0]);
        var device = Assert.Single(fleet.Devices);
        await ArmAsync(commissioner);
        await commissioner.JoinFabricAsync(authority, device.Matter.State.Attestation.Dac, 0x55);

        Assert.True((await ConnectNetworkAsync(commissioner)).IsOk);

        Assert.Equal("disconnected: device switched to its operational network", await commissioner.EndedAsync());
        Assert.Equal(0, proxy.SlotsInUse);
        Assert.NotNull(device.OperationalEndPoint);
        Assert.Equal(0, device.Matter.SecureSessionCount);
    }

    [Fact]
    public async Task The_fault_knob_fails_PASE_over_BLE_for_the_chosen_device_only()
    {
        await using var fleet = new SimulatedMatterFleet(d => BleDeviceBehaviour.Default with
        {
            Fault = d.Discriminator == Light.Discriminator ? DeviceFaultStep.Pase : DeviceFaultStep.None,
        });
        await using var server = new TestBleServer();
        var (proxy, session) = await server.StartSimulatorAsync(Options(fleet));
        await using var _ = proxy;

        using var faulty = await BleTestCommissioner.OpenAsync(session, Light.Addresses[0]);
        var failed = Assert.IsType<SessionFailed>(await faulty.PaseAsync(Light.Passcode));
        Assert.Equal(SessionFailureKind.PeerRejected, failed.Kind);

        var plug = DefaultDevices.All[1];
        using var healthy = await PaseAsync(session, plug.Addresses[0], plug.Passcode);
    }

    [Fact]
    public async Task The_ConnectNetwork_fault_answers_a_failure_and_the_device_stays_off_the_network()
    {
        await using var fleet = new SimulatedMatterFleet(_ => BleDeviceBehaviour.Default with { Fault = DeviceFaultStep.ConnectNetwork });
        var announcements = 0;
        fleet.Announced += _ => Interlocked.Increment(ref announcements);
        await using var server = new TestBleServer();
        var (proxy, session) = await server.StartSimulatorAsync(Options(fleet));
        await using var _ = proxy;
        using var authority = FabricAuthority.Create(0x4321, 1);
        using var commissioner = await PaseAsync(session, Light.Addresses[0]);
        var device = Assert.Single(fleet.Devices);
        await ArmAsync(commissioner);
        await commissioner.JoinFabricAsync(authority, device.Matter.State.Attestation.Dac, 0x66);

        var response = await ConnectNetworkAsync(commissioner);

        Assert.Equal(NetworkCommissioningStatus.OtherConnectionFailure, response.Status);
        Assert.Null(device.OperationalEndPoint);
        Assert.Equal(0, device.NetworkJoins);
        Assert.Equal(0, Volatile.Read(ref announcements));
    }

    [Fact]
    public async Task With_air_time_on_every_BTP_packet_PASE_and_the_certificate_chain_still_arrive_in_order()
    {
        await using var fleet = new SimulatedMatterFleet();
        await using var server = new TestBleServer();
        // Spread wide enough that independently delayed packets would overtake each other and break BTP's sequence.
        var (proxy, session) = await server.StartSimulatorAsync(Options(fleet) with
        {
            Latencies = new SimulatorLatencies
            {
                AdvertisementInterval = TimeSpan.FromMilliseconds(50),
                BtpPacketDistribution = LatencyDistribution.Parse("uniform:10-40"),
                Seed = 7,
            },
        });
        await using var _ = proxy;
        using var authority = FabricAuthority.Create(0x2468, 1);
        using var commissioner = await BleTestCommissioner.OpenAsync(session, Light.Addresses[0]);

        var watch = System.Diagnostics.Stopwatch.StartNew();
        Assert.IsType<SessionEstablished>(await commissioner.PaseAsync(Light.Passcode));
        var pase = watch.Elapsed;
        var device = Assert.Single(fleet.Devices);
        await ArmAsync(commissioner);
        var noc = await commissioner.JoinFabricAsync(authority, device.Matter.State.Attestation.Dac, 0x31);

        Assert.True(NocResponse.Parse(noc.Command!.Fields!).Value!.IsOk);
        Assert.Null(commissioner.Ended);
        // PASE is three messages each way, one after the other: each packet waited at least 10 ms in the air.
        Assert.True(pase >= TimeSpan.FromMilliseconds(55), $"PASE took {pase.TotalMilliseconds} ms");
    }

    [Fact]
    public async Task A_fabric_the_fail_safe_reverts_is_withdrawn_with_the_identity_it_was_announced_with()
    {
        await using var fleet = new SimulatedMatterFleet();
        var announced = new TaskCompletionSource<OperationalAnnouncement>(TaskCreationOptions.RunContinuationsAsynchronously);
        var withdrawn = new TaskCompletionSource<OperationalAnnouncement>(TaskCreationOptions.RunContinuationsAsynchronously);
        fleet.Announced += a => announced.TrySetResult(a);
        fleet.Withdrawn += a => withdrawn.TrySetResult(a);
        await using var server = new TestBleServer();
        var (proxy, session) = await server.StartSimulatorAsync(Options(fleet));
        await using var _ = proxy;
        using var authority = FabricAuthority.Create(0x1357, 1);
        using var commissioner = await PaseAsync(session, Light.Addresses[0]);
        var device = Assert.Single(fleet.Devices);
        var armed = await commissioner.InvokeAsync(GeneralCommissioningCommands.ArmFailSafe(2, 1));
        Assert.True(CommissioningResponse.Parse(armed.Command!.Fields!).Value!.IsOk);
        await commissioner.JoinFabricAsync(authority, device.Matter.State.Attestation.Dac, 0x44);
        Assert.True((await ConnectNetworkAsync(commissioner)).IsOk);
        var announcement = await announced.Task.WaitAsync(TestBleServer.Timeout);
        Assert.False(withdrawn.Task.IsCompleted);

        // No CommissioningComplete: the fail-safe expires and the new fabric goes with it.
        Assert.Equal(announcement, await withdrawn.Task.WaitAsync(TestBleServer.Timeout));
        Assert.Empty(device.Matter.Inspect(s => s.Fabrics.ToList()));
    }
}
