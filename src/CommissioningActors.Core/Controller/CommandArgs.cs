using System.Text.Json;
using System.Text.Json.Nodes;
using CommissioningActors.Protocol.Controller;
using CommissioningActors.Protocol.Matter;

namespace CommissioningActors.Core.Controller;

/// <summary>
/// Reads and validates a /ws command's args. A missing or malformed argument throws ArgumentException whose
/// message is the `invalid_args` detail the client gets; nothing here echoes a secret.
/// </summary>
public static partial class CommandArgs
{
    public const int MaxStringLength = 256;
    public const int MaxTimeoutSeconds = 3600;

    public static string RequiredString(ControllerCommand c, string name) =>
        OptionalString(c, name) ?? throw new ArgumentException($"{name} (string) is required");

    public static string? OptionalString(ControllerCommand c, string name) => c.Args[name] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String && v.GetValue<string>().Length is > 0 and <= MaxStringLength => v.GetValue<string>(),
        _ => throw new ArgumentException($"{name} must be a non-empty string of at most {MaxStringLength} characters"),
    };

    public static int? OptionalInt(ControllerCommand c, string name) => c.Args[name] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<int>(out var i) => i,
        _ => throw new ArgumentException($"{name} must be an integer"),
    };

    /// <summary>timeout_s, when given: 1 to 3600 seconds.</summary>
    public static TimeSpan? Timeout(ControllerCommand c) =>
        OptionalInt(c, "timeout_s") is { } seconds
            ? seconds is > 0 and <= MaxTimeoutSeconds
                ? TimeSpan.FromSeconds(seconds)
                : throw new ArgumentException($"timeout_s must be 1-{MaxTimeoutSeconds}")
            : null;

    /// <summary>commission_device's payload: the passcode with exactly one of discriminator (0-4095) or short_discriminator (0-15).</summary>
    public static SetupPayload DevicePayload(ControllerCommand c, uint passcode) =>
        (OptionalInt(c, "discriminator"), OptionalInt(c, "short_discriminator")) switch
        {
            ({ } d, null) when d is >= 0 and <= 0xFFF => new SetupPayload(passcode, (ushort)d, false),
            (null, { } s) when s is >= 0 and <= 15 => new SetupPayload(passcode, (ushort)s, true),
            (null, null) => throw new ArgumentException("discriminator (0-4095) or short_discriminator (0-15) is required"),
            ({ }, { }) => throw new ArgumentException("give discriminator or short_discriminator, not both"),
            _ => throw new ArgumentException("discriminator must be 0-4095, short_discriminator 0-15"),
        };

    /// <summary>addresses, when given: an array of strings restricting the candidates.</summary>
    public static IReadOnlyList<string>? Addresses(ControllerCommand c) => c.Args["addresses"] switch
    {
        null => null,
        JsonArray array when array.All(a => a is JsonValue v && v.GetValueKind() == JsonValueKind.String) =>
            array.Select(a => a!.GetValue<string>()).ToList(),
        _ => throw new ArgumentException("addresses must be an array of strings"),
    };
}
