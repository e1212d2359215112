using System.Text.Json.Nodes;
using CommissioningActors.Protocol.Matter.InteractionModel;

namespace CommissioningActors.Core.Matter.Nodes;

// Messages received by the node manager (one child per commissioned node, each owning its CASE session).
// Every request is answered to its sender with its success record or NodeOperationFailed.

/// <summary>Reads one concrete attribute: <see cref="NodeAttributeRead"/> or <see cref="NodeOperationFailed"/>.</summary>
public sealed record ReadNodeAttribute(ulong NodeId, AttributePath Path);

/// <summary><paramref name="Value"/> is the TLV value as JSON (TlvJson); <paramref name="Path"/> is "endpoint/cluster/attribute".</summary>
public sealed record NodeAttributeRead(ulong NodeId, string Path, JsonNode? Value);

/// <summary>
/// Invokes a cluster command by catalogue name or by id (<paramref name="CommandName"/> wins when both are
/// given): <see cref="NodeCommandInvoked"/> or <see cref="NodeOperationFailed"/>.
/// </summary>
public sealed record InvokeNodeCommand(ulong NodeId, ushort EndpointId, uint ClusterId, string? CommandName, uint? CommandId, JsonObject? Payload);

/// <summary><paramref name="Response"/> holds the response command's fields, or null for a status-only answer.</summary>
public sealed record NodeCommandInvoked(ulong NodeId, JsonNode? Response);

/// <summary>Removes our fabric from the device (RemoveFabric), then forgets the node: <see cref="NodeDecommissioned"/> or <see cref="NodeOperationFailed"/>.</summary>
public sealed record DecommissionNode(ulong NodeId);

public sealed record NodeDecommissioned(ulong NodeId);

/// <summary>
/// <paramref name="ErrorCode"/> is the /ws error code: unknown_node, node_unavailable (no CASE session could be
/// had or the node went silent), invalid_args, or command_failed (the device answered with a failing status;
/// <paramref name="Message"/> names it). Never carries secrets.
/// </summary>
public sealed record NodeOperationFailed(ulong NodeId, string ErrorCode, string Message);
