using System.Net;
using System.Text.Json.Nodes;
using Akka.Actor;
using CommissioningActors.Core.Commissioning;
using CommissioningActors.Core.Matter.Fabric;
using CommissioningActors.Core.Matter.Network;
using CommissioningActors.Core.Matter.Nodes;
using CommissioningActors.Core.Storage;
using CommissioningActors.Protocol.Controller;
using CommissioningActors.Protocol.Matter;
using static CommissioningActors.Core.Controller.CommandArgs;

namespace CommissioningActors.Core.Controller;

/// <summary>The round-2 commands: on-network commissioning, nodes and network credentials.</summary>
public sealed partial class ControllerSessionActor
{
    /// <summary>A node operation may need a fresh CASE session first: it gets longer than a lookup.</summary>
    public static readonly TimeSpan NodeOperationTimeout = TimeSpan.FromSeconds(60);

    private bool DispatchMatter(ControllerCommand c)
    {
        switch (c.Command)
        {
            case "commission_on_network":
                CommissionOnNetwork(c);
                return true;
            case "get_nodes":
                WithFabric(c, fabric => Request(c.MessageId, fabric, GetNodes.Instance, reply => reply switch
                {
                    NodeList list => ControllerCodec.Result(c.MessageId, ControllerJson.Nodes(list)),
                    _ => FabricError(c.MessageId, reply),
                }));
                return true;
            case "get_node":
                var nodeId = NodeId(c);
                WithFabric(c, fabric => Request(c.MessageId, fabric, new GetNode(nodeId), reply => reply switch
                {
                    NodeFound found => ControllerCodec.Result(c.MessageId, ControllerJson.Node(found.Node, found.Available)),
                    _ => FabricError(c.MessageId, reply),
                }));
                return true;
            case "set_wifi_credentials":
                var (ssid, password) = WifiCredentials(c);
                SaveCredentials(c, new NetworkCredentials(NetworkKind.WiFi, ssid, password));
                return true;
            case "set_thread_dataset":
                SaveCredentials(c, new NetworkCredentials(NetworkKind.Thread, null, ThreadDataset(c)));
                return true;
            case "read_attribute":
                var read = new ReadNodeAttribute(NodeId(c), AttributePathArg(c));
                ToNodeManager(c, read, reply => reply is NodeAttributeRead r
                    ? new JsonObject { [r.Path] = r.Value?.DeepClone() }
                    : null);
                return true;
            case "device_command":
                var (name, id) = DeviceCommand(c);
                var invoke = new InvokeNodeCommand(NodeId(c), EndpointId(c), ClusterId(c), name, id, Payload(c));
                ToNodeManager(c, invoke, reply => reply is NodeCommandInvoked r ? r.Response?.DeepClone() : null, nullIsResult: true);
                return true;
            case "remove_node":
                ToNodeManager(c, new DecommissionNode(NodeId(c)), reply => reply is NodeDecommissioned ? new JsonObject() : null);
                return true;
            default:
                return false;
        }
    }

    private void CommissionOnNetwork(ControllerCommand c)
    {
        var pin = OptionalInt(c, "setup_pin_code") ?? throw new ArgumentException("setup_pin_code (integer) is required");
        var (match, discriminator, isShort) = NetworkFilter(c);
        var address = IpAddress(c);
        if (pin < 0 || !SetupCode.IsValidPasscode((uint)pin))
        {
            Send(ControllerCodec.Error(c.MessageId, AttemptErrorCodes.InvalidCode, "setup_pin_code is not a valid Matter setup passcode"));
            return;
        }

        StartNetworkJob(c, new SetupPayload((uint)pin, discriminator, isShort), PasscodeForms((uint)pin), address, match);
    }

    private void StartNetworkJob(ControllerCommand c, SetupPayload payload, IReadOnlyList<string> secrets, IPEndPoint? address, bool matchDiscriminator)
    {
        if (_services.Matter is null)
        {
            Send(ControllerCodec.Error(c.MessageId, ControllerErrorCodes.NotAvailable, "on-network commissioning is not available in this service"));
            return;
        }

        address ??= IpAddress(c);
        if (address is null && _services.Matter.Resolver is null)
        {
            Send(ControllerCodec.Error(c.MessageId, ControllerErrorCodes.NotAvailable,
                "on-network discovery (mDNS) is not available in this service: give the device's ip_addr"));
            return;
        }

        StartJob(c, payload, secrets, addresses: null, new NetworkTarget(address, matchDiscriminator));
    }

    private void SaveCredentials(ControllerCommand c, NetworkCredentials credentials) =>
        WithFabric(c, fabric => Request(c.MessageId, fabric, new SaveNetworkCredentials(credentials), reply => reply switch
        {
            NetworkCredentialsSaved => ControllerCodec.Result(c.MessageId, new JsonObject()),
            _ => FabricError(c.MessageId, reply),
        }));

    private void WithFabric(ControllerCommand c, Action<IActorRef> send)
    {
        if (_services.Matter is null)
        {
            Send(ControllerCodec.Error(c.MessageId, ControllerErrorCodes.NotAvailable, "the fabric is not available in this service"));
            return;
        }

        send(_services.Matter.Fabric);
    }

    private void ToNodeManager(ControllerCommand c, object request, Func<object, JsonNode?> toResult, bool nullIsResult = false)
    {
        if (_services.Matter?.NodeManager is not { } nodes)
        {
            Send(ControllerCodec.Error(c.MessageId, ControllerErrorCodes.NotAvailable, $"{c.Command} needs the node manager, which this service does not run"));
            return;
        }

        Request(c.MessageId, nodes, request, reply => reply switch
        {
            NodeOperationFailed failed => ControllerCodec.Error(c.MessageId, failed.ErrorCode, failed.Message),
            NodeAttributeRead or NodeCommandInvoked or NodeDecommissioned when toResult(reply) is var result && (result is not null || nullIsResult) =>
                ControllerCodec.Result(c.MessageId, result),
            _ => null,
        }, NodeOperationTimeout);
    }

    private static string? FabricError(string messageId, object reply) => reply switch
    {
        UnknownNode u => ControllerCodec.Error(messageId, ControllerErrorCodes.UnknownNode, $"no node {u.NodeId} on our fabric"),
        FabricUnavailable f => ControllerCodec.Error(messageId, ControllerErrorCodes.InternalError, f.Reason),
        _ => null,
    };
}
