using System.Text.Json.Nodes;
using CommissioningActors.Core.Commissioning;
using CommissioningActors.Core.Discovery;
using CommissioningActors.Core.Events;
using CommissioningActors.Core.Gate;
using CommissioningActors.Core.Jobs;
using CommissioningActors.Core.Matter.Fabric;
using CommissioningActors.Core.Storage;
using CommissioningActors.Core.Proxies;

namespace CommissioningActors.Core.Controller;

/// <summary>The controller API's JSON shapes for jobs, proxies and events (docs/controller-api.md).</summary>
public static class ControllerJson
{
    public static string Status(JobStatus status) => status switch
    {
        JobStatus.Queued => "queued",
        JobStatus.Running => "running",
        JobStatus.Completed => "completed",
        JobStatus.Failed => "failed",
        JobStatus.Cancelled => "cancelled",
        _ => status.ToString().ToLowerInvariant(),
    };

    public static JsonObject Job(JobState s)
    {
        var job = new JsonObject { ["job_id"] = s.JobId };
        if (s.Result is NodeCommissioned node)
        {
            // What a client looks for first once a commissioning completes.
            job["node_id"] = node.NodeId;
        }

        job["label"] = s.Label;
        job["status"] = Status(s.Status);
        job["created_at"] = s.CreatedAt.ToString("O");
        job["started_at"] = s.StartedAt?.ToString("O");
        job["finished_at"] = s.FinishedAt?.ToString("O");
        job["error_code"] = s.ErrorCode;
        job["error"] = s.ErrorMessage;
        job["result"] = s.Result is null ? null : Result(s.Result);
        job["output_lines"] = s.OutputLines;
        job["output_elided"] = s.OutputElided;
        job["slot_exhaustion_seen"] = s.SawSlotExhaustion;
        return job;
    }

    public static JsonObject Result(AttemptCompleted r) => r switch
    {
        NodeCommissioned n => new JsonObject
        {
            ["node_id"] = n.NodeId,
            ["vendor_id"] = n.VendorId,
            ["product_id"] = n.ProductId,
            ["transport"] = n.Transport,
            ["address"] = n.Address,
        },
        AttemptSucceeded b => Result(b),
        _ => new JsonObject(),
    };

    public static JsonObject Result(AttemptSucceeded r) => new()
    {
        ["transport"] = "ble",
        ["address"] = r.Address,
        ["proxy_id"] = r.ProxyId,
        ["discriminator"] = r.Discriminator,
        ["vendor_id"] = r.VendorId,
        ["product_id"] = r.ProductId,
        ["mtu"] = r.Mtu,
        ["btp"] = new JsonObject
        {
            ["version"] = r.Btp.Version,
            ["segment_size"] = r.Btp.SegmentSize,
            ["window_size"] = r.Btp.WindowSize,
        },
    };

    public static JsonObject JobWithOutput(JobSnapshot snapshot)
    {
        var job = Job(snapshot.State);
        job["output"] = new JsonArray(snapshot.Output.Lines.Select(l => (JsonNode)JsonValue.Create(l)).ToArray());
        return job;
    }

    public static JsonArray Jobs(IEnumerable<JobState> jobs) => new(jobs.Select(j => (JsonNode)Job(j)).ToArray());

    public static JsonObject Proxy(ProxyView p) => new()
    {
        ["id"] = p.Id,
        ["name"] = p.Name,
        ["slots"] = p.Slots,
        ["slots_source"] = SlotsSourceName(p.SlotsSource),
        ["in_use"] = p.InUse,
        ["queued"] = p.Queued,
    };

    /// <summary>Where a proxy's slot count came from: "hello", "hocon" or "default".</summary>
    public static string SlotsSourceName(SlotsSource source) => source switch
    {
        SlotsSource.Hello => "hello",
        SlotsSource.Hocon => "hocon",
        _ => "default",
    };

    public static JsonObject InitialState(InitialState state) => new()
    {
        ["proxies"] = new JsonArray(state.Proxies.Select(p => (JsonNode)Proxy(p)).ToArray()),
        ["jobs"] = JobsSummary(state.Jobs),
    };

    public static JsonObject JobsSummary(IReadOnlyDictionary<JobStatus, int> jobs)
    {
        var summary = new JsonObject();
        foreach (var status in Enum.GetValues<JobStatus>())
        {
            summary[Status(status)] = jobs.GetValueOrDefault(status);
        }

        return summary;
    }

    /// <summary>
    /// The job_output frame, written directly: it is by far the most frequent frame, and building a JsonObject
    /// per line costs more than the rest of its path. Same shape as <see cref="ControllerCodec.Event"/>.
    /// </summary>
    public static string JobOutputFrame(JobOutputAppended e, string? messageId)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(128 + e.Line.Length);
        using (var w = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("event", "job_output");
            w.WriteStartObject("data");
            w.WriteString("job_id", e.JobId);
            w.WriteNumber("seq", e.Sequence);
            w.WriteString("line", e.Line);
            w.WriteEndObject();
            if (messageId is not null)
            {
                w.WriteString("message_id", messageId);
            }

            w.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>A live event as (name, data), or null for messages that are not events.</summary>
    public static (string Name, JsonObject Data)? Event(object message) => message switch
    {
        JobLifecycleChanged e => (e.EventName, Job(e.State)),
        JobOutputAppended e => ("job_output", new JsonObject { ["job_id"] = e.JobId, ["seq"] = e.Sequence, ["line"] = e.Line }),
        JobProgressed e => ("job_progress", new JsonObject
        {
            ["job_id"] = e.JobId,
            ["phase"] = e.Phase,
            ["candidates"] = e.Candidates,
            ["connections"] = e.Connections,
        }),
        JobEvicted e => ("job_evicted", new JsonObject { ["job_id"] = e.JobId }),
        ProxyConnected p => ("proxy_connected", new JsonObject { ["id"] = p.ProxyId, ["name"] = p.Name, ["slots"] = p.Slots, ["slots_source"] = SlotsSourceName(p.SlotsSource) }),
        ProxyDisconnected p => ("proxy_disconnected", new JsonObject { ["id"] = p.ProxyId, ["name"] = p.Name, ["reason"] = p.Reason }),
        NewDeviceDiscovered { Sighting: var d } => ("device_discovered", new JsonObject
        {
            ["proxy_id"] = d.ProxyId,
            ["address"] = d.Address,
            ["rssi"] = d.Rssi,
            ["name"] = d.Name,
            ["discriminator"] = d.Matter?.Discriminator,
            ["vendor_id"] = d.Matter?.VendorId,
            ["product_id"] = d.Matter?.ProductId,
        }),
        DiscoveriesSuppressed d => ("discoveries_suppressed", new JsonObject
        {
            ["count"] = d.Count,
            ["window_ms"] = (long)d.Window.TotalMilliseconds,
        }),
        SlotAcquired s => ("slot_acquired", new JsonObject
        {
            ["proxy_id"] = s.ProxyId,
            ["address"] = s.Address,
            ["in_use"] = s.InUse,
            ["queued"] = s.Queued,
            ["waited_ms"] = (long)s.Waited.TotalMilliseconds,
        }),
        SlotReleased s => ("slot_released", new JsonObject
        {
            ["proxy_id"] = s.ProxyId,
            ["address"] = s.Address,
            ["in_use"] = s.InUse,
            ["queued"] = s.Queued,
        }),
        ConnectQueued s => ("connect_queued", new JsonObject
        {
            ["proxy_id"] = s.ProxyId,
            ["address"] = s.Address,
            ["in_use"] = s.InUse,
            ["queued"] = s.Queued,
        }),
        NodeAdded n => ("node_added", Node(n.Node, true)),
        NodeUpdated n => ("node_updated", Node(n.Node, n.Available)),
        NodeRemoved n => ("node_removed", new JsonObject { ["node_id"] = n.NodeId }),
        _ => null,
    };

    /// <summary>A node as get_node / get_nodes / the node events show it (docs/controller-api.md).</summary>
    public static JsonObject Node(NodeRecord n, bool available) => new()
    {
        ["node_id"] = n.NodeId,
        ["vendor_id"] = n.VendorId,
        ["product_id"] = n.ProductId,
        ["label"] = n.Label,
        ["commissioned_at"] = n.CommissionedAt.ToString("O"),
        ["last_seen"] = n.LastSeen?.ToString("O"),
        ["available"] = available,
        ["transport"] = n.Transport,
        ["addresses"] = new JsonArray(n.Addresses.Select(a => (JsonNode)JsonValue.Create(a)).ToArray()),
    };

    public static JsonArray Nodes(NodeList list) =>
        new(list.Nodes.Select(n => (JsonNode)Node(n, list.Available.Contains(n.NodeId))).ToArray());
}
