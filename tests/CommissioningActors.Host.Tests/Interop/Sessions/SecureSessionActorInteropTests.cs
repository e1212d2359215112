using Akka.Actor;
using CommissioningActors.Core.Matter.Sessions;
using CommissioningActors.Core.Matter.Transport;
using CommissioningActors.Protocol.Matter.InteractionModel;
using CommissioningActors.Protocol.Matter.Messages;
using CommissioningActors.Protocol.Matter.SecureChannel;

namespace CommissioningActors.Host.Tests.Interop.Sessions;

/// <summary>
/// The production actors (UDP transport, secure session) against a real matter.js device on loopback:
/// PASE with MRP on the unsecured session, then a secured Interaction Model read through SendRequest.
/// </summary>
public sealed class SecureSessionActorInteropTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Pase_through_the_session_actor_then_a_secured_read_returns_the_vendor_name()
    {
        const uint passcode = 20202041;
        await using var device = await MatterJsDevice.StartAsync(new MatterJsDeviceOptions { Passcode = passcode, Discriminator = 111 });
        var transport = Sys.ActorOf(UdpTransportActor.Props());
        var session = Sys.ActorOf(SecureSessionActor.Props(new UdpMatterChannel(transport, device.EndPoint), TestActor, passcode));
        Watch(session);

        var ready = await ExpectMsgAsync<SessionReady>(Step);
        Assert.NotEqual(0, ready.PeerSessionId);

        var read = new ReadRequestMessage([new AttributePath(0, 0x28, 1)], FabricFiltered: true).Encode();
        session.Tell(new SendRequest(7, MatterProtocolId.InteractionModel, (byte)InteractionModelOpcode.ReadRequest, read));
        var reply = await ExpectMsgAsync<RequestSucceeded>(Step);

        Assert.Equal(7, reply.RequestId);
        Assert.Equal((byte)InteractionModelOpcode.ReportData, reply.Opcode);
        var report = ReportDataMessage.Decode(reply.Payload.Span);
        Assert.True(report.IsOk, report.Error?.ToString());
        Assert.Equal("matter.js fixture", Assert.Single(report.Value!.AttributeReports).Data!.Data.AsString());

        session.Tell(CloseSecureSession.Instance);
        await ExpectTerminatedAsync(session, Step);
    }

    [Fact]
    public async Task A_wrong_passcode_fails_establishment_without_the_passcode_and_stops_the_session()
    {
        const uint passcode = 20202042;
        const uint wrong = 20202098;
        await using var device = await MatterJsDevice.StartAsync(new MatterJsDeviceOptions { Passcode = passcode, Discriminator = 112 });
        var transport = Sys.ActorOf(UdpTransportActor.Props());
        var session = Sys.ActorOf(SecureSessionActor.Props(new UdpMatterChannel(transport, device.EndPoint), TestActor, wrong));
        Watch(session);

        var failed = await ExpectMsgAsync<SessionEstablishmentFailed>(Step);
        await ExpectTerminatedAsync(session, Step);

        Assert.Equal(SessionFailureKind.WrongPasscode, failed.Kind);
        Assert.DoesNotContain(wrong.ToString(), failed.ToString());
        Assert.DoesNotContain(passcode.ToString(), failed.ToString());

        // The same transport serves a second session: the first one's routes went with it.
        var retry = Sys.ActorOf(SecureSessionActor.Props(new UdpMatterChannel(transport, device.EndPoint), TestActor, passcode));
        await ExpectMsgAsync<SessionReady>(Step);
        retry.Tell(CloseSecureSession.Instance);
    }
}
