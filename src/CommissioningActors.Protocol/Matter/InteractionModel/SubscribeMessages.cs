using CommissioningActors.Protocol.Matter.Tlv;

namespace CommissioningActors.Protocol.Matter.InteractionModel;

/// <summary>
/// SubscribeRequestMessage (opcode 0x03): 0 KeepSubscriptions, 1 MinIntervalFloor (s), 2 MaxIntervalCeiling (s),
/// 3 AttributeRequests, 7 IsFabricFiltered. Codec only: no subscription client yet.
/// </summary>
public sealed record SubscribeRequestMessage(
    IReadOnlyList<AttributePath> Attributes, ushort MinIntervalFloorSeconds, ushort MaxIntervalCeilingSeconds,
    bool KeepSubscriptions = false, bool FabricFiltered = true)
{
    public byte[] Encode()
    {
        var w = new TlvWriter().StartStructure(TlvTag.Anonymous)
            .WriteBool(TlvTag.Context(0), KeepSubscriptions)
            .WriteUnsigned(TlvTag.Context(1), MinIntervalFloorSeconds)
            .WriteUnsigned(TlvTag.Context(2), MaxIntervalCeilingSeconds);
        if (Attributes.Count > 0)
        {
            w.WriteArray(TlvTag.Context(3), Attributes);
        }

        w.WriteBool(TlvTag.Context(7), FabricFiltered);
        return InteractionModelRevision.Finish(w);
    }

    public static Parsed<SubscribeRequestMessage> Decode(ReadOnlySpan<byte> payload) =>
        ImDecode.Run(payload, "SubscribeRequest", root =>
        {
            var c = InteractionModelRevision.Open(root, "SubscribeRequest");
            return new SubscribeRequestMessage(
                [.. ImDecode.OptionalArray(c, 3, "attribute requests").Select(p => AttributePath.Read(p, "attribute path"))],
                (ushort)ImDecode.RequiredUnsigned(c, 1, ushort.MaxValue, "min interval floor"),
                (ushort)ImDecode.RequiredUnsigned(c, 2, ushort.MaxValue, "max interval ceiling"),
                ImDecode.OptionalBool(c, 0, "keep subscriptions") ?? throw new ImDecodeException("keep subscriptions (tag 0) is missing"),
                ImDecode.OptionalBool(c, 7, "fabric filtered") ?? throw new ImDecodeException("fabric filtered (tag 7) is missing"));
        });
}

/// <summary>SubscribeResponseMessage (opcode 0x04): 0 SubscriptionId (u32), 2 MaxInterval (s).</summary>
public sealed record SubscribeResponseMessage(uint SubscriptionId, ushort MaxIntervalSeconds)
{
    public byte[] Encode() => InteractionModelRevision.Finish(new TlvWriter().StartStructure(TlvTag.Anonymous)
        .WriteUnsigned(TlvTag.Context(0), SubscriptionId)
        .WriteUnsigned(TlvTag.Context(2), MaxIntervalSeconds));

    public static Parsed<SubscribeResponseMessage> Decode(ReadOnlySpan<byte> payload) =>
        ImDecode.Run(payload, "SubscribeResponse", root =>
        {
            var c = InteractionModelRevision.Open(root, "SubscribeResponse");
            return new SubscribeResponseMessage(
                (uint)ImDecode.RequiredUnsigned(c, 0, uint.MaxValue, "subscription id"),
                (ushort)ImDecode.RequiredUnsigned(c, 2, ushort.MaxValue, "max interval"));
        });
}
