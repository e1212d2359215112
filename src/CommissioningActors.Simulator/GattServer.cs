using CommissioningActors.Protocol.BleProxy;
using CommissioningActors.Protocol.Matter;
using CommissioningActors.Protocol.Matter.Btp;

namespace CommissioningActors.Simulator;

/// <summary>
/// The device side of each live link: the Matter GATT service (C1 write, C2 indicate, C3 additional data) and
/// BTP as far as a simulated peripheral needs it: the handshake response once both the request and the C2
/// subscription exist, then a standalone ack for every data packet.
/// </summary>
internal sealed class GattServer(
    SimulatorOptions options, SlotTable slots, SimulatorSocket socket, LatencySampler latencies, Action<string> log)
{
    // BTP header flag bits.
    private const byte FlagAck = 0x08;
    private const byte FlagManagement = 0x20;
    private const byte FlagHandshake = 0x40;

    private const byte MaxWindowSize = 6;

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

    // ---- BTP (device side) ----

    /// <summary>Call under connection.Sync. Returns the handshake sender when this write completes the preconditions.</summary>
    private Func<Task>? AcceptWrite(SimulatedConnection connection, byte[] value)
    {
        if (!connection.HandshakeSent && BtpHandshakeRequest.Parse(value) is { IsOk: true, Value: { } request })
        {
            connection.PendingHandshake = request;
            return HandshakeIfReady(connection);
        }

        return null;
    }

    /// <summary>Call under connection.Sync. The response goes out once, when both the request and the C2 subscription exist.</summary>
    private Func<Task>? HandshakeIfReady(SimulatedConnection connection)
    {
        if (connection.HandshakeSent || connection.PendingHandshake is not { } request || connection.SubscribedUuid is null)
        {
            return null;
        }

        connection.HandshakeSent = true;
        var response = BtpHandshake.Negotiate(request, (ushort)connection.Mtu, MaxWindowSize).Encode();
        return async () =>
        {
            await Task.Delay(latencies.BtpHandshake(), socket.Life).ConfigureAwait(false);
            if (slots.IsLive(connection))
            {
                log($"-> BTP handshake response on handle {connection.Handle}");
                await socket.SendAsync(new BinaryFrame(BinaryOpcode.Notification, (ushort)connection.Handle, response)).ConfigureAwait(false);
            }
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
            if (!connection.HandshakeSent)
            {
                // A handshake request may also arrive as a binary write to C1.
                send = AcceptWrite(connection, frame.Payload);
            }
            else if (TryReadSequence(frame.Payload) is byte sequence)
            {
                var ack = EncodeStandaloneAck(sequence, connection.NextSequence++);
                send = () => socket.SendAsync(new BinaryFrame(BinaryOpcode.Notification, frame.ConnectionHandle, ack));
            }
            else
            {
                send = null;
            }
        }

        if (send is not null)
        {
            await send().ConfigureAwait(false);
        }
    }

    /// <summary>Sequence number of a BTP data packet (flags [opcode] [ack] seq ...), or null when malformed.</summary>
    private static byte? TryReadSequence(ReadOnlySpan<byte> packet)
    {
        if (packet.IsEmpty || (packet[0] & FlagHandshake) != 0)
        {
            return null;
        }

        var offset = 1;
        if ((packet[0] & FlagManagement) != 0)
        {
            offset++;
        }

        if ((packet[0] & FlagAck) != 0)
        {
            offset++;
        }

        return packet.Length > offset ? packet[offset] : null;
    }

    /// <summary>A standalone ack: flags A, ack number, own sequence number.</summary>
    private static byte[] EncodeStandaloneAck(byte ackedSequence, byte ownSequence) => [FlagAck, ackedSequence, ownSequence];
}
