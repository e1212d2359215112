using CommissioningActors.Protocol.Matter.InteractionModel;
using CommissioningActors.Protocol.Matter.Messages;
using CommissioningActors.Protocol.Matter.Tlv;
using CommissioningActors.Protocol.Matter.Transport;

namespace CommissioningActors.Simulator.Matter;

/// <summary>An Interaction Model message to send on the exchange; <see cref="Ends"/> closes the exchange after it.</summary>
public sealed record ImReply(InteractionModelOpcode Opcode, byte[] Payload, bool Ends);

/// <summary>
/// The server side of the Interaction Model for one session: Read (chunked over StatusResponses), Subscribe
/// (priming report only), Write, Invoke and Timed. Anything malformed or out of order gets a StatusResponse
/// with a failing status; nothing a peer sends throws out of here.
/// </summary>
public sealed class InteractionServer(DeviceDataModel model, Func<TimeSpan> clock, Action<string>? log = null)
{
    /// <summary>Room for reports in one message: the UDP payload limit less headers, MIC and slack.</summary>
    public const int ChunkBudget = 900;
    public const int MaxPendingExchanges = 8;

    private readonly Dictionary<ExchangeKey, Pending> _pending = [];
    private uint _nextSubscriptionId = (uint)Random.Shared.Next(1, int.MaxValue);

    public IReadOnlyList<ImReply> OnMessage(ExchangeKey exchange, byte opcode, ReadOnlyMemory<byte> payload, InteractionContext context)
    {
        _pending.TryGetValue(exchange, out var pending);
        _pending.Remove(exchange);
        try
        {
            return (InteractionModelOpcode)opcode switch
            {
                InteractionModelOpcode.StatusResponse when pending?.Chunks is { } chunks => NextChunk(exchange, chunks, pending.Finish, payload),
                InteractionModelOpcode.ReadRequest => Read(exchange, payload, context),
                InteractionModelOpcode.SubscribeRequest => Subscribe(exchange, payload, context),
                InteractionModelOpcode.TimedRequest => Timed(exchange, payload),
                InteractionModelOpcode.InvokeRequest => InvokeCommands(payload, context, pending),
                InteractionModelOpcode.WriteRequest => WriteAttributes(payload, context, pending),
                _ => [Status(ImStatusCode.InvalidAction)],
            };
        }
        catch (CommandFieldException e)
        {
            return [Status(e.Status)];
        }
    }

    public void Forget(ExchangeKey exchange) => _pending.Remove(exchange);

    private static ImReply Status(ImStatusCode status) =>
        new(InteractionModelOpcode.StatusResponse, new StatusResponseMessage(status).Encode(), Ends: true);

    private IReadOnlyList<ImReply> Read(ExchangeKey exchange, ReadOnlyMemory<byte> payload, InteractionContext context)
    {
        var request = ReadRequestMessage.Decode(payload.Span);
        if (!request.IsOk)
        {
            return [Status(ImStatusCode.InvalidAction)];
        }

        var reports = Reports(request.Value!.Attributes, context with { FabricFiltered = request.Value.FabricFiltered });
        return StartChunks(exchange, reports, null, null);
    }

    private IReadOnlyList<ImReply> Subscribe(ExchangeKey exchange, ReadOnlyMemory<byte> payload, InteractionContext context)
    {
        var request = SubscribeRequestMessage.Decode(payload.Span);
        if (!request.IsOk || request.Value!.MinIntervalFloorSeconds > request.Value.MaxIntervalCeilingSeconds)
        {
            return [Status(ImStatusCode.InvalidAction)];
        }

        var id = _nextSubscriptionId++;
        var reports = Reports(request.Value.Attributes, context with { FabricFiltered = request.Value.FabricFiltered });
        var finish = new ImReply(InteractionModelOpcode.SubscribeResponse,
            new SubscribeResponseMessage(id, Math.Max(request.Value.MaxIntervalCeilingSeconds, (ushort)60)).Encode(), Ends: true);
        return StartChunks(exchange, reports, id, finish);
    }

    private List<AttributeReportIB> Reports(IReadOnlyList<AttributePath> paths, InteractionContext context)
    {
        var reports = new List<AttributeReportIB>();
        foreach (var path in paths)
        {
            var concrete = path.Endpoint is { } e && path.Cluster is { } c && path.Attribute is { } a;
            if (concrete && model.Missing(path.Endpoint!.Value, path.Cluster!.Value, path.Attribute) is { } missing)
            {
                reports.Add(AttributeReportIB.Of(new AttributeStatusIB(path.Concrete, new StatusIB(missing))));
                continue;
            }

            foreach (var (endpoint, cluster, attribute) in model.Expand(path))
            {
                var at = new AttributePath(endpoint, cluster.Id, attribute);
                var value = cluster.Read(attribute, context);
                reports.Add(value.Value is { } data
                    ? AttributeReportIB.Of(new AttributeDataIB(at, data, cluster.DataVersion))
                    : AttributeReportIB.Of(new AttributeStatusIB(at, new StatusIB(value.Status))));
            }
        }

        return reports;
    }

    private IReadOnlyList<ImReply> StartChunks(ExchangeKey exchange, List<AttributeReportIB> reports, uint? subscriptionId, ImReply? finish)
    {
        var chunks = new Queue<byte[]>();
        var batch = new List<AttributeReportIB>();
        var size = 0;
        foreach (var report in reports)
        {
            var w = new TlvWriter();
            report.Write(w, TlvTag.Anonymous);
            var length = w.WrittenSpan.Length;
            if (batch.Count > 0 && size + length > ChunkBudget)
            {
                chunks.Enqueue(new ReportDataMessage(batch, MoreChunkedMessages: true, SubscriptionId: subscriptionId).Encode());
                batch = [];
                size = 0;
            }

            batch.Add(report);
            size += length;
        }

        // A read ends with SuppressResponse; a subscription's last priming report still wants a StatusResponse.
        chunks.Enqueue(new ReportDataMessage(batch, SuppressResponse: finish is null, SubscriptionId: subscriptionId).Encode());
        return Send(exchange, chunks, finish);
    }

    private IReadOnlyList<ImReply> NextChunk(ExchangeKey exchange, Queue<byte[]> chunks, ImReply? finish, ReadOnlyMemory<byte> payload)
    {
        var status = StatusResponseMessage.Decode(payload.Span);
        if (!status.IsOk || status.Value!.Status != ImStatusCode.Success)
        {
            return [];
        }

        return chunks.Count == 0 ? (finish is null ? [] : [finish]) : Send(exchange, chunks, finish);
    }

    private IReadOnlyList<ImReply> Send(ExchangeKey exchange, Queue<byte[]> chunks, ImReply? finish)
    {
        var next = chunks.Dequeue();
        var last = chunks.Count == 0 && finish is null;
        if (!last && _pending.Count < MaxPendingExchanges)
        {
            _pending[exchange] = new Pending(chunks, finish, null);
        }

        return [new ImReply(InteractionModelOpcode.ReportData, next, Ends: last)];
    }

    private IReadOnlyList<ImReply> Timed(ExchangeKey exchange, ReadOnlyMemory<byte> payload)
    {
        var request = TimedRequestMessage.Decode(payload.Span);
        if (!request.IsOk)
        {
            return [Status(ImStatusCode.InvalidAction)];
        }

        if (_pending.Count >= MaxPendingExchanges)
        {
            return [Status(ImStatusCode.Busy)];
        }

        _pending[exchange] = new Pending(null, null, clock() + TimeSpan.FromMilliseconds(request.Value!.TimeoutMs));
        return [new ImReply(InteractionModelOpcode.StatusResponse, StatusResponseMessage.Success.Encode(), Ends: false)];
    }

    /// <summary>Null when the timing is right, else the status to answer with.</summary>
    private ImStatusCode? TimedMismatch(bool requestSaysTimed, Pending? pending)
    {
        var timed = pending?.TimedUntil is not null;
        if (requestSaysTimed != timed)
        {
            return ImStatusCode.TimedRequestMismatch;
        }

        return timed && clock() > pending!.TimedUntil ? ImStatusCode.Timeout : null;
    }

    private IReadOnlyList<ImReply> InvokeCommands(ReadOnlyMemory<byte> payload, InteractionContext context, Pending? pending)
    {
        var decoded = InvokeRequestMessage.Decode(payload.Span);
        if (!decoded.IsOk || decoded.Value!.Requests.Count != 1)
        {
            return [Status(ImStatusCode.InvalidAction)];
        }

        var request = decoded.Value;
        if (TimedMismatch(request.TimedRequest, pending) is { } timing)
        {
            return [Status(timing)];
        }

        var responses = request.Requests.Select(r => InvokeOne(r, context with { Timed = request.TimedRequest })).ToList();
        return request.SuppressResponse
            ? []
            : [new ImReply(InteractionModelOpcode.InvokeResponse, new InvokeResponseMessage(responses).Encode(), Ends: true)];
    }

    private InvokeResponseIB InvokeOne(CommandDataIB request, InteractionContext context)
    {
        var path = request.Path;
        var cluster = model.Cluster(path.Endpoint, path.Cluster);
        CommandResult result;
        if (model.Missing(path.Endpoint, path.Cluster, null) is { } missing)
        {
            result = CommandResult.Fail(missing);
        }
        else if (!cluster!.AcceptedCommands.Contains(path.Command))
        {
            result = CommandResult.Fail(ImStatusCode.UnsupportedCommand);
        }
        else
        {
            try
            {
                result = cluster.Invoke(path.Command, request.Fields ?? Tlv.Struct(), context);
            }
            catch (CommandFieldException e)
            {
                result = CommandResult.Fail(e.Status);
            }
            catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException or System.Security.Cryptography.CryptographicException)
            {
                // A simulated device answers FAILURE rather than let one command take the device down.
                log?.Invoke($"invoke {path} failed inside the device: {e.GetType().Name}");
                result = CommandResult.Fail(ImStatusCode.Failure);
            }
        }

        if (!result.Status.IsSuccess)
        {
            log?.Invoke($"invoke {path} answered {result.Status}");
        }

        return result.ResponseCommand is { } response
            ? InvokeResponseIB.Of(new CommandDataIB(new CommandPath(path.Endpoint, path.Cluster, response), result.Fields, request.CommandRef))
            : InvokeResponseIB.Of(new CommandStatusIB(path, result.Status, request.CommandRef));
    }

    private IReadOnlyList<ImReply> WriteAttributes(ReadOnlyMemory<byte> payload, InteractionContext context, Pending? pending)
    {
        var decoded = WriteRequestMessage.Decode(payload.Span);
        if (!decoded.IsOk || decoded.Value.MoreChunkedMessages)
        {
            return [Status(ImStatusCode.InvalidAction)];
        }

        var request = decoded.Value.Request;
        if (TimedMismatch(request.TimedRequest, pending) is { } timing)
        {
            return [Status(timing)];
        }

        var statuses = new List<AttributeStatusIB>();
        foreach (var write in request.Writes)
        {
            var path = write.Path;
            ImStatusCode status;
            if (path.Endpoint is not { } endpoint || path.Cluster is not { } cluster || path.Attribute is not { } attribute)
            {
                status = ImStatusCode.UnsupportedAttribute;
            }
            else if (model.Missing(endpoint, cluster, attribute) is { } missing)
            {
                status = missing;
            }
            else
            {
                status = path.HasListIndex
                    ? ImStatusCode.UnsupportedWrite
                    : model.Cluster(endpoint, cluster)!.Write(attribute, write.Data, context with { Timed = request.TimedRequest });
            }

            statuses.Add(new AttributeStatusIB(path.Concrete, new StatusIB(status)));
        }

        return request.SuppressResponse
            ? []
            : [new ImReply(InteractionModelOpcode.WriteResponse, new WriteResponseMessage(statuses).Encode(), Ends: true)];
    }

    private sealed record Pending(Queue<byte[]>? Chunks, ImReply? Finish, TimeSpan? TimedUntil);
}
