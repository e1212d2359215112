using CommissioningActors.Protocol.BleProxy;
using CommissioningActors.Protocol.Matter;
using CommissioningActors.Protocol.Matter.Btp;

namespace CommissioningActors.Simulator.Tests;

public sealed class SimulatedProxyTests
{
    private static readonly string[] RotatingAddresses = ["C0:FF:EE:00:00:01", "C0:FF:EE:00:00:02", "C0:FF:EE:00:00:03"];

    private static readonly byte[] HandshakeRequest = BtpHandshakeRequest.Default(attMtu: 247, windowSize: 6).Encode();

    private static SimulatorOptions Options(SimulatorFaults? faults = null, int slots = 3) => new()
    {
        ConnectionSlots = slots,
        Faults = faults ?? new SimulatorFaults(),
        Latencies = new SimulatorLatencies { AdvertisementInterval = TimeSpan.FromMilliseconds(50) },
    };

    private static async Task<int> ConnectAsync(TestSession session, string address)
    {
        var response = await session.CommandAsync(new Connect(address));
        Assert.True(response.Success, $"{response.Error}: {response.Message}");
        var result = Assert.IsType<ConnectResult>(BleProxyCodec.DecodeResult(new Connect(address), response.Result).Value);
        return result.ConnectionHandle;
    }

    [Fact]
    public async Task Handshake_then_scan_reports_every_rotating_address_with_a_matter_advertisement()
    {
        await using var server = new TestBleServer();
        var (proxy, session) = await server.StartSimulatorAsync(Options());
        await using var _ = proxy;

        var start = await session.CommandAsync(new StartScan([MatterBle.ShortServiceUuid]));
        Assert.True(start.Success);

        var seen = new Dictionary<string, DeviceDiscovered>(StringComparer.OrdinalIgnoreCase);
        var everyAddress = DefaultDevices.All.SelectMany(d => d.Addresses).ToList();
        while (!everyAddress.All(seen.ContainsKey))
        {
            var discovered = await session.NextAsync<DeviceDiscovered>();
            seen[discovered.Address] = discovered;
        }

        foreach (var address in RotatingAddresses)
        {
            var discovered = seen[address];
            Assert.True(discovered.Connectable);
            var advertisement = discovered.ServiceData.Single(kv => BleUuid.AreEqual(kv.Key, MatterBle.ServiceUuid)).Value;
            var parsed = MatterAdvertisement.Parse(advertisement);
            Assert.True(parsed.IsOk, parsed.Error?.ToString());
            Assert.Equal(new MatterAdvertisement(3840, 0, 0xFFF1, 0x8000, false), parsed.Value);
        }

        foreach (var device in DefaultDevices.All.Skip(1))
        {
            var advertisement = MatterAdvertisement.Parse(seen[device.Addresses[0]].ServiceData[MatterBle.ServiceUuid]).Value!;
            Assert.Equal(device.Discriminator, advertisement.Discriminator);
            Assert.Equal(device.HasAdditionalData, advertisement.HasAdditionalData);
        }

        var again = await session.CommandAsync(new StartScan());
        Assert.Equal(BleErrorCodes.AlreadyScanning, again.Error);
        Assert.True((await session.CommandAsync(new StopScan())).Success);
        Assert.Equal(BleErrorCodes.NotScanning, (await session.CommandAsync(new StopScan())).Error);
        Assert.False(proxy.IsScanning);
    }

    [Fact]
    public async Task Connect_discover_and_write_and_subscribe_yield_the_btp_handshake_response_then_messages_reach_the_device()
    {
        await using var server = new TestBleServer();
        var (proxy, session) = await server.StartSimulatorAsync(Options() with { DeviceLinks = (_, send) => new EchoLink(send) });
        await using var _ = proxy;

        var handle = await ConnectAsync(session, RotatingAddresses[1]);

        var services = await session.CommandAsync(new DiscoverServices(handle));
        var serviceList = Assert.IsType<ServicesResult>(BleProxyCodec.DecodeResult(new DiscoverServices(handle), services.Result).Value);
        Assert.Contains(serviceList.ServiceUuids, u => BleUuid.AreEqual(u, MatterBle.ShortServiceUuid));

        var characteristics = await session.CommandAsync(new DiscoverCharacteristics(handle, "FFF6"));
        var list = Assert.IsType<CharacteristicsResult>(
            BleProxyCodec.DecodeResult(new DiscoverCharacteristics(handle, "fff6"), characteristics.Result).Value);
        Assert.Contains(list.Characteristics, c => BleUuid.AreEqual(c.Uuid, MatterBle.C1WriteUuid) && c.Properties.Contains("write"));
        Assert.Contains(list.Characteristics, c => BleUuid.AreEqual(c.Uuid, MatterBle.C2IndicateUuid) && c.Properties.Contains("indicate"));
        Assert.DoesNotContain(list.Characteristics, c => BleUuid.AreEqual(c.Uuid, MatterBle.C3AdditionalDataUuid));

        // Undashed upper-case UUIDs, as noble sends them, must work too.
        var subscribe = await session.CommandAsync(new WriteAndSubscribe(
            handle, MatterBle.C1WriteUuid.Replace("-", "").ToUpperInvariant(), HandshakeRequest, true, MatterBle.C2IndicateUuid));
        Assert.True(subscribe.Success, subscribe.Message);

        var response = await session.NextAsync<BinaryFrame>();
        Assert.Equal(BinaryOpcode.Notification, response.Opcode);
        Assert.Equal(handle, response.ConnectionHandle);
        Assert.Equal(new BtpHandshakeResponse(4, 244, 6), BtpHandshakeResponse.Parse(response.Payload).Value);

        // Begin|End|Ack: acks the response (the device's packet 0), our packet 0, a 2-byte message. The device link
        // echoes it; the echo is the device's packet 1 and carries the ack of ours.
        await session.SendBinaryAsync(new BinaryFrame(BinaryOpcode.WriteData, (ushort)handle, [0x0D, 0x00, 0x00, 0x02, 0x00, 0xAA, 0xBB]));
        var echo = await session.NextAsync<BinaryFrame>();
        Assert.Equal(handle, echo.ConnectionHandle);
        Assert.Equal(new byte[] { 0x0D, 0x00, 0x01, 0x02, 0x00, 0xAA, 0xBB }, echo.Payload);
    }

    private sealed class EchoLink(MatterDeviceSend send) : IMatterDeviceLink
    {
        public void OnMessage(ReadOnlyMemory<byte> message) => _ = send(message.ToArray());

        public void OnClosed(string reason)
        {
        }
    }

    [Fact]
    public async Task Lacking_write_and_subscribe_answers_unknown_command_and_the_separate_write_then_subscribe_still_handshakes()
    {
        await using var server = new TestBleServer();
        var (proxy, session) = await server.StartSimulatorAsync(Options(new SimulatorFaults { LacksWriteAndSubscribe = true }));
        await using var _ = proxy;
        var handle = await ConnectAsync(session, RotatingAddresses[0]);

        var combined = await session.CommandAsync(new WriteAndSubscribe(handle, MatterBle.C1WriteUuid, HandshakeRequest, true, MatterBle.C2IndicateUuid));
        Assert.False(combined.Success);
        Assert.Equal(BleErrorCodes.InternalError, combined.Error);
        Assert.Equal("Unknown command: write_and_subscribe", combined.Message);

        Assert.True((await session.CommandAsync(new WriteCharacteristic(handle, MatterBle.C1WriteUuid, HandshakeRequest, true))).Success);
        Assert.True((await session.CommandAsync(new SubscribeCharacteristic(handle, MatterBle.C2IndicateUuid))).Success);
        var response = await session.NextAsync<BinaryFrame>();
        Assert.Equal(handle, response.ConnectionHandle);
        Assert.True(BtpHandshakeResponse.Parse(response.Payload).IsOk);
    }

    [Fact]
    public async Task Handshake_segment_size_follows_a_smaller_requested_mtu_and_a_binary_c1_write_also_handshakes()
    {
        await using var server = new TestBleServer();
        var (proxy, session) = await server.StartSimulatorAsync(Options());
        await using var _ = proxy;
        var handle = await ConnectAsync(session, RotatingAddresses[0]);

        var mtu = await session.CommandAsync(new RequestMtu(handle, 100));
        Assert.Equal(100, Assert.IsType<MtuResult>(BleProxyCodec.DecodeResult(new RequestMtu(handle, 100), mtu.Result).Value).Mtu);

        // The handshake arrives as a WRITE_DATA frame after an ordinary JSON write to C1 and a subscribe.
        Assert.True((await session.CommandAsync(new SubscribeCharacteristic(handle, MatterBle.C2IndicateUuid))).Success);
        Assert.True((await session.CommandAsync(new WriteCharacteristic(handle, MatterBle.C1WriteUuid, [0x00, 0x00, 0x00], true))).Success);
        await session.SendBinaryAsync(new BinaryFrame(BinaryOpcode.WriteData, (ushort)handle, HandshakeRequest));

        var response = BtpHandshakeResponse.Parse((await session.NextAsync<BinaryFrame>()).Payload).Value!;
        Assert.Equal(97, response.SegmentSize);
    }

    [Fact]
    public async Task Drop_connection_simulates_link_loss_once()
    {
        await using var server = new TestBleServer();
        var (proxy, session) = await server.StartSimulatorAsync(Options());
        await using var _ = proxy;
        var handle = await ConnectAsync(session, RotatingAddresses[2]);

        Assert.True(await proxy.DropConnectionAsync(handle, "out of range"));
        Assert.False(await proxy.DropConnectionAsync(handle));
        var disconnected = await session.NextAsync<Disconnected>();
        Assert.Equal(new Disconnected(handle, "out of range"), disconnected);
        Assert.Empty(proxy.ConnectionHandles);
    }

    [Theory]
    [InlineData(SlotExhaustionStyle.Structured, "out_of_connection_slots")]
    [InlineData(SlotExhaustionStyle.LegacyText, "connection_failed")]
    public async Task Slots_run_out_after_N_connects(SlotExhaustionStyle style, string expectedCode)
    {
        await using var server = new TestBleServer();
        var (proxy, session) = await server.StartSimulatorAsync(Options(new SimulatorFaults { SlotExhaustion = style }, slots: 2));
        await using var _ = proxy;

        await ConnectAsync(session, RotatingAddresses[0]);
        await ConnectAsync(session, RotatingAddresses[1]);
        var third = await session.CommandAsync(new Connect(RotatingAddresses[2]));

        Assert.False(third.Success);
        Assert.Equal(expectedCode, third.Error);
        Assert.True(SlotExhaustion.IsSlotExhaustion(third.Error!, third.Message));
        if (style == SlotExhaustionStyle.LegacyText)
        {
            Assert.Equal("connection failed: out of connection slots", third.Message);
        }

        Assert.Equal(2, proxy.SlotsInUse);
        Assert.Equal(2, proxy.PeakSlotsInUse);
        Assert.Equal(3, proxy.ConnectsReceived);
        Assert.Equal(1, proxy.OutOfSlotsErrorsSent);
    }

    [Fact]
    public async Task Disconnect_frees_a_slot_and_is_counted_per_handle()
    {
        await using var server = new TestBleServer();
        var (proxy, session) = await server.StartSimulatorAsync(Options(slots: 1));
        await using var _ = proxy;

        var first = await ConnectAsync(session, RotatingAddresses[0]);
        Assert.Equal(BleErrorCodes.OutOfConnectionSlots, (await session.CommandAsync(new Connect(RotatingAddresses[1]))).Error);

        Assert.True((await session.CommandAsync(new Disconnect(first))).Success);
        Assert.Equal(0, proxy.SlotsInUse);
        Assert.Equal(1, proxy.DisconnectCommandsFor(first));

        var second = await ConnectAsync(session, RotatingAddresses[1]);
        Assert.NotEqual(first, second);
        Assert.Equal(BleErrorCodes.NotConnected, (await session.CommandAsync(new Disconnect(first))).Error);
        Assert.Equal(2, proxy.DisconnectCommandsFor(first));
        Assert.Equal(0, proxy.DisconnectCommandsFor(second));
        Assert.Equal(2, proxy.DisconnectsReceived);
        Assert.Equal(BleErrorCodes.NotConnected, (await session.CommandAsync(new DiscoverServices(first))).Error);
    }

    [Fact]
    public async Task Connect_errors_for_unknown_and_already_connected_addresses()
    {
        await using var server = new TestBleServer();
        var (proxy, session) = await server.StartSimulatorAsync(Options());
        await using var _ = proxy;

        Assert.Equal(BleErrorCodes.DeviceNotFound, (await session.CommandAsync(new Connect("AA:BB:CC:DD:EE:FF"))).Error);
        await ConnectAsync(session, RotatingAddresses[0]);
        Assert.Equal(BleErrorCodes.AlreadyConnected, (await session.CommandAsync(new Connect(RotatingAddresses[0].ToLowerInvariant()))).Error);
        Assert.Equal(1, proxy.SlotsInUse);
    }

    [Fact]
    public async Task Fail_all_connects_answers_connection_failed()
    {
        await using var server = new TestBleServer();
        var (proxy, session) = await server.StartSimulatorAsync(Options(new SimulatorFaults { FailAllConnects = true }));
        await using var _ = proxy;

        var response = await session.CommandAsync(new Connect(RotatingAddresses[0]));
        Assert.Equal(BleErrorCodes.ConnectionFailed, response.Error);
        Assert.False(SlotExhaustion.IsSlotExhaustion(response.Error!, response.Message));
        Assert.Equal(0, proxy.SlotsInUse);
    }

    [Fact]
    public async Task Never_answer_leaves_that_command_unanswered_while_others_are_answered()
    {
        await using var server = new TestBleServer();
        var faults = new SimulatorFaults { NeverAnswer = new HashSet<string> { "discover_services" } };
        var decided = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (proxy, session) = await server.StartSimulatorAsync(Options(faults) with
        {
            Log = line =>
            {
                if (line.Contains("discover_services: never answering", StringComparison.Ordinal))
                {
                    decided.TrySetResult();
                }
            },
        });
        await using var _ = proxy;
        var handle = await ConnectAsync(session, RotatingAddresses[0]);

        var silent = await session.SendAsync(new DiscoverServices(handle));
        var mtu = await session.CommandAsync(new RequestMtu(handle, 100));
        Assert.Equal(100, Assert.IsType<MtuResult>(BleProxyCodec.DecodeResult(new RequestMtu(handle, 100), mtu.Result).Value).Mtu);

        // The simulator logs its decision as it drops the command: from then on nothing can answer it.
        await decided.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(session.HasResponse(silent));
        Assert.Equal(3, proxy.CommandsReceived);
    }

    [Fact]
    public async Task Disconnect_after_connect_sends_a_disconnected_event_and_frees_the_slot()
    {
        await using var server = new TestBleServer();
        var faults = new SimulatorFaults { DisconnectAfterConnect = TimeSpan.FromMilliseconds(20) };
        var (proxy, session) = await server.StartSimulatorAsync(Options(faults));
        await using var _ = proxy;

        var handle = await ConnectAsync(session, RotatingAddresses[0]);
        var disconnected = await session.NextAsync<Disconnected>();
        Assert.Equal(handle, disconnected.ConnectionHandle);
        Assert.False(string.IsNullOrEmpty(disconnected.Reason));
        Assert.Equal(0, proxy.SlotsInUse);
        Assert.Equal(BleErrorCodes.NotConnected, (await session.CommandAsync(new Disconnect(handle))).Error);
    }

    [Fact]
    public async Task Drop_socket_on_connect_ends_the_proxy_without_an_answer()
    {
        await using var server = new TestBleServer();
        var (proxy, session) = await server.StartSimulatorAsync(Options(new SimulatorFaults { DropSocketOnConnect = true }));
        await using var _ = proxy;

        var id = await session.SendAsync(new Connect(RotatingAddresses[0]));
        await proxy.Completion.WaitAsync(TestBleServer.Timeout);
        await session.Closed;
        Assert.False(session.HasResponse(id));
    }

    [Fact]
    public async Task Additional_data_mtu_and_unsubscribe()
    {
        await using var server = new TestBleServer();
        var (proxy, session) = await server.StartSimulatorAsync(Options(new SimulatorFaults { LacksRequestMtu = true }));
        await using var _ = proxy;
        var sensor = DefaultDevices.All.Single(d => d.HasAdditionalData);

        var handle = await ConnectAsync(session, sensor.Addresses[0]);
        var characteristics = await session.CommandAsync(new DiscoverCharacteristics(handle, MatterBle.ServiceUuid));
        var list = Assert.IsType<CharacteristicsResult>(
            BleProxyCodec.DecodeResult(new DiscoverCharacteristics(handle, MatterBle.ServiceUuid), characteristics.Result).Value);
        Assert.Contains(list.Characteristics, c => BleUuid.AreEqual(c.Uuid, MatterBle.C3AdditionalDataUuid) && c.Properties.Contains("read"));

        var read = await session.CommandAsync(new ReadCharacteristic(handle, MatterBle.C3AdditionalDataUuid));
        var value = Assert.IsType<ReadResult>(BleProxyCodec.DecodeResult(new ReadCharacteristic(handle, MatterBle.C3AdditionalDataUuid), read.Result).Value);
        Assert.NotEmpty(value.Value!);

        var mtu = await session.CommandAsync(new RequestMtu(handle, 247));
        Assert.Equal(BleErrorCodes.InternalError, mtu.Error);
        Assert.Equal("Unknown command: request_mtu", mtu.Message);

        Assert.Equal(BleErrorCodes.NotSubscribed, (await session.CommandAsync(new UnsubscribeCharacteristic(handle, MatterBle.C2IndicateUuid))).Error);
        Assert.True((await session.CommandAsync(new SubscribeCharacteristic(handle, MatterBle.C2IndicateUuid))).Success);
        Assert.True((await session.CommandAsync(new UnsubscribeCharacteristic(handle, MatterBle.C2IndicateUuid))).Success);
        Assert.Equal(BleErrorCodes.NotifyNotSupported, (await session.CommandAsync(new SubscribeCharacteristic(handle, MatterBle.C1WriteUuid))).Error);
        Assert.Equal(BleErrorCodes.ServiceNotFound, (await session.CommandAsync(new DiscoverCharacteristics(handle, "180f"))).Error);

        var light = await ConnectAsync(session, RotatingAddresses[0]);
        Assert.Equal(BleErrorCodes.CharacteristicNotFound,
            (await session.CommandAsync(new ReadCharacteristic(light, MatterBle.C3AdditionalDataUuid))).Error);
    }

    [Fact]
    public async Task Slow_connects_run_concurrently_and_hold_their_slots_while_connecting()
    {
        await using var server = new TestBleServer();
        var options = Options(slots: 2) with { Latencies = new SimulatorLatencies { Connect = TimeSpan.FromMilliseconds(300) } };
        var (proxy, session) = await server.StartSimulatorAsync(options);
        await using var _ = proxy;

        var ids = new[]
        {
            await session.SendAsync(new Connect(RotatingAddresses[0])),
            await session.SendAsync(new Connect(RotatingAddresses[1])),
            await session.SendAsync(new Connect(RotatingAddresses[2])),
        };
        var responses = await Task.WhenAll(ids.Select(session.ResponseAsync));

        Assert.Equal(2, responses.Count(r => r.Success));
        Assert.Equal(BleErrorCodes.OutOfConnectionSlots, responses.Single(r => !r.Success).Error);
        Assert.Equal(2, proxy.PeakSlotsInUse);
        Assert.All(ids, id => Assert.Equal(1, session.ResponseCount(id)));
    }

    [Fact]
    public async Task An_unknown_command_still_gets_exactly_one_internal_error_answer()
    {
        await using var server = new TestBleServer();
        var (proxy, session) = await server.StartSimulatorAsync(Options());
        await using var _ = proxy;

        var id = await session.SendAsync(new StopScan());
        Assert.Equal(BleErrorCodes.NotScanning, (await session.ResponseAsync(id)).Error);
        await session.SendRawCommandAsync(id + 1000, """{"id":ID,"command":"frobnicate","args":{}}""");
        var response = await session.ResponseAsync(id + 1000);
        Assert.Equal(BleErrorCodes.InternalError, response.Error);
        Assert.Equal("Unknown command: frobnicate", response.Message);
        Assert.Equal(1, session.ResponseCount(id + 1000));
    }

    [Fact]
    public async Task Bearer_token_is_sent_on_the_upgrade()
    {
        await using var server = new TestBleServer();
        var (proxy, _) = await server.StartSimulatorAsync(Options() with { Token = "s3cret" });
        await using var __ = proxy;
        Assert.Equal("Bearer s3cret", server.AuthorizationHeader);
    }

    [Fact]
    public async Task Unsupported_version_fails_connect_with_a_clear_exception()
    {
        await using var server = new TestBleServer(new HelloResponse(1, "unsupported_version", "we speak version 2"));
        var ex = await Assert.ThrowsAsync<SimulatorHandshakeException>(
            () => SimulatedProxy.ConnectAsync(server.Url, Options()).WaitAsync(TestBleServer.Timeout));
        Assert.Equal("unsupported_version", ex.ErrorCode);
        Assert.Contains("we speak version 2", ex.Message);
    }

    [Fact]
    public async Task Dispose_closes_the_socket_gracefully()
    {
        await using var server = new TestBleServer();
        var (proxy, session) = await server.StartSimulatorAsync(Options());
        await proxy.DisposeAsync();
        await session.Closed;
        Assert.True(proxy.Completion.IsCompleted);
    }
}
