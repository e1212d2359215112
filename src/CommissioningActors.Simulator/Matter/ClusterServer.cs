using CommissioningActors.Protocol.Matter.InteractionModel;
using CommissioningActors.Protocol.Matter.Tlv;

namespace CommissioningActors.Simulator.Matter;

/// <summary>
/// Who is asking: the session kind, the fabric it is bound to (0 = none yet), its attestation challenge, whether
/// the request was timed, and how to bind the session to a fabric AddNOC created.
/// </summary>
public sealed record InteractionContext(bool IsCase, byte FabricIndex, ulong? PeerNodeId, ushort SessionId, byte[] AttestationChallenge)
{
    public bool Timed { get; init; }

    public bool FabricFiltered { get; init; } = true;

    public Action<byte>? BindToFabric { get; init; }
}

/// <summary>A command's outcome: a response command with fields, or a status (with an optional cluster status).</summary>
public sealed record CommandResult(uint? ResponseCommand, TlvElement? Fields, StatusIB Status)
{
    public static CommandResult Ok { get; } = new(null, null, StatusIB.Success);

    public static CommandResult Respond(uint command, TlvElement fields) => new(command, fields, StatusIB.Success);

    public static CommandResult Fail(ImStatusCode status, byte? clusterStatus = null) => new(null, null, new StatusIB(status, clusterStatus));
}

/// <summary>An attribute's value, or the status its read gives instead.</summary>
public sealed record AttributeRead(TlvElement? Value, ImStatusCode Status = ImStatusCode.Success)
{
    public static AttributeRead Of(TlvElement value) => new(value);

    public static implicit operator AttributeRead(TlvElement value) => new(value);
}

/// <summary>
/// One cluster instance on one endpoint. Global attributes (revision, feature map, attribute and command lists)
/// come from the declared ids; a change the cluster makes bumps <see cref="DataVersion"/>.
/// </summary>
public abstract class ClusterServer
{
    public const uint GeneratedCommandList = 0xFFF8;
    public const uint AcceptedCommandList = 0xFFF9;
    public const uint AttributeList = 0xFFFB;
    public const uint FeatureMapId = 0xFFFC;
    public const uint ClusterRevisionId = 0xFFFD;

    private static readonly uint[] GlobalIds = [GeneratedCommandList, AcceptedCommandList, AttributeList, FeatureMapId, ClusterRevisionId];

    public abstract uint Id { get; }

    public virtual ushort Revision => 1;

    public virtual uint FeatureMap => 0;

    /// <summary>The cluster's own attribute ids (not the global ones).</summary>
    public abstract IReadOnlyList<uint> Attributes { get; }

    public virtual IReadOnlyList<uint> AcceptedCommands => [];

    public virtual IReadOnlyList<uint> GeneratedCommands => [];

    public uint DataVersion { get; private set; } = (uint)Random.Shared.Next();

    public IEnumerable<uint> AllAttributeIds => Attributes.Concat(GlobalIds);

    public bool HasAttribute(uint id) => Attributes.Contains(id) || GlobalIds.Contains(id);

    public AttributeRead Read(uint attribute, InteractionContext context) => attribute switch
    {
        ClusterRevisionId => Tlv.U(Revision),
        FeatureMapId => Tlv.U(FeatureMap),
        AttributeList => Tlv.UArray(AllAttributeIds),
        AcceptedCommandList => Tlv.UArray(AcceptedCommands),
        GeneratedCommandList => Tlv.UArray(GeneratedCommands),
        _ when Attributes.Contains(attribute) => ReadAttribute(attribute, context),
        _ => new AttributeRead(null, ImStatusCode.UnsupportedAttribute),
    };

    protected abstract AttributeRead ReadAttribute(uint attribute, InteractionContext context);

    /// <summary>Invokes a command the cluster accepts; <paramref name="fields"/> is the (possibly empty) structure.</summary>
    public virtual CommandResult Invoke(uint command, TlvElement fields, InteractionContext context) =>
        CommandResult.Fail(ImStatusCode.UnsupportedCommand);

    public virtual ImStatusCode Write(uint attribute, TlvElement value, InteractionContext context) =>
        HasAttribute(attribute) ? ImStatusCode.UnsupportedWrite : ImStatusCode.UnsupportedAttribute;

    protected void Changed() => DataVersion++;
}
