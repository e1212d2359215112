using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using CommissioningActors.Core.Matter.Commissioning;
using CommissioningActors.Core.Matter.Fabric;
using CommissioningActors.Core.Matter.Resolution;
using CommissioningActors.Core.Matter.Sessions;
using CommissioningActors.Core.Matter.Transport;
using CommissioningActors.Core.Storage;
using CommissioningActors.Protocol.Matter.Certificates;
using CommissioningActors.Protocol.Matter.InteractionModel;
using CommissioningActors.Protocol.Matter.Messages;
using CommissioningActors.Protocol.Matter.SecureChannel;
using CommissioningActors.Protocol.Matter.Tlv;
using Microsoft.Data.Sqlite;

namespace CommissioningActors.Host.Tests.Interop.Sessions;

/// <summary>
/// The commissioning flow actor against a real matter.js device: PASE, initial data, ArmFailSafe, attestation
/// (DAC -> PAI -> the development PAA), CSR, AddTrustedRootCertificate, AddNOC, CASE with the new node and
/// CommissioningComplete over it; the node is saved and answers a fresh CASE session. A failure at CASE rolls
/// back (ArmFailSafe 0 over PASE) and the device commissions on the next try.
/// </summary>
public sealed class CommissioningFlowInteropTests() : Akka.TestKit.Xunit2.TestKit(StoreDispatcher), IDisposable
{
    private const string StoreDispatcher = """
        commissioning.store-dispatcher {
          type = ForkJoinDispatcher
          throughput = 100
          dedicated-thread-pool { thread-count = 1 }
        }
        """;

    private static readonly TimeSpan Step = TimeSpan.FromSeconds(20);
    private long _requests;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "ca-flow-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task The_flow_commissions_a_device_that_then_answers_a_fresh_case_session_on_our_fabric()
    {
        const uint passcode = 20202051;
        await using var device = await MatterJsDevice.StartAsync(new MatterJsDeviceOptions { Passcode = passcode, Discriminator = 121 });
        using var trust = PaaTrustStore.Load();
        var transport = Sys.ActorOf(UdpTransportActor.Props());
        var fabric = Sys.ActorOf(FabricActor.Props(new FabricStore(ServiceDatabase.Open(_directory))));

        var flow = Sys.ActorOf(CommissioningFlowActor.Props(new UdpMatterChannel(transport, device.EndPoint), passcode, fabric, trust, TestActor,
            new FlowSettings { Label = "hall light" }));
        Watch(flow);
        var (lines, outcome) = await Collect();
        await ExpectTerminatedAsync(flow, Step);

        var text = string.Join("\n", lines.Select(l => $"{l.Step}: {l.Text}"));
        var succeeded = Assert.IsType<FlowSucceeded>(outcome);
        Assert.Contains("AddNoc: operational certificate added: node id", text);
        Assert.Contains($"Case: CASE session established with node {succeeded.NodeId}", text);
        Assert.Contains("CommissioningComplete: commissioning complete: the device is on our fabric", text);
        Assert.DoesNotContain(passcode.ToString(), text);

        // The registry has it, with what the device told us and where it answered.
        fabric.Tell(new GetNode(succeeded.NodeId));
        var found = await ExpectMsgAsync<NodeFound>(Step);
        Assert.Equal((ushort)0xFFF1, found.Node.VendorId);
        Assert.Equal((ushort)0x8000, found.Node.ProductId);
        Assert.Equal("hall light", found.Node.Label);
        Assert.Equal("udp", found.Node.Transport);
        Assert.Equal(new[] { $"udp {device.EndPoint}" }, found.Node.Addresses);
        Assert.True(found.Available);

        // The device itself reports exactly one fabric: ours, with the node id we gave it.
        fabric.Tell(GetControllerCredentials.Instance);
        var credentials = await ExpectMsgAsync<ControllerCredentials>(Step);
        var reported = Assert.Single(await device.GetFabricsAsync());
        Assert.Equal(credentials.FabricId.ToString(), reported.FabricId);
        Assert.Equal(succeeded.NodeId.ToString(), reported.NodeId);

        // A new CASE session (not the flow's) reads the node.
        var session = Sys.ActorOf(SecureSessionActor.CaseProps(new UdpMatterChannel(transport, device.EndPoint), TestActor, credentials, succeeded.NodeId));
        await ExpectMsgAsync<SessionReady>(Step);
        var vendorName = await ReadAsync(session, new AttributePath(0, 0x28, 1));
        Assert.Equal("matter.js fixture", Assert.Single(vendorName).Data.AsString());

        var fabrics = await ReadAsync(session, new AttributePath(0, 0x3E, 1), new AttributePath(0, 0x3E, 5));
        var descriptors = fabrics.Where(d => d.Path.Attribute == 1)
            .SelectMany(d => d.Data.AsContainer() is { } items && d.Data.Value is TlvContainer { Kind: TlvContainerKind.Array } ? items : [d.Data])
            .ToList();
        var ours = Assert.Single(descriptors);
        Assert.Equal(credentials.FabricId, ours[3]?.AsUnsigned());
        Assert.Equal(succeeded.NodeId, ours[4]?.AsUnsigned());
        Assert.Equal(credentials.RootCertificate.PublicKey, ours[1]?.AsBytes()?.ToArray());
        var current = Assert.Single(fabrics, d => d.Path.Attribute == 5).Data.AsUnsigned();
        Assert.Equal(ours[0xFE]?.AsUnsigned(), current);
        Assert.NotEqual(0UL, current);

        Watch(session);
        session.Tell(CloseSecureSession.Instance);
        await ExpectTerminatedAsync(session, Step);

        // CASE to a node id the device does not hold: matter.js finds no fabric for the destination id.
        var stranger = Sys.ActorOf(SecureSessionActor.CaseProps(new UdpMatterChannel(transport, device.EndPoint), TestActor, credentials, succeeded.NodeId + 1));
        Watch(stranger);
        var refused = await ExpectMsgAsync<SessionEstablishmentFailed>(Step);
        await ExpectTerminatedAsync(stranger, Step);
        Assert.Equal(SessionFailureKind.PeerRejected, refused.Kind);
        Assert.Contains("no trusted root", refused.Reason);
    }

    [Fact]
    public async Task A_flow_failing_at_case_rolls_back_and_the_same_device_then_commissions_through_the_resolver()
    {
        const uint passcode = 20202053;
        await using var device = await MatterJsDevice.StartAsync(new MatterJsDeviceOptions { Passcode = passcode, Discriminator = 123 });
        using var trust = PaaTrustStore.Load();
        var transport = Sys.ActorOf(UdpTransportActor.Props());
        var fabric = Sys.ActorOf(FabricActor.Props(new FabricStore(ServiceDatabase.Open(_directory))));
        var resolver = CreateTestProbe();
        var closed = ClosedLoopbackPort();

        // The resolver sends CASE to a port nobody answers and the fallback is off: CASE fails, the flow disarms.
        var flow = Sys.ActorOf(CommissioningFlowActor.Props(new UdpMatterChannel(transport, device.EndPoint), passcode, fabric, trust, TestActor,
            new FlowSettings { Resolver = resolver, FallBackToCommissioningAddress = false }));
        Watch(flow);
        var resolve = await resolver.ExpectMsgAsync<ResolveOperational>(Step);
        resolver.Reply(new OperationalResolved(resolve.CompressedFabricId, resolve.NodeId, [closed]));
        var (lines, outcome) = await Collect(TimeSpan.FromSeconds(60));
        await ExpectTerminatedAsync(flow, Step);

        var failed = Assert.IsType<FlowFailed>(outcome);
        var text = string.Join("\n", lines.Select(l => $"{l.Step}: {l.Text}"));
        Assert.Equal(FlowStep.Case, failed.Step);
        Assert.Equal("commissioning_failed", failed.ErrorCode);
        Assert.StartsWith("CASE failed: ", failed.Reason);
        Assert.Contains($"Case: establishing CASE with node {resolve.NodeId} at udp {closed}", text);
        Assert.Contains("fail-safe disarmed: the device is commissionable again", text);

        // The same device commissions now; this time the resolver points at it.
        var retry = Sys.ActorOf(CommissioningFlowActor.Props(new UdpMatterChannel(transport, device.EndPoint), passcode, fabric, trust, TestActor,
            new FlowSettings { Resolver = resolver, FallBackToCommissioningAddress = false }));
        resolve = await resolver.ExpectMsgAsync<ResolveOperational>(Step);
        resolver.Reply(new OperationalResolved(resolve.CompressedFabricId, resolve.NodeId, [device.EndPoint]));
        (lines, outcome) = await Collect();

        var succeeded = Assert.IsType<FlowSucceeded>(outcome);
        Assert.Equal(resolve.NodeId, succeeded.NodeId);
        Assert.Contains(lines, l => l.Text == $"node {resolve.NodeId} found at {device.EndPoint}");
        Assert.Equal(succeeded.NodeId.ToString(), Assert.Single(await device.GetFabricsAsync()).NodeId);
        fabric.Tell(GetControllerCredentials.Instance);
        Assert.Equal((await ExpectMsgAsync<ControllerCredentials>(Step)).CompressedFabricId, resolve.CompressedFabricId);
    }

    [Fact]
    public async Task A_wrong_passcode_fails_the_flow_at_pase_without_the_passcode()
    {
        const uint passcode = 20202052;
        const uint wrong = 20202097;
        await using var device = await MatterJsDevice.StartAsync(new MatterJsDeviceOptions { Passcode = passcode, Discriminator = 122 });
        using var trust = PaaTrustStore.Load();
        var transport = Sys.ActorOf(UdpTransportActor.Props());
        var fabric = Sys.ActorOf(FabricActor.Props(new FabricStore(ServiceDatabase.Open(_directory))));

        Sys.ActorOf(CommissioningFlowActor.Props(new UdpMatterChannel(transport, device.EndPoint), wrong, fabric, trust, TestActor));
        var (lines, outcome) = await Collect();

        var failed = Assert.IsType<FlowFailed>(outcome);
        Assert.Equal(FlowStep.Pase, failed.Step);
        Assert.Equal("pase_failed", failed.ErrorCode);
        Assert.Contains("the device rejected the passcode", failed.Reason);
        var text = string.Join("\n", lines.Select(l => l.Text)) + failed;
        Assert.DoesNotContain(wrong.ToString(), text);
        Assert.DoesNotContain(passcode.ToString(), text);
    }

    private async Task<(List<FlowLine> Lines, object Outcome)> Collect(TimeSpan? within = null)
    {
        var lines = new List<FlowLine>();
        while (true)
        {
            var message = await ExpectMsgAsync<object>(within ?? Step);
            switch (message)
            {
                case FlowLine line:
                    lines.Add(line);
                    break;
                case FlowFailed or FlowSucceeded:
                    return (lines, message);
                default:
                    Assert.Fail($"unexpected {message}; lines so far: {string.Join(" | ", lines)}");
                    break;
            }
        }
    }

    private async Task<List<AttributeDataIB>> ReadAsync(IActorRef session, params AttributePath[] paths)
    {
        var id = Interlocked.Increment(ref _requests);
        session.Tell(new SendRequest(id, MatterProtocolId.InteractionModel, (byte)InteractionModelOpcode.ReadRequest,
            new ReadRequestMessage(paths, FabricFiltered: true).Encode()));
        var reply = await ExpectMsgAsync<RequestSucceeded>(Step);
        Assert.Equal(id, reply.RequestId);
        var report = ReportDataMessage.Decode(reply.Payload.Span);
        Assert.True(report.IsOk, report.Error?.ToString());
        return [.. report.Value!.AttributeReports.Select(r => r.Data).OfType<AttributeDataIB>()];
    }

    /// <summary>A loopback UDP port that was free a moment ago and that nothing listens on.</summary>
    private static IPEndPoint ClosedLoopbackPort()
    {
        using var socket = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        return (IPEndPoint)socket.Client.LocalEndPoint!;
    }

    void IDisposable.Dispose()
    {
        Dispose();
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
