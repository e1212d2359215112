using System.Text.Json;
using System.Text.Json.Nodes;
using CommissioningActors.Protocol.Matter.Tlv;

namespace CommissioningActors.Protocol.Matter.InteractionModel;

/// <summary>
/// device_command payloads: a JSON object keyed by the catalogued field names (matter.js camelCase) becomes
/// the command's TLV fields structure; a response structure becomes JSON keyed by name. Byte strings are
/// base64 both ways, as in read_attribute. Errors name the field, never its value.
/// </summary>
public static class CommandPayload
{
    public static Parsed<TlvElement> ToTlv(CommandSpec command, JsonObject? payload)
    {
        var members = new List<TlvElement>();
        var given = payload ?? [];
        foreach (var (key, _) in given)
        {
            if (!command.Fields.Any(f => f.Name == key))
            {
                var known = command.Fields.Count == 0 ? "none" : string.Join(", ", command.Fields.Select(f => f.Name));
                return Fail(command, $"has no field '{Escape(key)}' (fields: {known})");
            }
        }

        foreach (var field in command.Fields)
        {
            if (!given.TryGetPropertyValue(field.Name, out var node))
            {
                if (field.Optional)
                {
                    continue;
                }

                return Fail(command, $"field '{field.Name}' is required");
            }

            var value = Convert(field, node);
            if (value is null)
            {
                return Fail(command, $"field '{field.Name}' must be {Describe(field)}");
            }

            members.Add(new TlvElement(TlvTag.Context(field.Tag), value));
        }

        return Parsed<TlvElement>.Ok(new TlvElement(TlvTag.Anonymous, new TlvContainer(TlvContainerKind.Structure, members)));
    }

    /// <summary>A command outside the catalogue (device_command by command_id): only an empty payload, since field types are unknown.</summary>
    public static Parsed<TlvElement> ForUncatalogued(uint cluster, uint command, JsonObject? payload) =>
        payload is null || payload.Count == 0
            ? Parsed<TlvElement>.Ok(TlvElement.Structure(TlvTag.Anonymous))
            : Parsed<TlvElement>.Fail(ParseErrorKind.InvalidValue,
                $"command 0x{command:X2} of cluster 0x{cluster:X4} is not catalogued, so its payload must be empty");

    /// <summary>Response fields keyed by name where catalogued, by tag number otherwise; secret fields are left out.</summary>
    public static JsonObject ToJson(IReadOnlyList<FieldSpec>? fields, TlvElement structure)
    {
        var result = new JsonObject();
        foreach (var member in structure.AsContainer() ?? [])
        {
            var spec = member.Tag.Form == TlvTagForm.Context ? fields?.FirstOrDefault(f => f.Tag == member.Tag.Number) : null;
            if (spec is { Secret: true })
            {
                continue;
            }

            result[spec?.Name ?? member.Tag.ToKey()] = TlvJson.ToJsonNode(member);
        }

        return result;
    }

    private static TlvValue? Convert(FieldSpec field, JsonNode? node)
    {
        if (node is null)
        {
            return field.Nullable ? TlvNull.Instance : null;
        }

        if (node is not JsonValue)
        {
            return null;
        }

        // Through JsonElement so values built in code (JsonValue.Create(5)) and parsed ones behave alike.
        var value = JsonSerializer.Deserialize<JsonElement>(node.ToJsonString());
        switch (field.Type)
        {
            case FieldType.Bool:
                return value.ValueKind switch
                {
                    JsonValueKind.True => TlvBool.True,
                    JsonValueKind.False => TlvBool.False,
                    _ => null,
                };
            case FieldType.Int32:
                return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var signed) ? new TlvSigned(signed) : null;
            case FieldType.Utf8:
                var text = value.ValueKind == JsonValueKind.String ? value.GetString()! : null;
                return text is not null && text.Length >= field.MinLength && text.Length <= field.MaxLength ? new TlvUtf8(text) : null;
            case FieldType.Bytes:
                if (value.ValueKind != JsonValueKind.String)
                {
                    return null;
                }

                var base64 = value.GetString()!;
                var buffer = new byte[base64.Length];
                return System.Convert.TryFromBase64String(base64, buffer, out var length) && length >= field.MinLength && length <= field.MaxLength
                    ? new TlvBytes(buffer.AsMemory(0, length).ToArray())
                    : null;
            default:
                return value.ValueKind == JsonValueKind.Number && value.TryGetUInt64(out var unsigned) && unsigned <= Max(field.Type)
                    ? new TlvUnsigned(unsigned)
                    : null;
        }
    }

    private static ulong Max(FieldType type) => type switch
    {
        FieldType.UInt8 => byte.MaxValue,
        FieldType.UInt16 => ushort.MaxValue,
        FieldType.UInt32 => uint.MaxValue,
        _ => ulong.MaxValue,
    };

    private static string Describe(FieldSpec field)
    {
        var description = field.Type switch
        {
            FieldType.Bool => "true or false",
            FieldType.Int32 => "an integer -2147483648..2147483647",
            FieldType.Utf8 => field.MinLength == field.MaxLength ? $"a string of {field.MaxLength} characters" : $"a string of at most {field.MaxLength} characters",
            FieldType.Bytes => field.MinLength == field.MaxLength ? $"base64 of exactly {field.MaxLength} bytes" : $"base64 of {field.MinLength}..{field.MaxLength} bytes",
            _ => $"an integer 0..{Max(field.Type)}",
        };
        return field.Nullable ? description + " or null" : description;
    }

    private static Parsed<TlvElement> Fail(CommandSpec command, string message) =>
        Parsed<TlvElement>.Fail(ParseErrorKind.InvalidValue, $"command {command.Name} {message}");

    /// <summary>Keys come from the caller, not a device, but still never reach a message raw.</summary>
    private static string Escape(string key)
    {
        var shortened = key.Length > 64 ? key[..64] + "..." : key;
        return string.Concat(shortened.Select(c => char.IsControl(c) || c == '\'' ? $"\\u{(int)c:x4}" : c.ToString()));
    }
}
