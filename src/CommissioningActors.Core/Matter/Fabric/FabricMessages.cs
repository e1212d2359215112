using CommissioningActors.Core.Storage;
using CommissioningActors.Protocol.Matter.Certificates;

namespace CommissioningActors.Core.Matter.Fabric;

/// <summary>Answered with <see cref="FabricInfo"/> or <see cref="FabricUnavailable"/>.</summary>
public sealed record GetFabric
{
    public static readonly GetFabric Instance = new();
}

/// <summary>What a commissioning flow needs to know about our fabric (no private keys).</summary>
public sealed record FabricInfo(ulong FabricId, ushort AdminVendorId, ulong ControllerNodeId, MatterCertificate RootCertificate, byte[] Ipk)
{
    public override string ToString() => $"FabricInfo(fabric {FabricId:X16}, controller {ControllerNodeId:X16})";
}

/// <summary>Our controller's own CASE identity: answered with <see cref="ControllerCredentials"/> or <see cref="FabricUnavailable"/>.</summary>
public sealed record GetControllerCredentials
{
    public static readonly GetControllerCredentials Instance = new();
}

/// <summary>
/// What a CASE initiator on our fabric needs: the controller's NOC and its private key (PKCS#8), the root
/// certificate, the IPK epoch key and the fabric id. Secret: ToString shows no key, and nothing may log the fields.
/// </summary>
public sealed record ControllerCredentials(
    ulong FabricId,
    ulong ControllerNodeId,
    MatterCertificate RootCertificate,
    MatterCertificate Noc,
    byte[] ControllerKeyPkcs8,
    byte[] IpkEpochKey)
{
    /// <summary>The compressed fabric id (operational instance names, the operational IPK), as a number.</summary>
    public ulong CompressedFabricId =>
        System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(
            Protocol.Matter.SecureChannel.CaseKeySchedule.CompressedFabricId(RootCertificate.PublicKey, FabricId));

    public override string ToString() => $"ControllerCredentials(fabric {FabricId:X16}, controller {ControllerNodeId:X16})";
}

/// <summary>The fabric could not be created, loaded or written: nothing may be commissioned.</summary>
public sealed record FabricUnavailable(string Reason);

/// <summary>Hands out the next node id (persisted first): <see cref="NodeIdAllocated"/> or <see cref="FabricUnavailable"/>.</summary>
public sealed record AllocateNodeId
{
    public static readonly AllocateNodeId Instance = new();
}

public sealed record NodeIdAllocated(ulong NodeId);

/// <summary>Issues a NOC for a device's CSR (the root key never leaves the fabric actor): <see cref="NocIssued"/> or <see cref="NocRefused"/>.</summary>
public sealed record IssueNoc(ulong NodeId, byte[] Csr);

public sealed record NocIssued(ulong NodeId, MatterCertificate Noc);

public sealed record NocRefused(ulong NodeId, string Reason);

/// <summary>Records a commissioned node: answered with <see cref="NodeSaved"/> or <see cref="FabricUnavailable"/>; publishes <see cref="NodeAdded"/>.</summary>
public sealed record AddNode(NodeRecord Node);

public sealed record NodeSaved(ulong NodeId);

/// <summary>The node answered from <paramref name="Address"/> at <paramref name="When"/> (no reply; publishes <see cref="NodeUpdated"/>).</summary>
public sealed record NodeSeen(ulong NodeId, DateTimeOffset When, string? Address = null);

/// <summary>Gives a node the job's label (no reply; publishes <see cref="NodeUpdated"/>; unknown nodes are ignored).</summary>
public sealed record LabelNode(ulong NodeId, string Label);

/// <summary>Forgets a node: <see cref="NodeRemovedReply"/> or <see cref="UnknownNode"/>; publishes <see cref="NodeRemoved"/>.</summary>
public sealed record RemoveNode(ulong NodeId);

public sealed record NodeRemovedReply(ulong NodeId);

public sealed record UnknownNode(ulong NodeId);

public sealed record GetNodes
{
    public static readonly GetNodes Instance = new();
}

/// <summary><paramref name="Available"/>: the nodes whose last contact succeeded since this process started.</summary>
public sealed record NodeList(IReadOnlyList<NodeRecord> Nodes, IReadOnlySet<ulong> Available);

/// <summary>Answered with <see cref="NodeFound"/> or <see cref="UnknownNode"/>.</summary>
public sealed record GetNode(ulong NodeId);

public sealed record NodeFound(NodeRecord Node, bool Available);

/// <summary>
/// The node could not be reached (no session, or it went silent): it is unavailable until the next
/// <see cref="NodeSeen"/>. No reply; publishes <see cref="NodeUpdated"/> when availability changes.
/// </summary>
public sealed record NodeUnreachable(ulong NodeId);

/// <summary>Event stream: node_added.</summary>
public sealed record NodeAdded(NodeRecord Node);

/// <summary>Event stream: node_updated.</summary>
public sealed record NodeUpdated(NodeRecord Node, bool Available);

/// <summary>Event stream: node_removed.</summary>
public sealed record NodeRemoved(ulong NodeId);

/// <summary>
/// Stores the Wi-Fi credentials or Thread dataset BLE commissioning hands to devices (one of each; a new one
/// replaces the old): <see cref="NetworkCredentialsSaved"/> or <see cref="FabricUnavailable"/>. ToString shows no secret.
/// </summary>
public sealed record SaveNetworkCredentials(NetworkCredentials Credentials);

public sealed record NetworkCredentialsSaved(NetworkKind Kind);

/// <summary>Answered with <see cref="NetworkCredentialsFound"/> (null when none is stored) or <see cref="FabricUnavailable"/>.</summary>
public sealed record GetNetworkCredentials(NetworkKind Kind);

public sealed record NetworkCredentialsFound(NetworkKind Kind, NetworkCredentials? Credentials);
