using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CommissioningActors.Host.Cli;

/// <summary>The node and network-credential verbs. Secrets are sent, never printed.</summary>
public static class CliMatterCommands
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static async Task<int> NodesAsync(ControllerClient client, CliContext cli, CancellationToken cancellationToken)
    {
        var nodes = (await client.RequestAsync("get_nodes", null, cancellationToken) as JsonArray ?? []).OfType<JsonObject>().ToList();
        if (nodes.Count == 0)
        {
            await cli.Out.WriteLineAsync("no nodes");
            return CliExitCodes.Ok;
        }

        string[] header = ["NODE_ID", "VENDOR", "PRODUCT", "LABEL", "AVAILABLE", "TRANSPORT", "LAST_SEEN"];
        var rows = nodes.Select(n => new[]
        {
            n["node_id"]?.ToJsonString() ?? "-",
            Hex(n["vendor_id"]),
            Hex(n["product_id"]),
            (string?)n["label"] ?? "-",
            (bool?)n["available"] == true ? "yes" : "no",
            (string?)n["transport"] ?? "-",
            (string?)n["last_seen"] ?? "-",
        }).ToList();
        var widths = header.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        foreach (var row in rows.Prepend(header))
        {
            await cli.Out.WriteLineAsync(string.Join("  ", row.Select((cell, i) => cell.PadRight(widths[i]))).TrimEnd());
        }

        return CliExitCodes.Ok;
    }

    public static async Task<int> NodeAsync(ControllerClient client, CliContext cli, ulong nodeId, CancellationToken cancellationToken)
    {
        var node = await client.RequestAsync("get_node", new JsonObject { ["node_id"] = nodeId }, cancellationToken);
        await cli.Out.WriteLineAsync(node?.ToJsonString(Indented) ?? "null");
        return CliExitCodes.Ok;
    }

    public static async Task<int> ReadAsync(ControllerClient client, CliContext cli, ulong nodeId, string path, CancellationToken cancellationToken)
    {
        var result = await client.RequestAsync("read_attribute", new JsonObject { ["node_id"] = nodeId, ["attribute_path"] = path }, cancellationToken);
        var value = result is JsonObject o && o.Count == 1 ? o.First().Value : result;
        await cli.Out.WriteLineAsync(value?.ToJsonString() ?? "null");
        return CliExitCodes.Ok;
    }

    public static async Task<int> CommandAsync(ControllerClient client, CliContext cli, ulong nodeId, ushort endpoint, uint cluster, string name,
        string? payload, CancellationToken cancellationToken)
    {
        var args = new JsonObject { ["node_id"] = nodeId, ["endpoint_id"] = endpoint, ["cluster_id"] = cluster };
        if (uint.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            args["command_id"] = id;
        }
        else
        {
            args["command_name"] = name;
        }

        if (payload is not null)
        {
            args["payload"] = ParsePayload(payload);
        }

        var result = await client.RequestAsync("device_command", args, cancellationToken);
        await cli.Out.WriteLineAsync(result is null ? "ok" : result.ToJsonString());
        return CliExitCodes.Ok;
    }

    public static async Task<int> RemoveAsync(ControllerClient client, CliContext cli, ulong nodeId, CancellationToken cancellationToken)
    {
        await client.RequestAsync("remove_node", new JsonObject { ["node_id"] = nodeId }, cancellationToken);
        await cli.Out.WriteLineAsync($"node {nodeId} removed");
        return CliExitCodes.Ok;
    }

    public static async Task<int> SetWifiAsync(ControllerClient client, CliContext cli, string ssid, string password, CancellationToken cancellationToken)
    {
        await client.RequestAsync("set_wifi_credentials", new JsonObject { ["ssid"] = ssid, ["credentials"] = password }, cancellationToken);
        await cli.Out.WriteLineAsync($"Wi-Fi credentials for {ssid} stored");
        return CliExitCodes.Ok;
    }

    public static async Task<int> SetThreadAsync(ControllerClient client, CliContext cli, string dataset, CancellationToken cancellationToken)
    {
        await client.RequestAsync("set_thread_dataset", new JsonObject { ["dataset"] = dataset }, cancellationToken);
        await cli.Out.WriteLineAsync("Thread dataset stored");
        return CliExitCodes.Ok;
    }

    /// <summary>
    /// A secret from its option, else from a file ('-': stdin), else the first line of stdin: the last two keep it
    /// out of process lists and shell history.
    /// </summary>
    public static async Task<string> ReadSecretAsync(CliContext cli, string? value, string? file, CancellationToken cancellationToken)
    {
        if (value is not null)
        {
            return value;
        }

        string? text;
        try
        {
            text = file is null or "-"
                ? await cli.Settings.Input().ReadLineAsync(cancellationToken)
                : (await File.ReadAllTextAsync(file, cancellationToken)).Split('\n')[0];
        }
        catch (IOException e)
        {
            throw new ControllerUnavailableException($"cannot read the secret: {e.Message}");
        }
        catch (UnauthorizedAccessException e)
        {
            throw new ControllerUnavailableException($"cannot read the secret: {e.Message}");
        }

        return text?.TrimEnd('\r') ?? throw new ControllerUnavailableException("no secret given: stdin was empty");
    }

    private static JsonObject ParsePayload(string text)
    {
        try
        {
            return JsonNode.Parse(text) as JsonObject ?? throw new ControllerUnavailableException("--payload must be a JSON object");
        }
        catch (JsonException e)
        {
            throw new ControllerUnavailableException($"--payload is not valid JSON: {e.Message}");
        }
    }

    private static string Hex(JsonNode? id) => (int?)id is { } v ? $"0x{v:X4}" : "-";
}
