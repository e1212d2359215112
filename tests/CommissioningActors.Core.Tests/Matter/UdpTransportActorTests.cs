using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using CommissioningActors.Core.Matter.Sessions;
using CommissioningActors.Core.Matter.Transport;
using CommissioningActors.Protocol.Matter.Messages;
using Xunit;

namespace CommissioningActors.Core.Tests.Matter;

public sealed class UdpTransportActorTests : TestKit, IDisposable
{
    private readonly Socket _peerA = Peer();
    private readonly Socket _peerB = Peer();

    [Fact]
    public async Task Datagrams_reach_the_session_registered_for_their_peer_and_session_id_and_others_are_dropped()
    {
        var transport = Sys.ActorOf(UdpTransportActor.Props());
        var local = await LocalEndPoint(transport);
        var unsecured = CreateTestProbe();
        var secured = CreateTestProbe();
        transport.Tell(new RegisterSession((IPEndPoint)_peerA.LocalEndPoint!, 0, unsecured.Ref));
        transport.Tell(new RegisterSession((IPEndPoint)_peerA.LocalEndPoint!, 0x1234, secured.Ref));

        await _peerB.SendToAsync(Datagram(0, 1), local); // right session id, wrong peer
        await _peerA.SendToAsync(new byte[] { 0xFF }, local); // not a Matter message
        await _peerA.SendToAsync(Datagram(0x1234, 2), local);
        await _peerA.SendToAsync(Datagram(0, 3), local);

        var first = await secured.ExpectMsgAsync<InboundDatagram>();
        Assert.Equal(0x1234, MessageCodec.DecodePacket(first.Bytes).Value!.Header.SessionId);
        var second = await unsecured.ExpectMsgAsync<InboundDatagram>();
        Assert.Equal(3u, MessageCodec.DecodePacket(second.Bytes).Value!.Header.Counter);
        await AwaitAssertAsync(async () =>
        {
            var status = await transport.Ask<UdpTransportStatus>(GetUdpTransportStatus.Instance);
            Assert.Equal(1, status.DroppedUnknown);
            Assert.Equal(1, status.DroppedMalformed);
            Assert.Equal(2, status.Routed);
        });
    }

    [Fact]
    public async Task A_stopped_session_loses_its_routes()
    {
        var transport = Sys.ActorOf(UdpTransportActor.Props());
        var session = CreateTestProbe();
        transport.Tell(new RegisterSession((IPEndPoint)_peerA.LocalEndPoint!, 0, session.Ref));
        transport.Tell(new RegisterSession((IPEndPoint)_peerA.LocalEndPoint!, 7, session.Ref));
        Assert.Equal(2, (await transport.Ask<UdpTransportStatus>(GetUdpTransportStatus.Instance)).Sessions);

        Watch(session.Ref);
        Sys.Stop(session.Ref);
        await ExpectTerminatedAsync(session.Ref);

        await AwaitAssertAsync(async () =>
            Assert.Equal(0, (await transport.Ask<UdpTransportStatus>(GetUdpTransportStatus.Instance)).Sessions));
    }

    [Fact]
    public async Task Registrations_beyond_the_cap_are_refused()
    {
        var transport = Sys.ActorOf(UdpTransportActor.Props(new UdpTransportOptions { MaxSessions = 1 }));
        var first = CreateTestProbe();
        var second = CreateTestProbe();
        transport.Tell(new RegisterSession((IPEndPoint)_peerA.LocalEndPoint!, 0, first.Ref));
        transport.Tell(new RegisterSession((IPEndPoint)_peerB.LocalEndPoint!, 0, second.Ref));

        var refused = await second.ExpectMsgAsync<SessionRegistrationRefused>();
        Assert.Contains("already routes 1 sessions", refused.Reason);
        Assert.Equal(1, (await transport.Ask<UdpTransportStatus>(GetUdpTransportStatus.Instance)).Sessions);
    }

    [Fact]
    public async Task A_session_whose_peer_never_answers_fails_establishment_at_its_timeout_and_stops()
    {
        var transport = Sys.ActorOf(UdpTransportActor.Props());
        var silent = (IPEndPoint)_peerA.LocalEndPoint!;
        var session = Sys.ActorOf(SecureSessionActor.Props(new UdpMatterChannel(transport, silent), TestActor, 20202021,
            new SecureSessionOptions { EstablishTimeout = TimeSpan.FromSeconds(1) }));
        Watch(session);

        // The peer does receive our PBKDFParamRequest (an unsecured message with MRP's R flag).
        var buffer = new byte[1280];
        var received = await _peerA.ReceiveAsync(buffer, SocketFlags.None);
        var request = MessageCodec.DecodeUnsecured(buffer.AsMemory(0, received).ToArray());
        Assert.True(request.IsOk);
        Assert.True(request.Value!.Exchange.RequiresAck);
        Assert.True(request.Value.Exchange.Is(SecureChannelOpcode.PbkdfParamRequest));

        var failed = await ExpectMsgAsync<SessionEstablishmentFailed>(TimeSpan.FromSeconds(10));
        Assert.Contains("did not finish within 1 s", failed.Reason);
        Assert.DoesNotContain("20202021", failed.ToString());
        await ExpectTerminatedAsync(session);
    }

    private static async Task<IPEndPoint> LocalEndPoint(IActorRef transport) =>
        (await transport.Ask<UdpTransportStatus>(GetUdpTransportStatus.Instance)).LocalEndPoint;

    private static byte[] Datagram(ushort sessionId, uint counter) => MessageCodec.Encode(new MatterMessage(
        new MessageHeader(sessionId, SessionType.Unicast, counter, sessionId == 0 ? 42UL : null, null),
        new ExchangeHeader((byte)SecureChannelOpcode.StandaloneAck, 1, MatterProtocolId.SecureChannel, true, false, null),
        ReadOnlyMemory<byte>.Empty));

    private static Socket Peer()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return socket;
    }

    void IDisposable.Dispose()
    {
        _peerA.Dispose();
        _peerB.Dispose();
        Dispose();
    }
}
