using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CommissioningActors.Protocol.Text;
using static CommissioningActors.Protocol.BleProxy.StrictJson;

namespace CommissioningActors.Protocol.BleProxy;

/// <summary>What a proxy sends: hello, command responses and events, read (server side) and written (simulator side).</summary>
public static partial class BleProxyCodec
{
    private static ClientMessage ReadClientMessage(JsonElement root)
    {
        RequireObject(root, "message");

        if (root.TryGetProperty("type", out var typeElement))
        {
            var type = AsString(typeElement, "type");
            return type switch
            {
                "hello" => ReadHello(root),
                _ => throw Reject(ParseErrorKind.UnknownMessage, $"unknown message type '{type}' from a proxy"),
            };
        }

        if (root.TryGetProperty("event", out var eventElement))
        {
            var name = AsString(eventElement, "event");
            var data = OptionalObject(root, "data", name) ?? EmptyObject;
            var path = name + ".data";
            return name switch
            {
                "device_discovered" => ReadDeviceDiscovered(data, path),
                "disconnected" => new Disconnected(RequiredHandle(data, path), OptionalString(data, "reason", path)),
                "scan_stopped" => new ScanStopped(OptionalString(data, "reason", path)),
                "characteristic_notification" => new CharacteristicNotification(
                    RequiredHandle(data, path),
                    BleUuid.Normalize(RequiredUuid(data, "characteristic_uuid", path)),
                    RequiredBase64(data, "value", path)),
                _ => throw Reject(ParseErrorKind.UnknownMessage, $"unknown event '{name}'"),
            };
        }

        if (root.TryGetProperty("id", out _))
        {
            return ReadCommandResponse(root);
        }

        throw Reject(ParseErrorKind.UnknownMessage, "message has none of 'type', 'event' or 'id'");
    }

    private static Hello ReadHello(JsonElement root)
    {
        const string path = "hello";
        var version = RequiredInt(root, "version", path);
        var slots = OptionalInt(root, "connection_slots", path);
        if (slots is < 1 or > MaxConnectionSlots)
        {
            throw Reject(ParseErrorKind.InvalidValue,
                $"{path}.connection_slots must be an integer from 1 to {MaxConnectionSlots}, got {slots}");
        }

        return new Hello(version, slots);
    }

    private static CommandResponse ReadCommandResponse(JsonElement root)
    {
        const string path = "response";
        var id = RequiredInt(root, "id", path);
        var success = RequiredBool(root, "success", path);
        if (success)
        {
            var result = OptionalObject(root, "result", path);
            return new CommandResponse(id, true, result is { } r ? JsonObject.Create(r.Clone()) : null, null, null);
        }

        var error = RequiredString(root, "error", path);
        if (error.Length == 0)
        {
            throw Reject(ParseErrorKind.InvalidValue, "response.error must be a non-empty error code");
        }

        // message is human text and optional in practice; an absent one becomes "".
        return new CommandResponse(id, false, null, error, OptionalString(root, "message", path) ?? string.Empty);
    }

    private static DeviceDiscovered ReadDeviceDiscovered(JsonElement data, string path)
    {
        var address = RequiredString(data, "address", path);
        if (!BleAddress.IsValid(address))
        {
            throw Reject(ParseErrorKind.InvalidValue, $"{path}.address '{PeerText.Escape(address, 40)}' is not a BLE address (AA:BB:CC:DD:EE:FF or a platform UUID)");
        }

        var connectable = RequiredBool(data, "connectable", path);
        var name = OptionalString(data, "name", path);
        var rssi = OptionalInt(data, "rssi", path);

        var serviceData = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        if (OptionalObject(data, "service_data", path) is { } sd)
        {
            foreach (var entry in sd.EnumerateObject())
            {
                var entryPath = $"{path}.service_data[\"{entry.Name}\"]";
                if (!BleUuid.TryNormalize(entry.Name, out var uuid))
                {
                    throw Reject(ParseErrorKind.InvalidValue, $"{path}.service_data key '{entry.Name}' is not a UUID");
                }

                serviceData[uuid] = AsBase64(entry.Value, entryPath);
            }
        }

        var manufacturerData = new Dictionary<int, byte[]>();
        if (OptionalObject(data, "manufacturer_data", path) is { } md)
        {
            foreach (var entry in md.EnumerateObject())
            {
                var entryPath = $"{path}.manufacturer_data[\"{entry.Name}\"]";
                if (!TryParseCompanyId(entry.Name, out var companyId))
                {
                    throw Reject(
                        ParseErrorKind.InvalidValue,
                        $"{path}.manufacturer_data key '{entry.Name}' is not a company id (decimal or 0x hex, 0..65535)");
                }

                manufacturerData[companyId] = AsBase64(entry.Value, entryPath);
            }
        }

        var serviceUuids = OptionalUuidArray(data, "service_uuids", path, normalize: true) ?? [];
        return new DeviceDiscovered(address, connectable, name, rssi, serviceData, manufacturerData, serviceUuids);
    }

    /// <summary>Bluetooth SIG company identifiers are 16-bit; proxies send them as decimal or "0x" hex strings.</summary>
    private static bool TryParseCompanyId(string key, out int companyId)
    {
        companyId = 0;
        var ok = key.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? key.Length > 2 && int.TryParse(key.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out companyId)
            : key.Length > 0 && int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out companyId);
        return ok && companyId is >= 0 and <= ushort.MaxValue;
    }

    // ---- writing ----

    private static void WriteClientMessage(Utf8JsonWriter w, ClientMessage message)
    {
        w.WriteStartObject();
        switch (message)
        {
            case Hello hello:
                w.WriteString("type", "hello");
                w.WriteNumber("version", hello.Version);
                if (hello.ConnectionSlots is { } slots)
                {
                    w.WriteNumber("connection_slots", slots);
                }

                break;
            case CommandResponse response:
                w.WriteNumber("id", response.Id);
                w.WriteBoolean("success", response.Success);
                if (response.Success)
                {
                    if (response.Result is not null)
                    {
                        w.WritePropertyName("result");
                        response.Result.WriteTo(w);
                    }
                }
                else
                {
                    if (string.IsNullOrEmpty(response.Error))
                    {
                        throw new ArgumentException("a failed CommandResponse needs an error code", nameof(message));
                    }

                    w.WriteString("error", response.Error);
                    w.WriteString("message", response.Message ?? string.Empty);
                }

                break;
            case BleEvent ev:
                WriteEvent(w, ev);
                break;
            default:
                throw new ArgumentException($"cannot serialize client message {message.GetType().Name}", nameof(message));
        }

        w.WriteEndObject();
    }

    private static void WriteEvent(Utf8JsonWriter w, BleEvent ev)
    {
        switch (ev)
        {
            case DeviceDiscovered d:
                StartEvent(w, "device_discovered");
                w.WriteString("address", d.Address);
                w.WriteBoolean("connectable", d.Connectable);
                WriteOptionalString(w, "name", d.Name);

                if (d.Rssi is { } rssi)
                {
                    w.WriteNumber("rssi", rssi);
                }

                if (d.ServiceData is { Count: > 0 })
                {
                    w.WriteStartObject("service_data");
                    foreach (var (uuid, value) in d.ServiceData)
                    {
                        w.WriteBase64String(uuid, value);
                    }

                    w.WriteEndObject();
                }

                if (d.ManufacturerData is { Count: > 0 })
                {
                    w.WriteStartObject("manufacturer_data");
                    foreach (var (companyId, value) in d.ManufacturerData)
                    {
                        w.WriteBase64String(companyId.ToString(CultureInfo.InvariantCulture), value);
                    }

                    w.WriteEndObject();
                }

                if (d.ServiceUuids is { Count: > 0 })
                {
                    BleCommandTable.WriteStringArray(w, "service_uuids", d.ServiceUuids);
                }

                w.WriteEndObject();
                break;
            case Disconnected d:
                StartEvent(w, "disconnected");
                w.WriteNumber("connection_handle", d.ConnectionHandle);
                WriteOptionalString(w, "reason", d.Reason);
                w.WriteEndObject();
                break;
            case ScanStopped s:
                StartEvent(w, "scan_stopped");
                WriteOptionalString(w, "reason", s.Reason);
                w.WriteEndObject();
                break;
            case CharacteristicNotification n:
                StartEvent(w, "characteristic_notification");
                w.WriteNumber("connection_handle", n.ConnectionHandle);
                w.WriteString("characteristic_uuid", n.CharacteristicUuid);
                w.WriteBase64String("value", n.Value);
                w.WriteEndObject();
                break;
            default:
                throw new ArgumentException($"cannot serialize event {ev.GetType().Name}", nameof(ev));
        }
    }

    /// <summary>Writes the event name and opens its "data" object; the caller closes it.</summary>
    private static void StartEvent(Utf8JsonWriter w, string name)
    {
        w.WriteString("event", name);
        w.WriteStartObject("data");
    }

    private static void WriteOptionalString(Utf8JsonWriter w, string name, string? value)
    {
        if (value is not null)
        {
            w.WriteString(name, value);
        }
    }
}
