using Akka.Actor;
using CommissioningActors.Core.Matter.Fabric;
using CommissioningActors.Core.Matter.Sessions;
using CommissioningActors.Protocol.Matter.InteractionModel;
using CommissioningActors.Protocol.Matter.Messages;
using CommissioningActors.Protocol.Matter.Tlv;

namespace CommissioningActors.Core.Matter.Nodes;

/// <summary>Read, invoke and decommission, each as Interaction Model conversations on the node's session.</summary>
public sealed partial class NodeActor
{
    private ActiveConversation? _conversation;
    private long _conversationIds;

    private ConversationLimits Limits => new(_settings.ReadLimits.MaxChunks + 2, _settings.ReadLimits.MaxTotalBytes + 4096);

    private void Run(PlannedOperation plan)
    {
        switch (plan)
        {
            case PlannedOperation.Read read:
                Converse(NodeInteraction.Read(read.Path, _settings.ReadLimits), result =>
                {
                    var (value, error) = ((ReadResult)result).Get(read.Path);
                    Finish(error is null
                        ? new NodeAttributeRead(NodeId, read.Path.ToString(), value is null ? null : TlvJson.ToJsonNode(value))
                        : Failed("command_failed", error.Message));
                });
                break;
            case PlannedOperation.Invoke invoke:
                RunInvoke(invoke);
                break;
            case PlannedOperation.Decommission:
                Decommission();
                break;
        }
    }

    /// <summary>
    /// A command the device says needs a timed interaction (one the catalogue does not know as timed, or
    /// invoked by id) is sent again as a timed invoke: the device did not run it the first time.
    /// </summary>
    private void RunInvoke(PlannedOperation.Invoke invoke) =>
        Converse(NodeInteraction.Invoke(new InvokeClient(invoke.Path, invoke.Fields, invoke.TimedTimeoutMs)),
            result => Finish(new NodeCommandInvoked(NodeId, NodeRequests.ResponseJson((InvokeResult)result, invoke.Spec))),
            error =>
            {
                if (error.Status?.Status != ImStatusCode.NeedsTimedInteraction || invoke.TimedTimeoutMs is not null)
                {
                    return false;
                }

                RunInvoke(invoke with { TimedTimeoutMs = _settings.TimedInvokeTimeoutMs });
                return true;
            });

    /// <summary><paramref name="onFailed"/> may take over a failure the device answered (true: handled, no reply yet).</summary>
    private void Converse(NodeInteraction interaction, Action<object> onDone, Func<ImError, bool>? onFailed = null)
    {
        var id = ++_conversationIds;
        _conversation = new ActiveConversation(id, interaction, onDone, onFailed);
        var first = interaction.Start();
        _session!.Tell(new StartConversation(id, MatterProtocolId.InteractionModel, (byte)first.Opcode, first.Payload, _settings.RequestTimeout, Limits));
    }

    private void ReceiveOperationReplies()
    {
        Receive<ConversationMessage>(m => m.RequestId == _conversation?.Id, OnConversationMessage);
        Receive<RequestFailed>(f => f.RequestId == _conversation?.Id, failed =>
        {
            switch (failed.Kind)
            {
                case RequestFailureKind.Timeout or RequestFailureKind.NotAcknowledged:
                    Unreachable(failed.Reason);
                    break;
                case RequestFailureKind.SessionUnavailable:
                    CloseSession();
                    Finish(Failed("node_unavailable", $"the secure session with node {NodeId} ended: {failed.Reason}"));
                    break;
                default:
                    Finish(Failed("command_failed", failed.Reason));
                    break;
            }
        });
    }

    private void OnConversationMessage(ConversationMessage message)
    {
        var conversation = _conversation!;
        if (message.Protocol != MatterProtocolId.InteractionModel)
        {
            _session!.Tell(new EndConversation(conversation.Id));
            Finish(Failed("command_failed", "the device answered outside the Interaction Model"));
            return;
        }

        switch (conversation.Interaction.Receive((InteractionModelOpcode)message.Opcode, message.Payload.Span))
        {
            case InteractionStep.Continue next:
                _session!.Tell(new ContinueConversation(conversation.Id, (byte)next.Message.Opcode, next.Message.Payload));
                break;
            case InteractionStep.Done done:
                End(conversation.Id, done.Final);
                Seen();
                conversation.OnDone(done.Result);
                break;
            case InteractionStep.Failed failed:
                End(conversation.Id, failed.Final);
                Seen();
                if (conversation.OnFailed?.Invoke(failed.Error) != true)
                {
                    Finish(Failed("command_failed", failed.Error.Message));
                }

                break;
        }
    }

    private void End(long id, ImOutgoing? final)
    {
        _conversation = null;
        _session!.Tell(final is null ? new EndConversation(id) : new EndConversation(id, (byte)final.Opcode, final.Payload));
    }

    /// <summary>Reads the session's fabric index, asks the device to remove that fabric, then forgets the node.</summary>
    private void Decommission() => Converse(NodeInteraction.Read(NodeRequests.CurrentFabricIndex, _settings.ReadLimits), read =>
    {
        var (value, error) = ((ReadResult)read).Get(NodeRequests.CurrentFabricIndex);
        if (error is not null)
        {
            Finish(Failed("command_failed", $"reading CurrentFabricIndex failed: {error.Message}"));
            return;
        }

        if (value?.AsUnsigned() is not { } index || index is 0 or > 254)
        {
            Finish(Failed("command_failed", "the session is not on a fabric (CurrentFabricIndex is 0): there is no fabric to remove"));
            return;
        }

        var remove = OperationalCredentialsCommands.RemoveFabric((byte)index);
        Converse(NodeInteraction.Invoke(remove.ToInvoke()), invoked =>
        {
            var status = ((InvokeResult)invoked).Fields?[0]?.AsUnsigned();
            if (status != 0)
            {
                Finish(Failed("command_failed", $"RemoveFabric answered NOC status {status?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "(none)"}"));
                return;
            }

            // The device dropped our fabric and with it this session.
            CloseSession();
            _fabric.Tell(new RemoveNode(NodeId));
            Timers.StartSingleTimer(FabricTimer, FabricTimedOut.Instance, _settings.FabricTimeout);
            Become(Removing);
        });
    });

    private void Removing()
    {
        ReceiveRequests(() => { });
        Receive<NodeRemovedReply>(r => r.NodeId == NodeId, _ => Removed());
        Receive<UnknownNode>(r => r.NodeId == NodeId, _ => Removed());
        Receive<FabricUnavailable>(u => Finish(Failed("command_failed",
            $"the device left our fabric but the registry could not forget node {NodeId}: {u.Reason}")));
        Receive<FabricTimedOut>(_ => Finish(Failed("command_failed",
            $"the device left our fabric but the registry did not confirm forgetting node {NodeId}")));
        ReceiveAny(_ => { });
    }

    private void Removed()
    {
        Timers.Cancel(FabricTimer);
        if (_current is { } current)
        {
            _current = null;
            current.ReplyTo.Tell(new NodeDecommissioned(NodeId));
        }

        FailAll("unknown_node", $"node {NodeId} was removed");
        Become(() =>
        {
            Receive<ReadNodeAttribute>(r => Sender.Tell(Failed("unknown_node", $"node {NodeId} was removed")));
            Receive<InvokeNodeCommand>(r => Sender.Tell(Failed("unknown_node", $"node {NodeId} was removed")));
            Receive<DecommissionNode>(r => Sender.Tell(Failed("unknown_node", $"node {NodeId} was removed")));
            ReceiveAny(_ => { });
        });
        Context.Parent.Tell(new Gone(NodeId));
    }

    private sealed record ActiveConversation(long Id, NodeInteraction Interaction, Action<object> OnDone, Func<ImError, bool>? OnFailed);

    private sealed record FabricTimedOut
    {
        public static readonly FabricTimedOut Instance = new();
    }
}
