using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using static CommissioningActors.Protocol.BleProxy.StrictJson;

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
public static partial class BleProxyCodec
{
    public const int ProtocolVersion = 1;

    /// <summary>hello_response error codes: the version is not spoken / a hello field is bad.</summary>
    public const string UnsupportedVersion = "unsupported_version";

    public const string InvalidHello = "invalid_hello";

    /// <summary>
    /// The most connection_slots a hello may state. ESP32 controllers hold at most 9 connections and common HCI
    /// controllers fewer; a larger claim is a client bug, and believing it would let the gate flood the radio.
    /// </summary>
    public const int MaxConnectionSlots = 32;

    /// <summary>Default upper bound for one frame; proxies send small frames.</summary>
    public const int DefaultMaxFrameBytes = 64 * 1024;

    /// <summary>ATT MTU assumed when a connect result carries none (the BLE minimum).</summary>
    public const int DefaultAttMtu = 23;

    /// <summary>Header of a binary frame: opcode (1) + connection handle (2, big-endian).</summary>
    public const int BinaryHeaderBytes = 3;

    private static readonly JsonDocumentOptions DocumentOptions = new() { AllowDuplicateProperties = false };

    // Relaxed escaping keeps base64 '+' and non-ASCII names readable; frames never end up in HTML.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    internal static readonly JsonElement EmptyObject = JsonElement.Parse("{}");

    // Server side: what arrives from a proxy.
    public static Parsed<ClientMessage> ParseClientMessage(ReadOnlySpan<byte> utf8Json, int maxBytes = DefaultMaxFrameBytes) =>
        ParseUtf8(utf8Json, maxBytes, ReadClientMessage);

    public static Parsed<ClientMessage> ParseClientMessage(string json, int maxBytes = DefaultMaxFrameBytes) =>
        ParseText(json, maxBytes, ReadClientMessage);

    /// <summary>True when the error is about a field of a hello (the frame was a hello, with a bad field).</summary>
    public static bool IsBadHello(ParseError error) =>
        error is not null && error.Message.StartsWith("hello.", StringComparison.Ordinal);

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

        if (BleCommandTable.Find(command) is not { ReadResult: { } read } entry)
        {
            return Parsed<BleCommandResult>.Ok(EmptyResult.Instance);
        }

        if (result is null)
        {
            return entry.ResultWhenAbsent is { } absent
                ? Parsed<BleCommandResult>.Ok(absent)
                : Parsed<BleCommandResult>.Fail(ParseErrorKind.MissingField, $"{command.Name}.result is required");
        }

        var path = command.Name + ".result";
        try
        {
            // Round-trip through a JsonDocument so one set of strict element readers serves both paths.
            using var doc = JsonDocument.Parse(result.ToJsonString(), DocumentOptions);
            RequireObject(doc.RootElement, path);
            return Parsed<BleCommandResult>.Ok(read(doc.RootElement, path));
        }
        catch (RejectException e)
        {
            return e.Error;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NotSupportedException or ArgumentException)
        {
            return Parsed<BleCommandResult>.Fail(ParseErrorKind.InvalidValue, $"{path} cannot be read: {e.Message}");
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
            var entry = BleCommandTable.Find(name) ?? throw Reject(ParseErrorKind.UnknownMessage, $"unknown command '{name}'");
            return new CommandFrame(id, entry.ReadArgs(args, name + ".args"));
        }

        throw Reject(ParseErrorKind.UnknownMessage, "message has neither 'type' nor 'command'");
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

    private static void WriteServerMessage(Utf8JsonWriter w, ServerMessage message)
    {
        w.WriteStartObject();
        switch (message)
        {
            case HelloResponse hello:
                w.WriteString("type", "hello_response");
                w.WriteNumber("version", hello.Version);
                WriteOptionalString(w, "error", hello.Error);
                WriteOptionalString(w, "message", hello.Message);

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

    /// <summary>Writes "args" unless the command has none.</summary>
    private static void WriteArgs(Utf8JsonWriter w, BleCommand command)
    {
        var entry = BleCommandTable.Find(command)
            ?? throw new ArgumentException($"cannot serialize command {command.GetType().Name}", nameof(command));
        if (entry.WriteArgs is not { } write)
        {
            return;
        }

        w.WriteStartObject("args");
        write(w, command);
        w.WriteEndObject();
    }
}
