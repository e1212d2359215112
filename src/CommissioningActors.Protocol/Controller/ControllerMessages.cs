using System.Text.Json;
using System.Text.Json.Nodes;

namespace CommissioningActors.Protocol.Controller;

/// <summary>Error codes of the controller API itself (job failures carry their own codes).</summary>
public static class ControllerErrorCodes
{
    public const string InvalidCommand = "invalid_command";
    public const string InvalidArgs = "invalid_args";
    public const string UnknownJob = "unknown_job";
    public const string Backpressure = "backpressure";
    public const string InternalError = "internal_error";

    /// <summary>A limit on jobs queued or running (the service's or this connection's) is reached; try again later.</summary>
    public const string Busy = "busy";

    /// <summary>No node with that id is on our fabric.</summary>
    public const string UnknownNode = "unknown_node";

    /// <summary>The node could not be reached (no CASE session, or it went silent).</summary>
    public const string NodeUnavailable = "node_unavailable";

    /// <summary>The command needs a part of the service this build or configuration does not run (e.g. mDNS discovery).</summary>
    public const string NotAvailable = "not_available";
}

/// <summary>A client command: {"message_id": "...", "command": "...", "args": {...}}.</summary>
public sealed record ControllerCommand(string MessageId, string Command, JsonObject Args);

/// <summary>A command that could not be accepted; MessageId is echoed when the frame had a usable one.</summary>
public sealed record ControllerCommandError(string? MessageId, string ErrorCode, string Details);

public static class ControllerCodec
{
    public const int ApiVersion = 1;

    public static (ControllerCommand? Command, ControllerCommandError? Error) ParseCommand(ReadOnlySpan<byte> utf8, int maxBytes)
    {
        try
        {
            return Parse(utf8, maxBytes);
        }
        catch (ArgumentException e)
        {
            // JsonObject throws this for a duplicate key, on first access.
            return (null, new ControllerCommandError(null, ControllerErrorCodes.InvalidCommand, $"invalid JSON object: {e.Message}"));
        }
    }

    private static (ControllerCommand? Command, ControllerCommandError? Error) Parse(ReadOnlySpan<byte> utf8, int maxBytes)
    {
        if (utf8.Length > maxBytes)
        {
            return (null, new ControllerCommandError(null, ControllerErrorCodes.InvalidCommand, $"frame exceeds {maxBytes} bytes"));
        }

        JsonNode? node;
        try
        {
            node = JsonNode.Parse(utf8);
        }
        catch (JsonException e)
        {
            return (null, new ControllerCommandError(null, ControllerErrorCodes.InvalidCommand, $"not valid JSON: {e.Message}"));
        }

        if (node is not JsonObject obj)
        {
            return (null, new ControllerCommandError(null, ControllerErrorCodes.InvalidCommand, "a command must be a JSON object"));
        }

        string? messageId = null;
        if (obj["message_id"] is JsonValue idValue)
        {
            messageId = idValue.GetValueKind() switch
            {
                JsonValueKind.String => idValue.GetValue<string>(),
                JsonValueKind.Number => idValue.ToJsonString(),
                _ => null,
            };
        }

        if (messageId is null)
        {
            return (null, new ControllerCommandError(null, ControllerErrorCodes.InvalidCommand, "message_id (string) is required"));
        }

        if (obj["command"] is not JsonValue cmdValue || cmdValue.GetValueKind() != JsonValueKind.String)
        {
            return (null, new ControllerCommandError(messageId, ControllerErrorCodes.InvalidCommand, "command (string) is required"));
        }

        var args = obj["args"];
        if (args is not null and not JsonObject)
        {
            return (null, new ControllerCommandError(messageId, ControllerErrorCodes.InvalidArgs, "args must be a JSON object"));
        }

        var argsObj = (JsonObject?)args?.DeepClone() ?? [];
        return (new ControllerCommand(messageId, cmdValue.GetValue<string>(), argsObj), null);
    }

    /// <summary>The request envelope a client sends on /ws; the one builder the CLI, the harness and the tests use.</summary>
    public static string Command(string messageId, string command, JsonObject? args = null) =>
        new JsonObject { ["message_id"] = messageId, ["command"] = command, ["args"] = args ?? [] }.ToJsonString();

    public static string Result(string messageId, JsonNode? result) =>
        new JsonObject { ["message_id"] = messageId, ["result"] = result }.ToJsonString();

    public static string Error(string? messageId, string errorCode, string details) =>
        new JsonObject { ["message_id"] = messageId, ["error_code"] = errorCode, ["details"] = details }.ToJsonString();

    public static string Event(string name, JsonNode? data, string? messageId = null)
    {
        var obj = new JsonObject { ["event"] = name, ["data"] = data };
        if (messageId is not null)
        {
            obj["message_id"] = messageId;
        }

        return obj.ToJsonString();
    }
}
