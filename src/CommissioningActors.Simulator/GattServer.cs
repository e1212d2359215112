using CommissioningActors.Protocol.BleProxy;
using CommissioningActors.Protocol.Matter;
using CommissioningActors.Protocol.Matter.Btp;

namespace CommissioningActors.Simulator;

/// <summary>
/// The device side of each live link: the Matter GATT service (C1 write, C2 indicate, C3 additional data) and a
/// BTP session (<see cref="DeviceBtp"/>) once both the handshake request and the C2 subscription exist, whose
/// Matter messages go to the device's <see cref="IMatterDeviceLink"/> (<see cref="SimulatorOptions.DeviceLinks"/>).
/// </summary>
internal sealed class GattServer(
    SimulatorOptions options, SlotTable slots, SimulatorSocket socket, LatencySampler latencies, Action<string> log,
    Func<SimulatedConnection, string, Task<bool>> drop)
{
    /// <summary>Answers a GATT command, or null when the command is not a GATT one.</summary>
    public Task<CommandOutcome>? TryExecute(int id, BleCommand command, CancellationToken ct) => command switch
    {
        DiscoverServices c => OnLinkAsync(id, c.ConnectionHandle,
            _ => CommandOutcome.Ok(id, new ServicesResult([MatterBle.ServiceUuid])), ct),
        DiscoverCharacteristics c => OnLinkAsync(id, c.ConnectionHandle, conn => OnDiscoverCharacteristics(id, conn, c), ct),
        ReadCharacteristic c => OnLinkAsync(id, c.ConnectionHandle, conn => Read(id, conn, c), ct),
        WriteCharacteristic c => OnLinkAsync(id, c.ConnectionHandle, conn => Write(id, conn, c.CharacteristicUuid, c.Value), ct),
        SubscribeCharacteristic c => OnLinkAsync(id, c.ConnectionHandle, conn => Subscribe(id, conn, c.CharacteristicUuid), ct),
        WriteAndSubscribe c => options.Faults.LacksWriteAndSubscribe
            ? Task.FromResult(CommandOutcome.Fail(id, BleErrorCodes.InternalError, "Unknown command: write_and_subscribe"))
            : OnLinkAsync(id, c.ConnectionHandle, conn => OnWriteAndSubscribe(id, conn, c), ct),
        UnsubscribeCharacteristic c => OnLinkAsync(id, c.ConnectionHandle, conn => Unsubscribe(id, conn, c.CharacteristicUuid), ct),
        RequestMtu c => options.Faults.LacksRequestMtu
            ? Task.FromResult(CommandOutcome.Fail(id, BleErrorCodes.InternalError, "Unknown command: request_mtu"))
            : OnLinkAsync(id, c.ConnectionHandle, conn => OnRequestMtu(id, conn, c), ct),
        _ => null,
    };

    public static bool IsUuid(string? candidate, string normalized) =>
        BleUuid.TryNormalize(candidate, out var n) && n == normalized;

    private async Task<CommandOutcome> OnLinkAsync(int id, int handle, Func<SimulatedConnection, CommandOutcome> operation, CancellationToken ct)
    {
        await Task.Delay(latencies.Gatt(), ct).ConfigureAwait(false);
        if (slots.Find(handle) is not { } connection)
        {
            return CommandOutcome.Fail(id, BleErrorCodes.NotConnected, $"Connection {handle} not found");
        }

        lock (connection.Sync)
        {
            return operation(connection);
        }
    }

    private static CommandOutcome OnDiscoverCharacteristics(int id, SimulatedConnection connection, DiscoverCharacteristics command)
    {
        if (!IsUuid(command.ServiceUuid, MatterBle.ServiceUuid))
        {
            return CommandOutcome.Fail(id, BleErrorCodes.ServiceNotFound, $"Service {command.ServiceUuid} not found");
        }

        List<CharacteristicInfo> characteristics =
        [
            new(MatterBle.C1WriteUuid, ["write"]),
            new(MatterBle.C2IndicateUuid, ["indicate"]),
        ];
        if (connection.Device.HasAdditionalData)
        {
            characteristics.Add(new(MatterBle.C3AdditionalDataUuid, ["read"]));
        }

        return CommandOutcome.Ok(id, new CharacteristicsResult(characteristics));
    }

    private static CommandOutcome Read(int id, SimulatedConnection connection, ReadCharacteristic command)
    {
        var uuid = command.CharacteristicUuid;
        if (IsUuid(uuid, MatterBle.C3AdditionalDataUuid) && connection.Device.HasAdditionalData)
        {
            return CommandOutcome.Ok(id, new ReadResult(AdditionalData(connection.Device)));
        }

        return IsUuid(uuid, MatterBle.C1WriteUuid) || IsUuid(uuid, MatterBle.C2IndicateUuid)
            ? CommandOutcome.Fail(id, BleErrorCodes.ReadFailed, $"Characteristic {uuid} is not readable")
            : CommandOutcome.Fail(id, BleErrorCodes.CharacteristicNotFound, $"Characteristic {uuid} not found");
    }

    // A TLV anonymous structure with a rotating-device-id-like byte string; content only needs to be stable.
    private static byte[] AdditionalData(SimulatedDevice device)
    {
        var payload = new List<byte> { 0x15, 0x30, 0x00, 0x10 };
        for (var i = 0; i < 16; i++)
        {
            payload.Add((byte)((device.Discriminator >> (i % 2 * 8)) ^ (i * 17)));
        }

        payload.Add(0x18);
        return [.. payload];
    }

    private CommandOutcome Write(int id, SimulatedConnection connection, string uuid, byte[] value)
    {
        if (CheckWritable(id, uuid) is { } failure)
        {
            return failure;
        }

        return CommandOutcome.Ok(id, EmptyResult.Instance, AcceptWrite(connection, value));
    }

    private CommandOutcome Subscribe(int id, SimulatedConnection connection, string uuid)
    {
        if (CheckSubscribable(id, uuid) is { } failure)
        {
            return failure;
        }

        connection.SubscribedUuid = MatterBle.C2IndicateUuid;
        return CommandOutcome.Ok(id, EmptyResult.Instance, HandshakeIfReady(connection));
    }

    private CommandOutcome OnWriteAndSubscribe(int id, SimulatedConnection connection, WriteAndSubscribe command)
    {
        if ((CheckWritable(id, command.WriteUuid) ?? CheckSubscribable(id, command.SubscribeUuid)) is { } failure)
        {
            return failure;
        }

        AcceptWrite(connection, command.WriteValue);
        connection.SubscribedUuid = MatterBle.C2IndicateUuid;
        return CommandOutcome.Ok(id, EmptyResult.Instance, HandshakeIfReady(connection));
    }

    private static CommandOutcome Unsubscribe(int id, SimulatedConnection connection, string uuid)
    {
        if (!IsKnownCharacteristic(uuid))
        {
            return CommandOutcome.Fail(id, BleErrorCodes.CharacteristicNotFound, $"Characteristic {uuid} not found");
        }

        if (connection.SubscribedUuid is null || !IsUuid(uuid, connection.SubscribedUuid))
        {
            return CommandOutcome.Fail(id, BleErrorCodes.NotSubscribed, $"Not subscribed to {uuid}");
        }

        connection.SubscribedUuid = null;
        return CommandOutcome.Ok(id, EmptyResult.Instance);
    }

    private CommandOutcome OnRequestMtu(int id, SimulatedConnection connection, RequestMtu command)
    {
        // ATT minimum is 23; the link never exceeds what this proxy supports.
        connection.Mtu = Math.Clamp(command.Mtu, 23, options.Mtu);
        return CommandOutcome.Ok(id, new MtuResult(connection.Mtu));
    }

    private static CommandOutcome? CheckWritable(int id, string uuid) =>
        IsUuid(uuid, MatterBle.C1WriteUuid) ? null
        : IsKnownCharacteristic(uuid) ? CommandOutcome.Fail(id, BleErrorCodes.WriteFailed, $"Characteristic {uuid} is not writable")
        : CommandOutcome.Fail(id, BleErrorCodes.CharacteristicNotFound, $"Characteristic {uuid} not found");

    private static CommandOutcome? CheckSubscribable(int id, string uuid) =>
        IsUuid(uuid, MatterBle.C2IndicateUuid) ? null
        : IsKnownCharacteristic(uuid) ? CommandOutcome.Fail(id, BleErrorCodes.NotifyNotSupported, $"Characteristic {uuid} does not indicate")
        : CommandOutcome.Fail(id, BleErrorCodes.CharacteristicNotFound, $"Characteristic {uuid} not found");

    private static bool IsKnownCharacteristic(string uuid) =>
        IsUuid(uuid, MatterBle.C1WriteUuid) || IsUuid(uuid, MatterBle.C2IndicateUuid) || IsUuid(uuid, MatterBle.C3AdditionalDataUuid);

    // ---- BTP (device side): the shared BtpSession, see DeviceBtp ----

    /// <summary>Call under connection.Sync. Returns the handshake sender when this write completes the preconditions.</summary>
    private Func<Task>? AcceptWrite(SimulatedConnection connection, byte[] value)
    {
        if (connection.Btp is null && connection.PendingHandshake is null && BtpHandshakeRequest.Parse(value).IsOk)
        {
            connection.PendingHandshake = value;
            return HandshakeIfReady(connection);
        }

        return null;
    }

    /// <summary>Call under connection.Sync. The session starts once, when both the request and the C2 subscription exist.</summary>
    private Func<Task>? HandshakeIfReady(SimulatedConnection connection)
    {
        if (connection.Btp is not null || connection.PendingHandshake is not { } request || connection.SubscribedUuid is null)
        {
            return null;
        }

        var handle = (ushort)connection.Handle;
        async Task Indicate(byte[] packet)
        {
            if (slots.IsLive(connection))
            {
                await socket.SendAsync(new BinaryFrame(BinaryOpcode.Notification, handle, packet)).ConfigureAwait(false);
            }
        }

        Func<byte[], Task> indicate = Indicate;
        if (options.Latencies.DelaysBtpPackets)
        {
            var downlink = new RadioLane(latencies.BtpPacket, log);
            indicate = packet =>
            {
                downlink.Send(() => Indicate(packet));
                return Task.CompletedTask;
            };
            connection.Uplink = new RadioLane(latencies.BtpPacket, log);
        }

        var btp = new DeviceBtp(connection, indicate, options.DeviceLinks, reason => drop(connection, reason), log);
        connection.Btp = btp;
        return async () =>
        {
            await Task.Delay(latencies.BtpHandshake(), socket.Life).ConfigureAwait(false);
            log($"-> BTP handshake response on handle {handle}");
            await btp.ReceiveAsync(request).ConfigureAwait(false);
        };
    }

    /// <summary>A binary frame from the server: a WRITE_DATA to C1, carrying the handshake request or BTP data.</summary>
    public async Task OnBinaryAsync(byte[] data)
    {
        var parsed = BleProxyCodec.ParseBinary(data);
        if (parsed.Value is not { Opcode: BinaryOpcode.WriteData } frame)
        {
            log($"<- ignoring binary frame: {parsed.Error?.ToString() ?? parsed.Value?.Opcode.ToString()}");
            return;
        }

        if (slots.Find(frame.ConnectionHandle) is not { } connection)
        {
            log($"<- WRITE_DATA for unknown handle {frame.ConnectionHandle}, dropped");
            return;
        }

        Func<Task>? send;
        lock (connection.Sync)
        {
            // A handshake request may also arrive as a binary write to C1.
            var btp = connection.Btp;
            send = btp is null ? AcceptWrite(connection, frame.Payload) : () => btp.ReceiveAsync(frame.Payload);
            if (send is not null && btp is not null && connection.Uplink is { } uplink)
            {
                // Over the simulated air: delivered later, in order, without holding up the socket's receive loop.
                uplink.Send(send);
                send = null;
            }
        }

        if (send is not null)
        {
            await send().ConfigureAwait(false);
        }
    }
}
