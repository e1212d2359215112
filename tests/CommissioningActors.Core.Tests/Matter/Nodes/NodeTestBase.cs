using System.Net;
using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using CommissioningActors.Core.Matter.Fabric;
using CommissioningActors.Core.Matter.Nodes;
using CommissioningActors.Core.Matter.Resolution;
using CommissioningActors.Core.Matter.Sessions;
using CommissioningActors.Core.Storage;
using CommissioningActors.Protocol.Matter.Certificates;
using CommissioningActors.Protocol.Matter.InteractionModel;
using CommissioningActors.Protocol.Matter.Messages;
using CommissioningActors.Protocol.Matter.SecureChannel;
using CommissioningActors.Protocol.Matter.Tlv;
using Xunit;

namespace CommissioningActors.Core.Tests.Matter.Nodes;

/// <summary>Node manager tests' setup: a probe for the fabric registry and fake sessions the test plays.</summary>
public abstract class NodeTestBase : TestKit
{
    protected static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);
    protected static readonly AttributePath OnOff = new(1, 6, 0);
    protected TestProbe Fabric { get; }
    protected TestProbe Sessions { get; }

    protected NodeTestBase()
    {
        Fabric = CreateTestProbe("fabric");
        Sessions = CreateTestProbe("sessions");
    }

    protected static NodeRecord Node(ulong id, params string[] addresses) =>
        new(id, 0xFFF1, 0x8000, null, "udp", addresses, DateTimeOffset.UnixEpoch, null);

    protected IActorRef Manager(NodeManagerSettings? settings = null, IActorRef? resolver = null) =>
        Sys.ActorOf(NodeManagerActor.Props(Fabric, ActorRefs.Nobody, (channel, owner, _) =>
            Props.Create(() => new FakeSession(channel, owner, Sessions)), settings ?? new NodeManagerSettings(), resolver));

    /// <summary>Answers the manager's GetNode for <paramref name="node"/>.</summary>
    protected async Task Found(NodeRecord node)
    {
        await Fabric.ExpectMsgAsync<GetNode>(g => g.NodeId == node.NodeId, Wait);
        Fabric.Reply(new NodeFound(node, true));
    }

    protected async Task<FakeSession.Started> Opened()
    {
        var started = await Sessions.ExpectMsgAsync<FakeSession.Started>(Wait);
        started.Owner.Tell(new SessionReady(1, 2, SecureSessionParameters.Defaults, []), started.Session);
        return started;
    }

    protected static ConversationMessage Report(long id, bool value, bool more = false, AttributePath? path = null) =>
        new(id, MatterProtocolId.InteractionModel, (byte)InteractionModelOpcode.ReportData, new ReportDataMessage(
            [AttributeReportIB.Of(new AttributeDataIB(path ?? OnOff, new TlvElement(TlvTag.Context(2), value ? TlvBool.True : TlvBool.False)))],
            MoreChunkedMessages: more).Encode());
}
