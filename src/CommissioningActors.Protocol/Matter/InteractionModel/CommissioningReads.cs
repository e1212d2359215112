using System.Text.Json.Nodes;
using CommissioningActors.Protocol.Matter.Tlv;

namespace CommissioningActors.Protocol.Matter.InteractionModel;

/// <summary>BasicCommissioningInfo (GeneralCommissioning attribute 1): {0 FailSafeExpiryLengthSeconds, 1 MaxCumulativeFailsafeSeconds}.</summary>
public sealed record BasicCommissioningInfo(ushort FailSafeExpiryLengthSeconds, ushort MaxCumulativeFailsafeSeconds)
{
    public static Parsed<BasicCommissioningInfo> Parse(TlvElement value) =>
        ImDecode.Run(value, "BasicCommissioningInfo", root =>
        {
            var c = ImDecode.Container(root, TlvContainerKind.Structure, "value");
            return new BasicCommissioningInfo(
                (ushort)ImDecode.RequiredUnsigned(c, 0, ushort.MaxValue, "failSafeExpiryLengthSeconds"),
                (ushort)(ImDecode.OptionalUnsigned(c, 1, ushort.MaxValue, "maxCumulativeFailsafeSeconds") ?? 0));
        });
}

/// <summary>The attributes the commissioning flow reads first (the order matter.js follows) and the read_attribute rendering.</summary>
public static class CommissioningReads
{
    public static readonly AttributePath VendorId = new(0, ClusterIds.BasicInformation, 2);
    public static readonly AttributePath ProductId = new(0, ClusterIds.BasicInformation, 4);
    public static readonly AttributePath BasicCommissioningInfo = new(0, ClusterIds.GeneralCommissioning, 1);
    public static readonly AttributePath SupportsConcurrentConnection = new(0, ClusterIds.GeneralCommissioning, 4);
    public static readonly AttributePath LocationCapability = new(0, ClusterIds.GeneralCommissioning, 3);

    /// <summary>NetworkCommissioning may sit on any endpoint: the feature map is read with a wildcard endpoint.</summary>
    public static readonly AttributePath NetworkFeatureMap = new(null, ClusterIds.NetworkCommissioning, GlobalAttributes.FeatureMap);

    public static readonly AttributePath Fabrics = new(0, ClusterIds.OperationalCredentials, 1);

    public static IReadOnlyList<AttributePath> Initial { get; } =
        [VendorId, ProductId, BasicCommissioningInfo, SupportsConcurrentConnection, LocationCapability, NetworkFeatureMap];

    /// <summary>read_attribute's result: {"endpoint/cluster/attribute": value} in decimal, or the path's error.</summary>
    public static (JsonObject? Result, ImError? Error) ToReadAttributeResult(ReadResult result, AttributePath path)
    {
        var (value, error) = result.Get(path);
        if (error is not null)
        {
            return (null, error);
        }

        return (new JsonObject { [path.Concrete.ToString()] = value is null ? null : TlvJson.ToJsonNode(value) }, null);
    }
}
