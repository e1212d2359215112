using CommissioningActors.Protocol.Matter.Messages;
using CommissioningActors.Protocol.Matter.Tlv;

namespace CommissioningActors.Protocol.Matter.InteractionModel;

/// <summary>What the caller does after feeding the read client a message.</summary>
public abstract record ReadStep
{
    /// <summary>Send <see cref="Reply"/> (a StatusResponse) on the same exchange and wait for the next ReportData.</summary>
    public sealed record Continue(ImOutgoing Reply) : ReadStep;

    /// <summary>The read is complete; send <see cref="Reply"/> first when it is not null (the device asked for one).</summary>
    public sealed record Completed(ReadResult Result, ImOutgoing? Reply) : ReadStep;

    /// <summary>The read failed; send <see cref="Reply"/> when not null so the device ends the interaction too.</summary>
    public sealed record Failed(ImError Error, ImOutgoing? Reply) : ReadStep;
}

/// <summary>
/// A Read interaction as a pure state machine (no I/O, no clock): <see cref="Start"/> gives the ReadRequest,
/// <see cref="Receive"/> takes each message of the exchange. Chunked reports (MoreChunkedMessages) are
/// acknowledged with StatusResponse success and assembled, including lists continued by ListIndex=null
/// appends. Timeouts belong to the caller (the exchange).
/// </summary>
public sealed class ReadClient
{
    private readonly ReadRequestMessage _request;
    private readonly ReadLimits _limits;
    private readonly Dictionary<AttributePath, Entry> _entries = [];
    private readonly List<AttributePath> _order = [];
    private State _state = State.NotStarted;
    private int _chunks;
    private int _bytes;
    private int _items;

    public ReadClient(IReadOnlyList<AttributePath> paths, bool fabricFiltered = true, ReadLimits? limits = null)
    {
        if (paths.Count == 0)
        {
            throw new ArgumentException("a read needs at least one path", nameof(paths));
        }

        _request = new ReadRequestMessage(paths, fabricFiltered);
        _limits = limits ?? ReadLimits.Default;
    }

    private enum State
    {
        NotStarted,
        AwaitingReport,
        Finished,
    }

    public bool IsFinished => _state == State.Finished;

    public ImOutgoing Start()
    {
        if (_state != State.NotStarted)
        {
            throw new InvalidOperationException("the read has already started");
        }

        _state = State.AwaitingReport;
        return new ImOutgoing(InteractionModelOpcode.ReadRequest, _request.Encode());
    }

    public ReadStep Receive(InteractionModelOpcode opcode, ReadOnlySpan<byte> payload)
    {
        if (_state != State.AwaitingReport)
        {
            return new ReadStep.Failed(new ImError(ImErrorKind.Finished, $"read is {_state}; {opcode} not accepted"), null);
        }

        switch (opcode)
        {
            case InteractionModelOpcode.ReportData:
                return OnReport(payload);
            case InteractionModelOpcode.StatusResponse:
                var status = StatusResponseMessage.Decode(payload);
                return status.IsOk
                    ? Fail(status.Value!.Status == ImStatusCode.Success
                        ? new ImError(ImErrorKind.UnexpectedMessage, "the device answered the read with a bare StatusResponse success")
                        : ImError.FromStatus("the device refused the read", new StatusIB(status.Value.Status)), reply: null)
                    : Fail(new ImError(ImErrorKind.Malformed, status.Error!.Message), reply: null);
            default:
                return Fail(new ImError(ImErrorKind.UnexpectedMessage, $"{opcode} during a read"), ImStatusCode.InvalidAction);
        }
    }

    private ReadStep OnReport(ReadOnlySpan<byte> payload)
    {
        _chunks++;
        _bytes += payload.Length;
        if (_chunks > _limits.MaxChunks)
        {
            return Fail(new ImError(ImErrorKind.LimitExceeded, $"the device sent more than {_limits.MaxChunks} report chunks"), ImStatusCode.ResourceExhausted);
        }

        if (_bytes > _limits.MaxTotalBytes)
        {
            return Fail(new ImError(ImErrorKind.LimitExceeded, $"the reports exceed {_limits.MaxTotalBytes} bytes"), ImStatusCode.ResourceExhausted);
        }

        var parsed = ReportDataMessage.Decode(payload);
        if (!parsed.IsOk)
        {
            return Fail(new ImError(ImErrorKind.Malformed, parsed.Error!.Message), ImStatusCode.InvalidAction);
        }

        var report = parsed.Value!;
        AttributePath? previous = null;
        foreach (var item in report.AttributeReports)
        {
            var error = Apply(item, ref previous);
            if (error is not null)
            {
                return Fail(error, error.Kind == ImErrorKind.LimitExceeded ? ImStatusCode.ResourceExhausted : ImStatusCode.InvalidAction);
            }
        }

        var ack = new ImOutgoing(InteractionModelOpcode.StatusResponse, StatusResponseMessage.Success.Encode());
        if (report.MoreChunkedMessages)
        {
            return new ReadStep.Continue(ack);
        }

        _state = State.Finished;
        return new ReadStep.Completed(BuildResult(), report.SuppressResponse ? null : ack);
    }

    private ImError? Apply(AttributeReportIB item, ref AttributePath? previous)
    {
        var raw = item.Data?.Path ?? item.Status!.Path;
        var path = Resolve(raw, previous);
        previous = path;
        if (path.Endpoint is null || path.Cluster is null || path.Attribute is null)
        {
            return new ImError(ImErrorKind.Malformed, $"report path {path} is not concrete");
        }

        var key = path.Concrete;
        if (!_entries.TryGetValue(key, out var entry))
        {
            if (_entries.Count >= _limits.MaxAttributes)
            {
                return new ImError(ImErrorKind.LimitExceeded, $"the device reported more than {_limits.MaxAttributes} attributes");
            }

            entry = new Entry();
            _entries[key] = entry;
            _order.Add(key);
        }

        if (item.Status is { } status)
        {
            entry.Status = status.Status;
            _items -= entry.Items?.Count ?? 0;
            entry.Scalar = null;
            entry.Items = null;
            return null;
        }

        var data = item.Data!;
        entry.DataVersion = data.DataVersion ?? entry.DataVersion;
        if (path.HasListIndex)
        {
            if (!path.IsAppend)
            {
                return new ImError(ImErrorKind.Malformed, $"report for {key} replaces list item {path.ListIndex}; only appends are valid in reports");
            }

            if (entry.Items is null)
            {
                return new ImError(ImErrorKind.Malformed, $"report appends to {key} before sending the list");
            }

            return AddItems(entry, key, [data.Data]);
        }

        entry.Status = null;
        if (data.Data.Value is TlvContainer { Kind: TlvContainerKind.Array } array)
        {
            _items -= entry.Items?.Count ?? 0;
            entry.Items = [];
            entry.Scalar = null;
            return AddItems(entry, key, array.Members);
        }

        entry.Items = null;
        entry.Scalar = data.Data;
        return null;
    }

    private ImError? AddItems(Entry entry, AttributePath key, IReadOnlyList<TlvElement> items)
    {
        if (_items + items.Count > _limits.MaxListItems)
        {
            return new ImError(ImErrorKind.LimitExceeded, $"list {key} takes the read past {_limits.MaxListItems} list items");
        }

        entry.Items!.AddRange(items.Select(i => i with { Tag = TlvTag.Anonymous }));
        _items += items.Count;
        return null;
    }

    /// <summary>With EnableTagCompression a path omits the ids it shares with the previous path in the same message.</summary>
    private static AttributePath Resolve(AttributePath path, AttributePath? previous) =>
        !path.EnableTagCompression || previous is null
            ? path
            : path with
            {
                Endpoint = path.Endpoint ?? previous.Endpoint,
                Cluster = path.Cluster ?? previous.Cluster,
                Attribute = path.Attribute ?? previous.Attribute,
                Node = path.Node ?? previous.Node,
            };

    private ReadResult BuildResult() => new([.. _order.Select(key =>
    {
        var e = _entries[key];
        var value = e.Status is not null ? null
            : e.Items is not null ? TlvElement.Array(TlvTag.Anonymous, [.. e.Items])
            : e.Scalar;
        return new AttributeResult(key, value, e.DataVersion, e.Status);
    })]);

    private ReadStep.Failed Fail(ImError error, ImStatusCode? reply)
    {
        _state = State.Finished;
        return new ReadStep.Failed(error, reply is { } code
            ? new ImOutgoing(InteractionModelOpcode.StatusResponse, new StatusResponseMessage(code).Encode())
            : null);
    }

    private sealed class Entry
    {
        public TlvElement? Scalar { get; set; }
        public List<TlvElement>? Items { get; set; }
        public uint? DataVersion { get; set; }
        public StatusIB? Status { get; set; }
    }
}
