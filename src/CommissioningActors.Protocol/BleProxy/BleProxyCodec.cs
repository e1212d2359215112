using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using CommissioningActors.Protocol.Text;

namespace CommissioningActors.Protocol.BleProxy;

/// <summary>
/// Wire codec for BLE proxy protocol v1, both directions (the server and the simulator client share it).
/// Parsing never throws: bad input comes back as a ParseError.
/// </summary>
/// <remarks>
/// UUIDs arriving from a proxy (events, decoded results) are normalised with <see cref="BleUuid"/> because proxies
/// spell them differently; UUIDs in server commands are validated but kept as the server wrote them.
/// Optional fields that are JSON null are treated as absent (Python clients emit null for None).
/// Unknown extra fields are ignored for forward compatibility; duplicate property names are rejected.
/// </remarks>
public static class BleProxyCodec
{
    public const int ProtocolVersion = 1;

    /// <summary>Default upper bound for one frame; proxies send small frames.</summary>
    public const int DefaultMaxFrameBytes = 64 * 1024;

    /// <summary>ATT MTU assumed when a connect result carries none (the BLE minimum).</summary>
    public const int DefaultAttMtu = 23;

    /// <summary>Header of a binary frame: opcode (1) + connection handle (2, big-endian).</summary>
    public const int BinaryHeaderBytes = 3;

    private static readonly JsonDocumentOptions DocumentOptions = new() { AllowDuplicateProperties = false };

    // Relaxed escaping keeps base64 '+' and non-ASCII names readable; frames never end up in HTML.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly JsonElement EmptyObject = JsonElement.Parse("{}");

    // Server side: what arrives from a proxy.
    public static Parsed<ClientMessage> ParseClientMessage(ReadOnlySpan<byte> utf8Json, int maxBytes = DefaultMaxFrameBytes) =>
        ParseUtf8(utf8Json, maxBytes, ReadClientMessage);

    public static Parsed<ClientMessage> ParseClientMessage(string json, int maxBytes = DefaultMaxFrameBytes) =>
        ParseText(json, maxBytes, ReadClientMessage);

    // Client side (simulator): what arrives from the server.
    public static Parsed<ServerMessage> ParseServerMessage(ReadOnlySpan<byte> utf8Json, int maxBytes = DefaultMaxFrameBytes) =>
        ParseUtf8(utf8Json, maxBytes, ReadServerMessage);

    public static Parsed<ServerMessage> ParseServerMessage(string json, int maxBytes = DefaultMaxFrameBytes) =>
        ParseText(json, maxBytes, ReadServerMessage);

    public static Parsed<BinaryFrame> ParseBinary(ReadOnlySpan<byte> frame, int maxBytes = DefaultMaxFrameBytes)
    {
        if (frame.Length > maxBytes)
        {
            return Parsed<BinaryFrame>.Fail(ParseErrorKind.FrameTooLarge, $"binary frame is {frame.Length} bytes; the limit is {maxBytes}");
        }

        if (frame.Length < BinaryHeaderBytes)
        {
            return Parsed<BinaryFrame>.Fail(
                ParseErrorKind.FrameTooShort,
                $"binary frame is {frame.Length} bytes; at least {BinaryHeaderBytes} (opcode + connection_handle) are required");
        }

        var opcode = (BinaryOpcode)frame[0];
        if (!IsKnownOpcode(opcode))
        {
            return Parsed<BinaryFrame>.Fail(ParseErrorKind.UnknownOpcode, $"unknown binary opcode 0x{frame[0]:x2}");
        }

        var handle = BinaryPrimitives.ReadUInt16BigEndian(frame[1..]);
        return Parsed<BinaryFrame>.Ok(new BinaryFrame(opcode, handle, frame[BinaryHeaderBytes..].ToArray()));
    }

    /// <summary>Decodes a success result by the command it answers (connect -> ConnectResult, ...).</summary>
    public static Parsed<BleCommandResult> DecodeResult(BleCommand command, JsonObject? result)
    {
        if (command is null)
        {
            return Parsed<BleCommandResult>.Fail(ParseErrorKind.InvalidValue, "command is null");
        }

        try
        {
            switch (command)
            {
                case Connect or DiscoverServices or DiscoverCharacteristics or RequestMtu when result is null:
                    return Parsed<BleCommandResult>.Fail(ParseErrorKind.MissingField, $"{command.Name}.result is required");
                case ReadCharacteristic when result is null:
                    return Parsed<BleCommandResult>.Ok(new ReadResult(null));
                case Connect or DiscoverServices or DiscoverCharacteristics or RequestMtu or ReadCharacteristic:
                    // Round-trip through a JsonDocument so one set of strict element readers serves both paths.
                    using (var doc = JsonDocument.Parse(result!.ToJsonString(), DocumentOptions))
                    {
                        return Parsed<BleCommandResult>.Ok(ReadResult(command, doc.RootElement));
                    }

                default:
                    return Parsed<BleCommandResult>.Ok(EmptyResult.Instance);
            }
        }
        catch (RejectException e)
        {
            return e.Error;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NotSupportedException or ArgumentException)
        {
            return Parsed<BleCommandResult>.Fail(ParseErrorKind.InvalidValue, $"{command.Name}.result cannot be read: {e.Message}");
        }
    }

    public static string Serialize(ClientMessage message) => Encoding.UTF8.GetString(SerializeToUtf8Bytes(message));

    public static string Serialize(ServerMessage message) => Encoding.UTF8.GetString(SerializeToUtf8Bytes(message));

    /// <summary>UTF-8 form of <see cref="Serialize(ClientMessage)"/>, ready for a WebSocket text frame.</summary>
    public static byte[] SerializeToUtf8Bytes(ClientMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return Write(w => WriteClientMessage(w, message));
    }

    /// <summary>UTF-8 form of <see cref="Serialize(ServerMessage)"/>, ready for a WebSocket text frame.</summary>
    public static byte[] SerializeToUtf8Bytes(ServerMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return Write(w => WriteServerMessage(w, message));
    }

    public static byte[] Serialize(BinaryFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (!IsKnownOpcode(frame.Opcode))
        {
            throw new ArgumentException($"unknown binary opcode 0x{(byte)frame.Opcode:x2}", nameof(frame));
        }

        var payload = frame.Payload ?? [];
        var bytes = new byte[BinaryHeaderBytes + payload.Length];
        bytes[0] = (byte)frame.Opcode;
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(1), frame.ConnectionHandle);
        payload.CopyTo(bytes.AsSpan(BinaryHeaderBytes));
        return bytes;
    }

    private static bool IsKnownOpcode(BinaryOpcode opcode) =>
        opcode is BinaryOpcode.WriteData or BinaryOpcode.Notification or BinaryOpcode.ReadResponse;

    // ---- parsing entry points ----

    private static Parsed<T> ParseUtf8<T>(ReadOnlySpan<byte> utf8Json, int maxBytes, Func<JsonElement, T> read)
    {
        if (utf8Json.Length > maxBytes)
        {
            return Parsed<T>.Fail(ParseErrorKind.FrameTooLarge, $"frame is {utf8Json.Length} bytes; the limit is {maxBytes}");
        }

        // JsonDocument needs memory, not a span; a pooled copy avoids a per-frame allocation.
        var buffer = ArrayPool<byte>.Shared.Rent(utf8Json.Length);
        try
        {
            utf8Json.CopyTo(buffer);
            using var doc = JsonDocument.Parse(buffer.AsMemory(0, utf8Json.Length), DocumentOptions);
            return Parsed<T>.Ok(read(doc.RootElement));
        }
        catch (Exception e) when (IsParseException(e))
        {
            return ToFailure<T>(e);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static Parsed<T> ParseText<T>(string json, int maxBytes, Func<JsonElement, T> read)
    {
        if (json is null)
        {
            return Parsed<T>.Fail(ParseErrorKind.MalformedJson, "frame is null");
        }

        // UTF-8 never has fewer bytes than UTF-16 code units, so the cheap length check goes first.
        if (json.Length > maxBytes || Encoding.UTF8.GetByteCount(json) > maxBytes)
        {
            return Parsed<T>.Fail(ParseErrorKind.FrameTooLarge, $"frame exceeds the limit of {maxBytes} bytes");
        }

        try
        {
            using var doc = JsonDocument.Parse(json, DocumentOptions);
            return Parsed<T>.Ok(read(doc.RootElement));
        }
        catch (Exception e) when (IsParseException(e))
        {
            return ToFailure<T>(e);
        }
    }

    // Invalid UTF-8/UTF-16 surfaces as InvalidOperationException/ArgumentException from System.Text.Json.
    private static bool IsParseException(Exception e) =>
        e is RejectException or JsonException or InvalidOperationException or ArgumentException or FormatException;

    private static Parsed<T> ToFailure<T>(Exception e) => e switch
    {
        RejectException r => r.Error,
        JsonException => Parsed<T>.Fail(ParseErrorKind.MalformedJson, $"malformed JSON: {e.Message}"),
        _ => Parsed<T>.Fail(ParseErrorKind.MalformedJson, $"unreadable text: {e.Message}"),
    };

    // ---- client -> server ----

    private static ClientMessage ReadClientMessage(JsonElement root)
    {
        RequireObject(root, "message");

        if (root.TryGetProperty("type", out var typeElement))
        {
            var type = AsString(typeElement, "type");
            return type switch
            {
                "hello" => new Hello(RequiredInt(root, "version", "hello")),
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

    private static BleCommandResult ReadResult(BleCommand command, JsonElement result)
    {
        var path = command.Name + ".result";
        RequireObject(result, path);
        return command switch
        {
            Connect => new ConnectResult(RequiredHandle(result, path), OptionalPositiveInt(result, "mtu", path) ?? DefaultAttMtu),
            DiscoverServices => new ServicesResult(ReadServices(result, path)),
            DiscoverCharacteristics => new CharacteristicsResult(ReadCharacteristics(result, path)),
            ReadCharacteristic => new ReadResult(OptionalBase64(result, "value", path)),
            RequestMtu => new MtuResult(RequiredPositiveInt(result, "mtu", path)),
            _ => EmptyResult.Instance,
        };
    }

    private static List<string> ReadServices(JsonElement result, string path)
    {
        var items = AsArray(Required(result, "services", path), path + ".services");
        var uuids = new List<string>(items.GetArrayLength());
        var i = 0;
        foreach (var item in items.EnumerateArray())
        {
            var itemPath = $"{path}.services[{i++}]";
            RequireObject(item, itemPath);
            uuids.Add(BleUuid.Normalize(RequiredUuid(item, "uuid", itemPath)));
        }

        return uuids;
    }

    private static List<CharacteristicInfo> ReadCharacteristics(JsonElement result, string path)
    {
        var items = AsArray(Required(result, "characteristics", path), path + ".characteristics");
        var characteristics = new List<CharacteristicInfo>(items.GetArrayLength());
        var i = 0;
        foreach (var item in items.EnumerateArray())
        {
            var itemPath = $"{path}.characteristics[{i++}]";
            RequireObject(item, itemPath);
            var uuid = BleUuid.Normalize(RequiredUuid(item, "uuid", itemPath));
            var properties = OptionalStringArray(item, "properties", itemPath) ?? [];
            characteristics.Add(new CharacteristicInfo(uuid, properties));
        }

        return characteristics;
    }

    // ---- server -> client ----

    private static ServerMessage ReadServerMessage(JsonElement root)
    {
        RequireObject(root, "message");

        if (root.TryGetProperty("type", out var typeElement))
        {
            var type = AsString(typeElement, "type");
            const string path = "hello_response";
            return type switch
            {
                "hello_response" => new HelloResponse(
                    RequiredInt(root, "version", path),
                    OptionalString(root, "error", path),
                    OptionalString(root, "message", path)),
                _ => throw Reject(ParseErrorKind.UnknownMessage, $"unknown message type '{type}' from the server"),
            };
        }

        if (root.TryGetProperty("command", out var commandElement))
        {
            var name = AsString(commandElement, "command");
            var id = RequiredInt(root, "id", "command");
            var args = OptionalObject(root, "args", name) ?? EmptyObject;
            return new CommandFrame(id, ReadCommand(name, args, name + ".args"));
        }

        throw Reject(ParseErrorKind.UnknownMessage, "message has neither 'type' nor 'command'");
    }

    private static BleCommand ReadCommand(string name, JsonElement args, string path) => name switch
    {
        "start_scan" => new StartScan(
            OptionalUuidArray(args, "service_uuids", path, normalize: false),
            OptionalBool(args, "allow_duplicates", path) ?? true),
        "stop_scan" => new StopScan(),
        "connect" => new Connect(RequiredNonEmptyString(args, "address", path), OptionalPositiveInt(args, "timeout", path) ?? 30000),
        "disconnect" => new Disconnect(RequiredHandle(args, path)),
        "discover_services" => new DiscoverServices(RequiredHandle(args, path)),
        "discover_characteristics" => new DiscoverCharacteristics(RequiredHandle(args, path), RequiredUuid(args, "service_uuid", path)),
        "read_characteristic" => new ReadCharacteristic(RequiredHandle(args, path), RequiredUuid(args, "characteristic_uuid", path)),
        "write_characteristic" => new WriteCharacteristic(
            RequiredHandle(args, path),
            RequiredUuid(args, "characteristic_uuid", path),
            RequiredBase64(args, "value", path),
            OptionalBool(args, "response", path) ?? false),
        "subscribe_characteristic" => new SubscribeCharacteristic(RequiredHandle(args, path), RequiredUuid(args, "characteristic_uuid", path)),
        "write_and_subscribe" => new WriteAndSubscribe(
            RequiredHandle(args, path),
            RequiredUuid(args, "write_uuid", path),
            RequiredBase64(args, "write_value", path),
            RequiredBool(args, "write_response", path),
            RequiredUuid(args, "subscribe_uuid", path)),
        "unsubscribe_characteristic" => new UnsubscribeCharacteristic(RequiredHandle(args, path), RequiredUuid(args, "characteristic_uuid", path)),
        "request_mtu" => new RequestMtu(RequiredHandle(args, path), RequiredPositiveInt(args, "mtu", path)),
        _ => throw Reject(ParseErrorKind.UnknownMessage, $"unknown command '{name}'"),
    };

    // ---- strict element readers; each failure names the field by its path ----

    /// <summary>Carries a ParseError out of nested readers; never escapes this class.</summary>
    private sealed class RejectException(ParseError error) : Exception(error.Message)
    {
        public ParseError Error { get; } = error;
    }

    private static RejectException Reject(ParseErrorKind kind, string message) => new(new ParseError(kind, message));

    private static string KindName(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    private static RejectException WrongType(JsonElement element, string expected, string path) =>
        Reject(
            ParseErrorKind.WrongType,
            element.ValueKind == JsonValueKind.Number
                ? $"{path}: expected {expected}, got number {element.GetRawText()}"
                : $"{path}: expected {expected}, got {KindName(element.ValueKind)}");

    private static void RequireObject(JsonElement element, string path)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw WrongType(element, "a JSON object", path);
        }
    }

    private static JsonElement Required(JsonElement obj, string name, string path) =>
        obj.TryGetProperty(name, out var value)
            ? value
            : throw Reject(ParseErrorKind.MissingField, $"{path}.{name} is required");

    private static JsonElement? Optional(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    private static string AsString(JsonElement element, string path) =>
        element.ValueKind == JsonValueKind.String ? element.GetString()! : throw WrongType(element, "a string", path);

    private static int AsInt(JsonElement element, string path)
    {
        if (element.ValueKind != JsonValueKind.Number)
        {
            throw WrongType(element, "an integer", path);
        }

        if (element.TryGetInt32(out var value))
        {
            return value;
        }

        // A fraction is the wrong kind of number; a whole number that does not fit is a bad value.
        var whole = element.TryGetDecimal(out var d) && d == decimal.Truncate(d);
        throw whole
            ? Reject(ParseErrorKind.InvalidValue, $"{path}: {element.GetRawText()} is out of 32-bit integer range")
            : WrongType(element, "an integer", path);
    }

    private static bool AsBool(JsonElement element, string path) => element.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw WrongType(element, "a boolean", path),
    };

    private static JsonElement AsArray(JsonElement element, string path) =>
        element.ValueKind == JsonValueKind.Array ? element : throw WrongType(element, "an array", path);

    private static byte[] AsBase64(JsonElement element, string path)
    {
        if (element.ValueKind != JsonValueKind.String)
        {
            throw WrongType(element, "a base64 string", path);
        }

        return element.TryGetBytesFromBase64(out var bytes)
            ? bytes
            : throw Reject(ParseErrorKind.InvalidValue, $"{path}: not valid base64");
    }

    private static string RequiredString(JsonElement obj, string name, string path) =>
        AsString(Required(obj, name, path), $"{path}.{name}");

    private static string RequiredNonEmptyString(JsonElement obj, string name, string path)
    {
        var value = RequiredString(obj, name, path);
        return value.Length > 0 ? value : throw Reject(ParseErrorKind.InvalidValue, $"{path}.{name} must not be empty");
    }

    private static string? OptionalString(JsonElement obj, string name, string path) =>
        Optional(obj, name) is { } value ? AsString(value, $"{path}.{name}") : null;

    private static int RequiredInt(JsonElement obj, string name, string path) =>
        AsInt(Required(obj, name, path), $"{path}.{name}");

    private static int? OptionalInt(JsonElement obj, string name, string path) =>
        Optional(obj, name) is { } value ? AsInt(value, $"{path}.{name}") : null;

    private static int RequiredPositiveInt(JsonElement obj, string name, string path) =>
        Positive(RequiredInt(obj, name, path), $"{path}.{name}");

    private static int? OptionalPositiveInt(JsonElement obj, string name, string path) =>
        OptionalInt(obj, name, path) is { } value ? Positive(value, $"{path}.{name}") : null;

    private static int Positive(int value, string path) =>
        value > 0 ? value : throw Reject(ParseErrorKind.InvalidValue, $"{path} must be positive, got {value}");

    /// <summary>Handles travel as 16-bit values in binary frames, so JSON handles must fit too.</summary>
    private static int RequiredHandle(JsonElement obj, string path)
    {
        var handle = RequiredInt(obj, "connection_handle", path);
        return handle is >= 0 and <= ushort.MaxValue
            ? handle
            : throw Reject(ParseErrorKind.InvalidValue, $"{path}.connection_handle must be 0..65535, got {handle}");
    }

    private static bool RequiredBool(JsonElement obj, string name, string path) =>
        AsBool(Required(obj, name, path), $"{path}.{name}");

    private static bool? OptionalBool(JsonElement obj, string name, string path) =>
        Optional(obj, name) is { } value ? AsBool(value, $"{path}.{name}") : null;

    private static JsonElement? OptionalObject(JsonElement obj, string name, string path)
    {
        if (Optional(obj, name) is not { } value)
        {
            return null;
        }

        RequireObject(value, $"{path}.{name}");
        return value;
    }

    private static byte[] RequiredBase64(JsonElement obj, string name, string path) =>
        AsBase64(Required(obj, name, path), $"{path}.{name}");

    private static byte[]? OptionalBase64(JsonElement obj, string name, string path) =>
        Optional(obj, name) is { } value ? AsBase64(value, $"{path}.{name}") : null;

    /// <summary>Validates the UUID and returns it as written.</summary>
    private static string RequiredUuid(JsonElement obj, string name, string path)
    {
        var value = RequiredString(obj, name, path);
        return BleUuid.TryNormalize(value, out _)
            ? value
            : throw Reject(ParseErrorKind.InvalidValue, $"{path}.{name}: '{value}' is not a UUID");
    }

    private static List<string>? OptionalStringArray(JsonElement obj, string name, string path)
    {
        if (Optional(obj, name) is not { } value)
        {
            return null;
        }

        var array = AsArray(value, $"{path}.{name}");
        var list = new List<string>(array.GetArrayLength());
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            list.Add(AsString(item, $"{path}.{name}[{i++}]"));
        }

        return list;
    }

    private static List<string>? OptionalUuidArray(JsonElement obj, string name, string path, bool normalize)
    {
        var list = OptionalStringArray(obj, name, path);
        for (var i = 0; list is not null && i < list.Count; i++)
        {
            if (!BleUuid.TryNormalize(list[i], out var normalized))
            {
                throw Reject(ParseErrorKind.InvalidValue, $"{path}.{name}[{i}]: '{list[i]}' is not a UUID");
            }

            if (normalize)
            {
                list[i] = normalized;
            }
        }

        return list;
    }

    // ---- writing ----

    private static byte[] Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            write(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteClientMessage(Utf8JsonWriter w, ClientMessage message)
    {
        w.WriteStartObject();
        switch (message)
        {
            case Hello hello:
                w.WriteString("type", "hello");
                w.WriteNumber("version", hello.Version);
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
                w.WriteString("event", "device_discovered");
                w.WriteStartObject("data");
                w.WriteString("address", d.Address);
                w.WriteBoolean("connectable", d.Connectable);
                if (d.Name is not null)
                {
                    w.WriteString("name", d.Name);
                }

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
                    WriteStringArray(w, "service_uuids", d.ServiceUuids);
                }

                w.WriteEndObject();
                break;
            case Disconnected d:
                w.WriteString("event", "disconnected");
                w.WriteStartObject("data");
                w.WriteNumber("connection_handle", d.ConnectionHandle);
                if (d.Reason is not null)
                {
                    w.WriteString("reason", d.Reason);
                }

                w.WriteEndObject();
                break;
            case ScanStopped s:
                w.WriteString("event", "scan_stopped");
                w.WriteStartObject("data");
                if (s.Reason is not null)
                {
                    w.WriteString("reason", s.Reason);
                }

                w.WriteEndObject();
                break;
            case CharacteristicNotification n:
                w.WriteString("event", "characteristic_notification");
                w.WriteStartObject("data");
                w.WriteNumber("connection_handle", n.ConnectionHandle);
                w.WriteString("characteristic_uuid", n.CharacteristicUuid);
                w.WriteBase64String("value", n.Value);
                w.WriteEndObject();
                break;
            default:
                throw new ArgumentException($"cannot serialize event {ev.GetType().Name}", nameof(ev));
        }
    }

    private static void WriteServerMessage(Utf8JsonWriter w, ServerMessage message)
    {
        w.WriteStartObject();
        switch (message)
        {
            case HelloResponse hello:
                w.WriteString("type", "hello_response");
                w.WriteNumber("version", hello.Version);
                if (hello.Error is not null)
                {
                    w.WriteString("error", hello.Error);
                }

                if (hello.Message is not null)
                {
                    w.WriteString("message", hello.Message);
                }

                break;
            case CommandFrame frame:
                ArgumentNullException.ThrowIfNull(frame.Command, nameof(message));
                w.WriteNumber("id", frame.Id);
                w.WriteString("command", frame.Command.Name);
                WriteArgs(w, frame.Command);
                break;
            default:
                throw new ArgumentException($"cannot serialize server message {message.GetType().Name}", nameof(message));
        }

        w.WriteEndObject();
    }

    /// <summary>Writes "args" unless the command has none. Defaults are written explicitly so third-party clients need not know them.</summary>
    private static void WriteArgs(Utf8JsonWriter w, BleCommand command)
    {
        if (command is StopScan)
        {
            return;
        }

        w.WriteStartObject("args");
        switch (command)
        {
            case StartScan c:
                if (c.ServiceUuids is not null)
                {
                    WriteStringArray(w, "service_uuids", c.ServiceUuids);
                }

                w.WriteBoolean("allow_duplicates", c.AllowDuplicates);
                break;
            case Connect c:
                w.WriteString("address", c.Address);
                w.WriteNumber("timeout", c.TimeoutMs);
                break;
            case Disconnect c:
                w.WriteNumber("connection_handle", c.ConnectionHandle);
                break;
            case DiscoverServices c:
                w.WriteNumber("connection_handle", c.ConnectionHandle);
                break;
            case DiscoverCharacteristics c:
                w.WriteNumber("connection_handle", c.ConnectionHandle);
                w.WriteString("service_uuid", c.ServiceUuid);
                break;
            case ReadCharacteristic c:
                w.WriteNumber("connection_handle", c.ConnectionHandle);
                w.WriteString("characteristic_uuid", c.CharacteristicUuid);
                break;
            case WriteCharacteristic c:
                w.WriteNumber("connection_handle", c.ConnectionHandle);
                w.WriteString("characteristic_uuid", c.CharacteristicUuid);
                w.WriteBase64String("value", c.Value);
                w.WriteBoolean("response", c.Response);
                break;
            case SubscribeCharacteristic c:
                w.WriteNumber("connection_handle", c.ConnectionHandle);
                w.WriteString("characteristic_uuid", c.CharacteristicUuid);
                break;
            case WriteAndSubscribe c:
                w.WriteNumber("connection_handle", c.ConnectionHandle);
                w.WriteString("write_uuid", c.WriteUuid);
                w.WriteBase64String("write_value", c.WriteValue);
                w.WriteBoolean("write_response", c.WriteResponse);
                w.WriteString("subscribe_uuid", c.SubscribeUuid);
                break;
            case UnsubscribeCharacteristic c:
                w.WriteNumber("connection_handle", c.ConnectionHandle);
                w.WriteString("characteristic_uuid", c.CharacteristicUuid);
                break;
            case RequestMtu c:
                w.WriteNumber("connection_handle", c.ConnectionHandle);
                w.WriteNumber("mtu", c.Mtu);
                break;
            default:
                throw new ArgumentException($"cannot serialize command {command.GetType().Name}", nameof(command));
        }

        w.WriteEndObject();
    }

    private static void WriteStringArray(Utf8JsonWriter w, string name, IReadOnlyList<string> values)
    {
        w.WriteStartArray(name);
        foreach (var value in values)
        {
            w.WriteStringValue(value);
        }

        w.WriteEndArray();
    }
}
