using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CommissioningActors.Protocol.Controller;
using CommissioningActors.Protocol.Matter.InteractionModel;

namespace CommissioningActors.Core.Controller;

/// <summary>
/// The Matter commands' args (part of <see cref="CommandArgs"/>): a missing or malformed argument throws
/// ArgumentException whose message is the `invalid_args` detail. Messages never quote a value: some are secrets.
/// </summary>
public static partial class CommandArgs
{
    public const int DefaultMatterPort = 5540;
    public const int MaxSsidBytes = 32;
    public const int MaxPasswordBytes = 64;
    public const int MaxDatasetBytes = 254;

    public static bool? OptionalBool(ControllerCommand c, string name) => c.Args[name] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>(),
        _ => throw new ArgumentException($"{name} must be true or false"),
    };

    public static ulong NodeId(ControllerCommand c) => c.Args["node_id"] switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<ulong>(out var id) && id > 0 => id,
        null => throw new ArgumentException("node_id (integer) is required"),
        _ => throw new ArgumentException("node_id must be a positive integer"),
    };

    /// <summary>attribute_path: "endpoint/cluster/attribute" in decimal, one concrete attribute.</summary>
    public static AttributePath AttributePathArg(ControllerCommand c)
    {
        var parsed = AttributePath.Parse(RequiredString(c, "attribute_path"));
        return parsed.IsOk ? parsed.Value! : throw new ArgumentException($"attribute_path: {parsed.Error!.Message}");
    }

    public static ushort EndpointId(ControllerCommand c) =>
        OptionalInt(c, "endpoint_id") is { } e ? e is >= 0 and <= ushort.MaxValue ? (ushort)e : throw new ArgumentException("endpoint_id must be 0-65535")
        : throw new ArgumentException("endpoint_id (integer) is required");

    public static uint ClusterId(ControllerCommand c) =>
        OptionalUInt(c, "cluster_id") ?? throw new ArgumentException("cluster_id (integer) is required");

    public static uint? OptionalUInt(ControllerCommand c, string name) => c.Args[name] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<uint>(out var u) => u,
        _ => throw new ArgumentException($"{name} must be an integer 0-4294967295"),
    };

    /// <summary>device_command's command: command_name or command_id (at least one).</summary>
    public static (string? Name, uint? Id) DeviceCommand(ControllerCommand c)
    {
        var name = OptionalString(c, "command_name");
        var id = OptionalUInt(c, "command_id");
        return name is null && id is null ? throw new ArgumentException("command_name (e.g. On, Off, Toggle, Identify) or command_id is required") : (name, id);
    }

    public static JsonObject? Payload(ControllerCommand c) => c.Args["payload"] switch
    {
        null => null,
        JsonObject o => (JsonObject)o.DeepClone(),
        _ => throw new ArgumentException("payload must be a JSON object"),
    };

    /// <summary>ip_addr: an IP address, optionally with a port ("host", "host:port", "[v6]:port"); port 5540 by default.</summary>
    public static IPEndPoint? IpAddress(ControllerCommand c)
    {
        if (OptionalString(c, "ip_addr") is not { } text)
        {
            return null;
        }

        if (IPEndPoint.TryParse(text, out var endpoint) && endpoint.Port != 0 && (text.Contains(']') || endpoint.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork))
        {
            return endpoint;
        }

        if (IPAddress.TryParse(text, out var address) && !text.EndsWith(":0", StringComparison.Ordinal))
        {
            return new IPEndPoint(address, DefaultMatterPort);
        }

        throw new ArgumentException("ip_addr must be an IP address, optionally with :port (1-65535); IPv6 with a port as [address]:port");
    }

    /// <summary>commission_on_network's filter: (false, null) for filter_type 0 (any device), else the discriminator and whether it is short.</summary>
    public static (bool Match, ushort Discriminator, bool IsShort) NetworkFilter(ControllerCommand c)
    {
        var type = OptionalInt(c, "filter_type") ?? 0;
        var filter = OptionalInt(c, "filter");
        return (type, filter) switch
        {
            (0, _) => (false, 0, true),
            (1, { } s) when s is >= 0 and <= 15 => (true, (ushort)s, true),
            (2, { } l) when l is >= 0 and <= 0xFFF => (true, (ushort)l, false),
            (1 or 2, null) => throw new ArgumentException("filter (the discriminator) is required with filter_type 1 or 2"),
            (1, _) => throw new ArgumentException("filter must be 0-15 with filter_type 1 (short discriminator)"),
            (2, _) => throw new ArgumentException("filter must be 0-4095 with filter_type 2 (long discriminator)"),
            _ => throw new ArgumentException("filter_type must be 0 (none), 1 (short discriminator) or 2 (long discriminator)"),
        };
    }

    /// <summary>set_wifi_credentials: ssid (1-32 bytes UTF-8) and credentials (the password, 0-64 bytes; empty for an open network).</summary>
    public static (string Ssid, byte[] Password) WifiCredentials(ControllerCommand c)
    {
        var ssid = RequiredString(c, "ssid");
        if (Encoding.UTF8.GetByteCount(ssid) > MaxSsidBytes)
        {
            throw new ArgumentException($"ssid must be at most {MaxSsidBytes} bytes");
        }

        var password = c.Args["credentials"] switch
        {
            JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
            null => throw new ArgumentException("credentials (the Wi-Fi password, string) is required"),
            _ => throw new ArgumentException("credentials must be a string"),
        };
        var bytes = Encoding.UTF8.GetBytes(password);
        return bytes.Length <= MaxPasswordBytes ? (ssid, bytes) : throw new ArgumentException($"credentials must be at most {MaxPasswordBytes} bytes");
    }

    /// <summary>
    /// set_thread_dataset: the operational dataset as hex, 1-254 bytes of well-formed MeshCoP TLVs (type, length,
    /// value) that include the network key (type 5, 16 bytes).
    /// </summary>
    public static byte[] ThreadDataset(ControllerCommand c)
    {
        var hex = c.Args["dataset"] switch
        {
            JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
            null => throw new ArgumentException("dataset (hex string) is required"),
            _ => throw new ArgumentException("dataset must be a hex string"),
        };
        if (hex.Length == 0 || hex.Length > MaxDatasetBytes * 2 || hex.Length % 2 != 0 || !hex.All(char.IsAsciiHexDigit))
        {
            throw new ArgumentException($"dataset must be an even number of hex digits, 1-{MaxDatasetBytes} bytes");
        }

        var bytes = Convert.FromHexString(hex);
        var sawNetworkKey = false;
        for (var i = 0; i < bytes.Length;)
        {
            if (i + 2 > bytes.Length || i + 2 + bytes[i + 1] > bytes.Length)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"dataset is not a Thread operational dataset: the TLV at byte {i} runs past the end"));
            }

            sawNetworkKey |= bytes[i] == 5 && bytes[i + 1] == 16;
            i += 2 + bytes[i + 1];
        }

        return sawNetworkKey ? bytes : throw new ArgumentException("dataset has no network key (TLV type 5, 16 bytes)");
    }

    /// <summary>Every form a passcode may take in text, registered as secrets of its job.</summary>
    public static IReadOnlyList<string> PasscodeForms(uint passcode) =>
        [passcode.ToString("D8", CultureInfo.InvariantCulture), passcode.ToString(CultureInfo.InvariantCulture)];
}
