using System.Globalization;
using System.Text.Json.Nodes;

namespace CommissioningActors.Protocol.Matter.Tlv;

/// <summary>
/// The read_attribute rendering of a TLV value: integers, bools and strings as themselves, null as null,
/// byte strings as base64, structures as objects keyed by tag (<see cref="TlvTag.ToKey"/>), arrays and
/// lists as arrays (list member tags are dropped). Non-finite floats, which JSON cannot hold, become the
/// strings "NaN", "Infinity" and "-Infinity".
/// </summary>
public static class TlvJson
{
    public static JsonNode? ToJsonNode(TlvElement element) => ToJsonNode(element.Value);

    public static JsonNode? ToJsonNode(TlvValue value) => value switch
    {
        TlvSigned s => JsonValue.Create(s.Value),
        TlvUnsigned u => JsonValue.Create(u.Value),
        TlvBool b => JsonValue.Create(b.Value),
        // The shortest decimal that round-trips the float: 17.9, not 17.899999618530273.
        TlvFloat f => Number(double.IsFinite(f.Value)
            ? double.Parse(f.Value.ToString("R", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture)
            : f.Value),
        TlvDouble d => Number(d.Value),
        TlvUtf8 s => JsonValue.Create(s.Value),
        TlvBytes b => JsonValue.Create(Convert.ToBase64String(b.Value.Span)),
        TlvNull => null,
        TlvContainer { Kind: TlvContainerKind.Structure } c => Object(c),
        TlvContainer c => new JsonArray([.. c.Members.Select(m => ToJsonNode(m.Value))]),
        _ => null,
    };

    public static string ToJsonString(TlvElement element) => ToJsonNode(element)?.ToJsonString() ?? "null";

    private static JsonObject Object(TlvContainer container)
    {
        var result = new JsonObject();
        foreach (var member in container.Members)
        {
            // The decoder rejects duplicate tags; the indexer keeps a hand-built tree from throwing anyway.
            result[member.Tag.ToKey()] = ToJsonNode(member.Value);
        }

        return result;
    }

    private static JsonNode Number(double value) => double.IsFinite(value)
        ? JsonValue.Create(value)
        : JsonValue.Create(double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
}
