using System.Text.Json;

namespace CommissioningActors.Protocol.BleProxy;

/// <summary>
/// Strict readers over JsonElement for the BLE proxy codec: every wrong type, missing field or bad value throws
/// a RejectException whose ParseError names the field by its path (e.g. "connect.args.address").
/// Optional fields that are JSON null count as absent.
/// </summary>
internal static class StrictJson
{
    /// <summary>Carries a ParseError out of nested readers; the codec turns it back into a failed Parsed.</summary>
    internal sealed class RejectException(ParseError error) : Exception(error.Message)
    {
        public ParseError Error { get; } = error;
    }

    internal static RejectException Reject(ParseErrorKind kind, string message) => new(new ParseError(kind, message));

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

    internal static RejectException WrongType(JsonElement element, string expected, string path) =>
        Reject(
            ParseErrorKind.WrongType,
            element.ValueKind == JsonValueKind.Number
                ? $"{path}: expected {expected}, got number {element.GetRawText()}"
                : $"{path}: expected {expected}, got {KindName(element.ValueKind)}");

    internal static void RequireObject(JsonElement element, string path)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw WrongType(element, "a JSON object", path);
        }
    }

    internal static JsonElement Required(JsonElement obj, string name, string path) =>
        obj.TryGetProperty(name, out var value)
            ? value
            : throw Reject(ParseErrorKind.MissingField, $"{path}.{name} is required");

    internal static JsonElement? Optional(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    internal static string AsString(JsonElement element, string path) =>
        element.ValueKind == JsonValueKind.String ? element.GetString()! : throw WrongType(element, "a string", path);

    internal static int AsInt(JsonElement element, string path)
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

    internal static bool AsBool(JsonElement element, string path) => element.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw WrongType(element, "a boolean", path),
    };

    internal static JsonElement AsArray(JsonElement element, string path) =>
        element.ValueKind == JsonValueKind.Array ? element : throw WrongType(element, "an array", path);

    internal static byte[] AsBase64(JsonElement element, string path)
    {
        if (element.ValueKind != JsonValueKind.String)
        {
            throw WrongType(element, "a base64 string", path);
        }

        return element.TryGetBytesFromBase64(out var bytes)
            ? bytes
            : throw Reject(ParseErrorKind.InvalidValue, $"{path}: not valid base64");
    }

    internal static string RequiredString(JsonElement obj, string name, string path) =>
        AsString(Required(obj, name, path), $"{path}.{name}");

    internal static string RequiredNonEmptyString(JsonElement obj, string name, string path)
    {
        var value = RequiredString(obj, name, path);
        return value.Length > 0 ? value : throw Reject(ParseErrorKind.InvalidValue, $"{path}.{name} must not be empty");
    }

    internal static string? OptionalString(JsonElement obj, string name, string path) =>
        Optional(obj, name) is { } value ? AsString(value, $"{path}.{name}") : null;

    internal static int RequiredInt(JsonElement obj, string name, string path) =>
        AsInt(Required(obj, name, path), $"{path}.{name}");

    internal static int? OptionalInt(JsonElement obj, string name, string path) =>
        Optional(obj, name) is { } value ? AsInt(value, $"{path}.{name}") : null;

    internal static int RequiredPositiveInt(JsonElement obj, string name, string path) =>
        Positive(RequiredInt(obj, name, path), $"{path}.{name}");

    internal static int? OptionalPositiveInt(JsonElement obj, string name, string path) =>
        OptionalInt(obj, name, path) is { } value ? Positive(value, $"{path}.{name}") : null;

    internal static int Positive(int value, string path) =>
        value > 0 ? value : throw Reject(ParseErrorKind.InvalidValue, $"{path} must be positive, got {value}");

    /// <summary>Handles travel as 16-bit values in binary frames, so JSON handles must fit too.</summary>
    internal static int RequiredHandle(JsonElement obj, string path)
    {
        var handle = RequiredInt(obj, "connection_handle", path);
        return handle is >= 0 and <= ushort.MaxValue
            ? handle
            : throw Reject(ParseErrorKind.InvalidValue, $"{path}.connection_handle must be 0..65535, got {handle}");
    }

    internal static bool RequiredBool(JsonElement obj, string name, string path) =>
        AsBool(Required(obj, name, path), $"{path}.{name}");

    internal static bool? OptionalBool(JsonElement obj, string name, string path) =>
        Optional(obj, name) is { } value ? AsBool(value, $"{path}.{name}") : null;

    internal static JsonElement? OptionalObject(JsonElement obj, string name, string path)
    {
        if (Optional(obj, name) is not { } value)
        {
            return null;
        }

        RequireObject(value, $"{path}.{name}");
        return value;
    }

    internal static byte[] RequiredBase64(JsonElement obj, string name, string path) =>
        AsBase64(Required(obj, name, path), $"{path}.{name}");

    internal static byte[]? OptionalBase64(JsonElement obj, string name, string path) =>
        Optional(obj, name) is { } value ? AsBase64(value, $"{path}.{name}") : null;

    /// <summary>Validates the UUID and returns it as written.</summary>
    internal static string RequiredUuid(JsonElement obj, string name, string path)
    {
        var value = RequiredString(obj, name, path);
        return BleUuid.TryNormalize(value, out _)
            ? value
            : throw Reject(ParseErrorKind.InvalidValue, $"{path}.{name}: '{value}' is not a UUID");
    }

    /// <summary>A required array of objects, each read by read(item, itemPath).</summary>
    internal static List<T> RequiredObjectArray<T>(JsonElement obj, string name, string path, Func<JsonElement, string, T> read)
    {
        var items = AsArray(Required(obj, name, path), $"{path}.{name}");
        var list = new List<T>(items.GetArrayLength());
        var i = 0;
        foreach (var item in items.EnumerateArray())
        {
            var itemPath = $"{path}.{name}[{i++}]";
            RequireObject(item, itemPath);
            list.Add(read(item, itemPath));
        }

        return list;
    }

    internal static List<string>? OptionalStringArray(JsonElement obj, string name, string path)
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

    internal static List<string>? OptionalUuidArray(JsonElement obj, string name, string path, bool normalize)
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
}
