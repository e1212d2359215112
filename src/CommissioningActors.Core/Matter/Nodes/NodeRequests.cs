using System.Net;
using System.Text.Json.Nodes;
using CommissioningActors.Protocol.Matter.InteractionModel;
using CommissioningActors.Protocol.Matter.Tlv;
using CommissioningActors.Protocol.Text;

namespace CommissioningActors.Core.Matter.Nodes;

/// <summary>A request checked and turned into what to send; bad arguments never reach the queue.</summary>
internal abstract record PlannedOperation
{
    public sealed record Read(AttributePath Path) : PlannedOperation;

    /// <summary><paramref name="Spec"/> is null for an uncatalogued command (its response is keyed by tag).</summary>
    public sealed record Invoke(CommandPath Path, TlvElement Fields, CommandSpec? Spec, ushort? TimedTimeoutMs) : PlannedOperation;

    public sealed record Decommission : PlannedOperation;
}

internal static class NodeRequests
{
    /// <summary>OperationalCredentials CurrentFabricIndex: the fabric index of the session that reads it.</summary>
    public static readonly AttributePath CurrentFabricIndex = new(0, ClusterIds.OperationalCredentials, 5);

    public const int DefaultPort = 5540;

    /// <summary>The plan for <paramref name="request"/>, or the invalid_args message.</summary>
    public static (PlannedOperation? Plan, string? Error) Plan(object request, NodeManagerSettings settings) => request switch
    {
        ReadNodeAttribute read when read.Path is { Endpoint: not null, Cluster: not null, Attribute: not null, HasListIndex: false } =>
            (new PlannedOperation.Read(read.Path.Concrete), null),
        ReadNodeAttribute => (null, "attribute_path must name one attribute: endpoint/cluster/attribute"),
        InvokeNodeCommand invoke => PlanInvoke(invoke, settings),
        DecommissionNode => (new PlannedOperation.Decommission(), null),
        _ => (null, "unsupported request"),
    };

    private static (PlannedOperation? Plan, string? Error) PlanInvoke(InvokeNodeCommand invoke, NodeManagerSettings settings)
    {
        CommandSpec? spec;
        uint commandId;
        if (invoke.CommandName is { } name)
        {
            spec = ClusterCatalogue.FindCommand(invoke.ClusterId, name);
            if (spec is null)
            {
                var cluster = ClusterCatalogue.FindCluster(invoke.ClusterId);
                var known = cluster is null ? "the cluster is not catalogued; use command_id" : "commands: " + string.Join(", ", cluster.Commands.Select(c => c.Name));
                return (null, $"cluster 0x{invoke.ClusterId:X4} has no command '{PeerText.Escape(name, 64)}' ({known})");
            }

            commandId = spec.Id;
        }
        else if (invoke.CommandId is { } id)
        {
            spec = ClusterCatalogue.FindCommand(invoke.ClusterId, id);
            commandId = id;
        }
        else
        {
            return (null, "command_name or command_id is required");
        }

        var fields = spec is null
            ? CommandPayload.ForUncatalogued(invoke.ClusterId, commandId, invoke.Payload)
            : CommandPayload.ToTlv(spec, invoke.Payload);
        if (!fields.IsOk)
        {
            return (null, fields.Error!.Message);
        }

        return (new PlannedOperation.Invoke(new CommandPath(invoke.EndpointId, invoke.ClusterId, commandId), fields.Value!, spec,
            spec is { Timed: true } ? settings.TimedInvokeTimeoutMs : null), null);
    }

    /// <summary>The response command's fields as JSON (by catalogued name where known), or null for a status-only answer.</summary>
    public static JsonNode? ResponseJson(InvokeResult result, CommandSpec? spec)
    {
        if (result.IsStatusOnly || result.Fields is null)
        {
            return null;
        }

        var fields = spec is not null && spec.ResponseId == result.ResponsePath!.Command ? spec.ResponseFields : null;
        return CommandPayload.ToJson(fields, result.Fields);
    }

    /// <summary>
    /// Endpoints from a node's stored addresses: "udp host:port" as the session channel describes its peer
    /// (a bare "host:port" or "host" is accepted too; port 5540 when absent). Other transports are skipped.
    /// </summary>
    public static IEnumerable<IPEndPoint> ParseAddresses(IEnumerable<string> addresses)
    {
        foreach (var address in addresses)
        {
            var text = address.Trim();
            if (text.StartsWith("udp ", StringComparison.OrdinalIgnoreCase))
            {
                text = text[4..].Trim();
            }
            else if (text.Contains(' '))
            {
                continue;
            }

            if (IPEndPoint.TryParse(text, out var endPoint))
            {
                yield return endPoint.Port == 0 ? new IPEndPoint(endPoint.Address, DefaultPort) : endPoint;
            }
        }
    }
}
