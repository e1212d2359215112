using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using CommissioningActors.Core.Connections;
using CommissioningActors.Core.Gate;
using CommissioningActors.Core.Proxies;
using CommissioningActors.Protocol.BleProxy;

namespace CommissioningActors.Core.Tests.Connections;

/// <summary>
/// The storm benchmark's finding: a loser stopped while its connect was in flight gave its lease back while
/// the proxy still held the slot, so the next connect was refused. A cancelled connection keeps the lease
/// until the proxy has answered the connect (and the handle is disconnected).
/// </summary>
public sealed class CancelConnectionTests : TestKit
{
    private readonly TestProbe _parent;
    private readonly TestProbe _session;
    private readonly TestProbe _gate;

    public CancelConnectionTests()
    {
        _parent = CreateTestProbe("parent");
        _session = CreateTestProbe("session");
        _gate = CreateTestProbe("gate");
        _parent.IgnoreMessages<ConnectionProgress>();
    }

    private IActorRef InFlight()
    {
        var connection = _parent.ChildActorOf(BleConnectionActor.Props(
            new ConnectionTarget("AA:BB:CC:DD:EE:01", "proxy-1", _session.Ref, _gate.Ref, null), ConnectionSettings.Default));
        Watch(connection);
        _gate.ExpectMsg<RequestSlot>();
        _gate.Reply(new SlotGranted("proxy-1", 1, 0));
        Assert.IsType<Connect>(_session.ExpectMsg<ExecuteBleCommand>().Command);
        return connection;
    }

    [Fact]
    public void Cancelled_while_connecting_it_holds_the_lease_until_the_connect_is_answered_then_disconnects()
    {
        var connection = InFlight();
        connection.Tell(new CancelConnection("attempt ended"));
        ExpectNoMsg(TimeSpan.FromMilliseconds(300)); // still alive: the proxy still holds the slot

        _session.Reply(new BleCommandSucceeded(new Connect("AA:BB:CC:DD:EE:01"), new ConnectResult(9, 23), null));

        Assert.Equal(new ReleaseConnection(9), _session.ExpectMsg<ReleaseConnection>());
        ExpectTerminated(connection);
        _parent.ExpectNoMsg(TimeSpan.FromMilliseconds(100)); // nothing more is reported to the ended attempt
    }

    [Fact]
    public void Cancelled_while_connecting_it_stops_when_the_connect_fails()
    {
        var connection = InFlight();
        connection.Tell(new CancelConnection("attempt ended"));
        _session.Reply(new BleCommandFailed(new Connect("AA:BB:CC:DD:EE:01"), new BleProxyError(BleErrorCodes.Timeout, "t"), null));
        ExpectTerminated(connection);
        _session.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void Cancelled_while_queued_it_stops_at_once()
    {
        var connection = _parent.ChildActorOf(BleConnectionActor.Props(
            new ConnectionTarget("AA:BB:CC:DD:EE:01", "proxy-1", _session.Ref, _gate.Ref, null), ConnectionSettings.Default));
        Watch(connection);
        _gate.ExpectMsg<RequestSlot>();
        connection.Tell(new CancelConnection("attempt ended"));
        ExpectTerminated(connection);
    }
}
