using CommissioningActors.Protocol.Matter.Tlv;

namespace CommissioningActors.Protocol.Matter.InteractionModel;

/// <summary>Shared pieces of every IM message: the anonymous structure and InteractionModelRevision (tag 0xFF).</summary>
public static class InteractionModelRevision
{
    /// <summary>The revision we send (Matter 1.4, what matter.js 0.17 and the SDK send).</summary>
    public const byte Current = 12;

    public const byte Tag = 0xFF;

    internal static byte[] Finish(TlvWriter w) => w.WriteUnsigned(TlvTag.Context(Tag), Current).EndContainer().ToArray();

    internal static TlvContainer Open(TlvElement root, string what)
    {
        if (!root.Tag.IsAnonymous)
        {
            throw new ImDecodeException($"{what} must be an anonymous structure");
        }

        var c = ImDecode.Container(root, TlvContainerKind.Structure, what);
        // Older devices omit the revision; when present it must be a u8.
        ImDecode.OptionalUnsigned(c, Tag, byte.MaxValue, $"{what} interaction model revision");
        return c;
    }
}

/// <summary>StatusResponseMessage (opcode 0x01): 0 Status.</summary>
public sealed record StatusResponseMessage(ImStatusCode Status)
{
    public static readonly StatusResponseMessage Success = new(ImStatusCode.Success);

    public byte[] Encode() => InteractionModelRevision.Finish(
        new TlvWriter().StartStructure(TlvTag.Anonymous).WriteUnsigned(TlvTag.Context(0), (byte)Status));

    public static Parsed<StatusResponseMessage> Decode(ReadOnlySpan<byte> payload) =>
        ImDecode.Run(payload, "StatusResponse", root =>
        {
            var c = InteractionModelRevision.Open(root, "StatusResponse");
            return new StatusResponseMessage((ImStatusCode)ImDecode.RequiredUnsigned(c, 0, byte.MaxValue, "status"));
        });
}

/// <summary>ReadRequestMessage (opcode 0x02): 0 AttributeRequests, 1 EventRequests, 3 IsFabricFiltered.</summary>
public sealed record ReadRequestMessage(IReadOnlyList<AttributePath> Attributes, bool FabricFiltered, IReadOnlyList<EventPath>? Events = null)
{
    public byte[] Encode()
    {
        var w = new TlvWriter().StartStructure(TlvTag.Anonymous);
        if (Attributes.Count > 0)
        {
            w.WriteArray(TlvTag.Context(0), Attributes);
        }

        if (Events is { Count: > 0 })
        {
            w.WriteArray(TlvTag.Context(1), Events);
        }

        w.WriteBool(TlvTag.Context(3), FabricFiltered);
        return InteractionModelRevision.Finish(w);
    }

    public static Parsed<ReadRequestMessage> Decode(ReadOnlySpan<byte> payload) =>
        ImDecode.Run(payload, "ReadRequest", root =>
        {
            var c = InteractionModelRevision.Open(root, "ReadRequest");
            return new ReadRequestMessage(
                [.. ImDecode.OptionalArray(c, 0, "attribute requests").Select(p => AttributePath.Read(p, "attribute path"))],
                ImDecode.OptionalBool(c, 3, "fabric filtered") ?? throw new ImDecodeException("fabric filtered (tag 3) is missing"),
                [.. ImDecode.OptionalArray(c, 1, "event requests").Select(p => EventPath.Read(p, "event path"))]);
        });
}

/// <summary>
/// ReportDataMessage (opcode 0x05): 0 SubscriptionId, 1 AttributeReports, 2 EventReports (counted, not
/// decoded: we never request events), 3 MoreChunkedMessages, 4 SuppressResponse.
/// </summary>
public sealed record ReportDataMessage(
    IReadOnlyList<AttributeReportIB> AttributeReports,
    bool MoreChunkedMessages = false,
    bool SuppressResponse = false,
    uint? SubscriptionId = null,
    int EventReportCount = 0)
{
    public byte[] Encode()
    {
        var w = new TlvWriter().StartStructure(TlvTag.Anonymous);
        AttributePath.WriteOptional(w, 0, SubscriptionId);
        if (AttributeReports.Count > 0)
        {
            w.WriteArray(TlvTag.Context(1), AttributeReports);
        }

        if (MoreChunkedMessages)
        {
            w.WriteBool(TlvTag.Context(3), true);
        }

        if (SuppressResponse)
        {
            w.WriteBool(TlvTag.Context(4), true);
        }

        return InteractionModelRevision.Finish(w);
    }

    public static Parsed<ReportDataMessage> Decode(ReadOnlySpan<byte> payload) =>
        ImDecode.Run(payload, "ReportData", root =>
        {
            var c = InteractionModelRevision.Open(root, "ReportData");
            var reports = ImDecode.OptionalArray(c, 1, "attribute reports");
            return new ReportDataMessage(
                [.. reports.Select((r, i) => AttributeReportIB.Read(r, $"attribute report {i}"))],
                ImDecode.OptionalBool(c, 3, "more chunked messages") ?? false,
                ImDecode.OptionalBool(c, 4, "suppress response") ?? false,
                (uint?)ImDecode.OptionalUnsigned(c, 0, uint.MaxValue, "subscription id"),
                ImDecode.OptionalArray(c, 2, "event reports").Count);
        });
}

/// <summary>TimedRequestMessage (opcode 0x0A): 0 Timeout in milliseconds (u16).</summary>
public sealed record TimedRequestMessage(ushort TimeoutMs)
{
    public byte[] Encode() => InteractionModelRevision.Finish(
        new TlvWriter().StartStructure(TlvTag.Anonymous).WriteUnsigned(TlvTag.Context(0), TimeoutMs));

    public static Parsed<TimedRequestMessage> Decode(ReadOnlySpan<byte> payload) =>
        ImDecode.Run(payload, "TimedRequest", root =>
        {
            var c = InteractionModelRevision.Open(root, "TimedRequest");
            return new TimedRequestMessage((ushort)ImDecode.RequiredUnsigned(c, 0, ushort.MaxValue, "timeout"));
        });
}

/// <summary>InvokeRequestMessage (opcode 0x08): 0 SuppressResponse, 1 TimedRequest, 2 InvokeRequests.</summary>
public sealed record InvokeRequestMessage(IReadOnlyList<CommandDataIB> Requests, bool TimedRequest = false, bool SuppressResponse = false)
{
    public byte[] Encode()
    {
        var w = new TlvWriter().StartStructure(TlvTag.Anonymous)
            .WriteBool(TlvTag.Context(0), SuppressResponse)
            .WriteBool(TlvTag.Context(1), TimedRequest)
            .WriteArray(TlvTag.Context(2), Requests);
        return InteractionModelRevision.Finish(w);
    }

    public static Parsed<InvokeRequestMessage> Decode(ReadOnlySpan<byte> payload) =>
        ImDecode.Run(payload, "InvokeRequest", root =>
        {
            var c = InteractionModelRevision.Open(root, "InvokeRequest");
            var requests = ImDecode.Array(ImDecode.Required(c, 2, "invoke requests"), "invoke requests");
            return new InvokeRequestMessage(
                [.. requests.Select((r, i) => CommandDataIB.Read(r, $"invoke request {i}"))],
                ImDecode.OptionalBool(c, 1, "timed request") ?? false,
                ImDecode.OptionalBool(c, 0, "suppress response") ?? false);
        });
}

/// <summary>InvokeResponseMessage (opcode 0x09): 0 SuppressResponse, 1 InvokeResponses, 2 MoreChunkedMessages.</summary>
public sealed record InvokeResponseMessage(IReadOnlyList<InvokeResponseIB> Responses, bool MoreChunkedMessages = false, bool SuppressResponse = false)
{
    public byte[] Encode()
    {
        var w = new TlvWriter().StartStructure(TlvTag.Anonymous)
            .WriteBool(TlvTag.Context(0), SuppressResponse)
            .WriteArray(TlvTag.Context(1), Responses);
        if (MoreChunkedMessages)
        {
            w.WriteBool(TlvTag.Context(2), true);
        }

        return InteractionModelRevision.Finish(w);
    }

    public static Parsed<InvokeResponseMessage> Decode(ReadOnlySpan<byte> payload) =>
        ImDecode.Run(payload, "InvokeResponse", root =>
        {
            var c = InteractionModelRevision.Open(root, "InvokeResponse");
            var responses = ImDecode.OptionalArray(c, 1, "invoke responses");
            return new InvokeResponseMessage(
                [.. responses.Select((r, i) => InvokeResponseIB.Read(r, $"invoke response {i}"))],
                ImDecode.OptionalBool(c, 2, "more chunked messages") ?? false,
                ImDecode.OptionalBool(c, 0, "suppress response") ?? false);
        });
}

/// <summary>WriteRequestMessage (opcode 0x06): 0 SuppressResponse, 1 TimedRequest, 2 WriteRequests, 3 MoreChunkedMessages.</summary>
public sealed record WriteRequestMessage(IReadOnlyList<AttributeDataIB> Writes, bool TimedRequest = false, bool SuppressResponse = false)
{
    public byte[] Encode()
    {
        var w = new TlvWriter().StartStructure(TlvTag.Anonymous)
            .WriteBool(TlvTag.Context(0), SuppressResponse)
            .WriteBool(TlvTag.Context(1), TimedRequest)
            .WriteArray(TlvTag.Context(2), Writes);
        return InteractionModelRevision.Finish(w);
    }

    /// <summary>The server side: strict on every field it uses; a chunked write (MoreChunkedMessages) is refused by the caller.</summary>
    public static Parsed<(WriteRequestMessage Request, bool MoreChunkedMessages)> Decode(ReadOnlySpan<byte> payload) =>
        ImDecode.Run(payload, "WriteRequest", root =>
        {
            var c = InteractionModelRevision.Open(root, "WriteRequest");
            var writes = ImDecode.Array(ImDecode.Required(c, 2, "write requests"), "write requests");
            return (new WriteRequestMessage(
                [.. writes.Select((w, i) => AttributeDataIB.Read(w, $"write request {i}"))],
                ImDecode.OptionalBool(c, 1, "timed request") ?? false,
                ImDecode.OptionalBool(c, 0, "suppress response") ?? false),
                ImDecode.OptionalBool(c, 3, "more chunked messages") ?? false);
        });
}

/// <summary>WriteResponseMessage (opcode 0x07): 0 WriteResponses (AttributeStatusIB each).</summary>
public sealed record WriteResponseMessage(IReadOnlyList<AttributeStatusIB> Statuses)
{
    public byte[] Encode()
    {
        var w = new TlvWriter().StartStructure(TlvTag.Anonymous).WriteArray(TlvTag.Context(0), Statuses);
        return InteractionModelRevision.Finish(w);
    }

    public static Parsed<WriteResponseMessage> Decode(ReadOnlySpan<byte> payload) =>
        ImDecode.Run(payload, "WriteResponse", root =>
        {
            var c = InteractionModelRevision.Open(root, "WriteResponse");
            return new WriteResponseMessage(
                [.. ImDecode.OptionalArray(c, 0, "write responses").Select((s, i) => AttributeStatusIB.Read(s, $"write response {i}"))]);
        });
}
