using System.Text;
using CommissioningActors.Protocol.BleProxy;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace CommissioningActors.Protocol.Tests;

public class BleProxyCodecPropertyTests
{
    [Property]
    public bool Binary_frame_round_trips(byte opcodeSeed, ushort handle, byte[] payload)
    {
        var opcode = (BinaryOpcode)(1 + (opcodeSeed % 3));
        var bytes = BleProxyCodec.Serialize(new BinaryFrame(opcode, handle, payload));
        var parsed = BleProxyCodec.ParseBinary(bytes);
        return parsed.IsOk
            && bytes.Length == payload.Length + 3
            && parsed.Value!.Opcode == opcode
            && parsed.Value.ConnectionHandle == handle
            && parsed.Value.Payload.AsSpan().SequenceEqual(payload);
    }

    [Property]
    public bool ParseBinary_never_throws_and_reports_an_outcome(byte[] frame)
    {
        var parsed = BleProxyCodec.ParseBinary(frame);
        return parsed.IsOk ^ parsed.Error is not null;
    }

    [Property]
    public bool Parsers_never_throw_on_arbitrary_strings(string? text)
    {
        var client = BleProxyCodec.ParseClientMessage(text!);
        var server = BleProxyCodec.ParseServerMessage(text!);
        return (client.IsOk ^ client.Error is not null) && (server.IsOk ^ server.Error is not null);
    }

    [Property]
    public bool Parsers_never_throw_on_arbitrary_bytes(byte[] bytes)
    {
        var client = BleProxyCodec.ParseClientMessage(bytes.AsSpan());
        var server = BleProxyCodec.ParseServerMessage(bytes.AsSpan());
        return (client.IsOk ^ client.Error is not null) && (server.IsOk ^ server.Error is not null);
    }

    private static readonly string[] ValidFrames =
    [
        "{\"type\":\"hello\",\"version\":1}",
        "{\"id\":9,\"success\":true,\"result\":{\"connection_handle\":5,\"mtu\":185}}",
        "{\"id\":12,\"success\":false,\"error\":\"connection_failed\",\"message\":\"no free connection slot\"}",
        "{\"event\":\"device_discovered\",\"data\":{\"address\":\"AA:BB\",\"connectable\":true,\"rssi\":-61,\"service_data\":{\"fff6\":\"AAECAwQFBgc=\"},\"manufacturer_data\":{\"0x004C\":\"AQ==\"},\"service_uuids\":[\"fff6\"]}}",
        "{\"event\":\"characteristic_notification\",\"data\":{\"connection_handle\":2,\"characteristic_uuid\":\"fff6\",\"value\":\"FWw=\"}}",
        "{\"id\":7,\"command\":\"write_and_subscribe\",\"args\":{\"connection_handle\":3,\"write_uuid\":\"fff6\",\"write_value\":\"ZWw=\",\"write_response\":true,\"subscribe_uuid\":\"fff6\"}}",
    ];

    /// <summary>Near-valid input reaches the field readers, where random strings mostly stop at the tokenizer.</summary>
    [Property]
    public bool Parsers_never_throw_on_mutated_valid_frames(byte frameSeed, int position, char replacement, bool truncate)
    {
        var frame = ValidFrames[frameSeed % ValidFrames.Length];
        var at = (int)((uint)position % (uint)frame.Length);
        var mutated = truncate ? frame[..at] : string.Concat(frame.AsSpan(0, at), replacement.ToString(), frame.AsSpan(at + 1));
        var client = BleProxyCodec.ParseClientMessage(mutated);
        var server = BleProxyCodec.ParseServerMessage(Encoding.UTF8.GetBytes(mutated));
        return (client.IsOk ^ client.Error is not null) && (server.IsOk ^ server.Error is not null);
    }

    [Property]
    public Property Device_discovered_round_trips(ulong mac, bool connectable, int? rssi, byte[] serviceData, ushort companyId)
    {
        var address = string.Join(':', BitConverter.GetBytes(mac).Take(6).Select(b => b.ToString("X2")));
        var message = new DeviceDiscovered(
            address,
            connectable,
            null,
            rssi,
            new Dictionary<string, byte[]> { ["0000fff6-0000-1000-8000-00805f9b34fb"] = serviceData },
            new Dictionary<int, byte[]> { [companyId] = [1, 2] },
            []);
        var wire = BleProxyCodec.Serialize(message);
        var parsed = BleProxyCodec.ParseClientMessage(wire);
        var back = parsed.Value as DeviceDiscovered;
        return (back is not null
            && back.Address == message.Address
            && back.Connectable == connectable
            && back.Rssi == rssi
            && back.ServiceData["0000fff6-0000-1000-8000-00805f9b34fb"].AsSpan().SequenceEqual(serviceData)
            && back.ManufacturerData.ContainsKey(companyId)).Label(wire);
    }
}
