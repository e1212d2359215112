using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using CommissioningActors.Core.Connections;
using CommissioningActors.Core.Matter.Sessions;
using CommissioningActors.Core.Proxies;
using CommissioningActors.Host.Tests.Support;
using CommissioningActors.Protocol.Matter.InteractionModel;
using CommissioningActors.Protocol.Matter.Messages;
using CommissioningActors.Simulator;
using CommissioningActors.Simulator.Matter;

namespace CommissioningActors.Host.Tests.EndToEnd;

/// <summary>
/// The BTP channel end to end: the host's /ble proxy session and BleConnectionActor, the simulator's GATT
/// server running BTP on the device side, and a <see cref="SimulatedMatterDevice"/> behind it (wired here, in
/// test code). PASE and Interaction Model reads run over the channel with the production SecureSessionActor.
/// </summary>
public sealed class BtpChannelEndToEndTests
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(20);

    private static readonly SimulatorOptions Fast = new()
    {
        Latencies = new SimulatorLatencies { AdvertisementInterval = TimeSpan.FromMilliseconds(50) },
    };

    /// <summary>The device side of one BTP link: whole messages into the simulated device, its answers back out.</summary>
    private sealed class DeviceOverBtp(SimulatedMatterDevice device, MatterDeviceSend send) : IMatterDeviceLink, IMatterDeviceTransport
    {
        private volatile bool _deaf;

        public TaskCompletionSource<string> Closed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool IsReliable => true;

        /// <summary>From now on the device takes messages in but never answers (a request stays pending).</summary>
        public void GoDeaf() => _deaf = true;

        public void Send(ReadOnlyMemory<byte> message) => _ = send(message.ToArray());

        public void OnMessage(ReadOnlyMemory<byte> message)
        {
            if (!_deaf)
            {
                device.Receive(this, message);
            }
        }

        public void OnClosed(string reason)
        {
            device.Forget(this);
            Closed.TrySetResult(reason);
        }
    }

    private sealed record Rig(TestHost Host, SimulatedProxy Proxy, SimulatedMatterDevice Device, Func<DeviceOverBtp> Link) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Proxy.DisposeAsync();
            Device.Dispose();
            await Host.DisposeAsync();
        }
    }

    private static async Task<Rig> StartAsync(uint passcode)
    {
        var host = await TestHost.StartAsync();
        var device = new SimulatedMatterDevice(new SimulatedDeviceOptions { Passcode = passcode, VendorName = "BLE Vendor" });
        DeviceOverBtp? link = null;
        var proxy = await SimulatedProxy.ConnectAsync(new UriBuilder(host.Ble) { Query = "name=sim-btp" }.Uri,
            Fast with { DeviceLinks = (_, send) => link = new DeviceOverBtp(device, send) });
        return new Rig(host, proxy, device, () => link!);
    }

    private static async Task<ProxyInfo> ReadyProxyAsync(TestHost host)
    {
        var proxies = await host.ActorAsync<ProxyManagerActor>();
        var list = await Eventually.GetAsync(() => proxies.Ask<ProxyList>(GetProxies.Instance),
            l => l.Proxies.Any(p => p.Name == "sim-btp" && p.Ready), what: "proxy sim-btp ready");
        return list.Proxies.Single(p => p.Name == "sim-btp");
    }

    /// <summary>A connection actor whose parent is a probe, so nothing cancels it when it is established.</summary>
    private static async Task<(TestProbe Parent, IActorRef Connection, BtpMatterChannel Channel, int Handle)> OpenChannelAsync(Rig rig)
    {
        var info = await ReadyProxyAsync(rig.Host);
        var parent = new TestProbe(rig.Host.System, new XunitAssertions());
        var connection = parent.ChildActorOf(BleConnectionActor.Props(
            new ConnectionTarget(DefaultDevices.All[0].Addresses[1], info.Id, info.Session, info.Gate!, null), ConnectionSettings.Default));
        var outcome = await parent.FishForMessageAsync(m => m is ConnectionEstablished or ConnectionFailed, Step);
        var established = Assert.IsType<ConnectionEstablished>(outcome);
        parent.Watch(connection);
        return (parent, connection, Assert.IsType<BtpMatterChannel>(established.Channel), established.ConnectionHandle);
    }

    private static SendRequest Read(long id, params AttributePath[] paths) => new(id, MatterProtocolId.InteractionModel,
        (byte)InteractionModelOpcode.ReadRequest, new ReadRequestMessage(paths, FabricFiltered: true).Encode());

    [Fact]
    public async Task Pase_and_reads_run_over_the_btp_channel_through_a_real_ble_proxy_session()
    {
        const uint passcode = 20202071;
        await using var rig = await StartAsync(passcode);
        var (parent, connection, channel, _) = await OpenChannelAsync(rig);
        var system = rig.Host.System;

        var owner = new TestProbe(system, new XunitAssertions());
        var session = system.ActorOf(SecureSessionActor.Props(channel, owner.Ref, passcode));
        owner.Watch(session);
        var ready = await owner.ExpectMsgAsync<SessionReady>(Step);
        Assert.NotEqual(0, ready.PeerSessionId);
        Assert.Equal(1, rig.Device.SecureSessionCount);

        session.Tell(Read(1, new AttributePath(0, 0x28, 1)), owner.Ref);
        var reply = await owner.ExpectMsgAsync<RequestSucceeded>(Step);
        var report = ReportDataMessage.Decode(reply.Payload.Span);
        Assert.True(report.IsOk, report.Error?.ToString());
        Assert.Equal("BLE Vendor", Assert.Single(report.Value!.AttributeReports).Data!.Data.AsString());

        // A whole cluster: a report larger than one 244-byte BTP segment.
        session.Tell(Read(2, new AttributePath(0, 0x28, null)), owner.Ref);
        var big = await owner.ExpectMsgAsync<RequestSucceeded>(Step);
        Assert.True(big.Payload.Length > 244, $"a {big.Payload.Length}-byte report fits one segment");
        Assert.True(ReportDataMessage.Decode(big.Payload.Span).IsOk);

        // The link ends under a pending request: the session hears why at once, not at its 30 s request timeout.
        rig.Link().GoDeaf();
        var before = (await connection.Ask<BtpChannelStatus>(GetBtpChannelStatus.Instance)).Sent;
        session.Tell(Read(3, new AttributePath(0, 0x28, 1)), owner.Ref);
        await Eventually.GetAsync(() => connection.Ask<BtpChannelStatus>(GetBtpChannelStatus.Instance),
            s => s.Sent > before && s.QueuedMessages == 0, what: "the request handed to BTP");
        connection.Tell(new CancelConnection("test finished"));

        var failed = await owner.ExpectMsgAsync<RequestFailed>(Step);
        Assert.Equal((3L, RequestFailureKind.SessionUnavailable), (failed.RequestId, failed.Kind));
        Assert.Contains("test finished", failed.Reason);
        await owner.ExpectTerminatedAsync(session, Step);
        Assert.Equal("disconnected", await rig.Link().Closed.Task.WaitAsync(Step));
        await Eventually.GetAsync(() => Task.FromResult(rig.Proxy.SlotsInUse), n => n == 0, what: "the slot given back");
        // It was cancelled, not failed: its end reaches the parent with no ConnectionFailed before it.
        Assert.IsType<Terminated>(await parent.FishForMessageAsync(m => m is Terminated or ConnectionFailed, Step));
    }

    [Fact]
    public async Task The_device_dropping_the_link_fails_pase_and_the_connection()
    {
        const uint passcode = 20202072;
        await using var rig = await StartAsync(passcode);
        var (parent, connection, channel, handle) = await OpenChannelAsync(rig);
        var system = rig.Host.System;

        rig.Link().GoDeaf(); // PASE starts and hangs
        var owner = new TestProbe(system, new XunitAssertions());
        var session = system.ActorOf(SecureSessionActor.Props(channel, owner.Ref, passcode,
            new SecureSessionOptions { EstablishTimeout = TimeSpan.FromMinutes(5) }));
        owner.Watch(session);
        await Eventually.GetAsync(() => connection.Ask<BtpChannelStatus>(GetBtpChannelStatus.Instance),
            s => s.BoundSessions == 1 && s.Sent >= 1, what: "PBKDFParamRequest sent");

        Assert.True(await rig.Proxy.DropConnectionAsync(handle, "supervision timeout"));
        var failed = await owner.ExpectMsgAsync<SessionEstablishmentFailed>(Step);
        Assert.Contains("supervision timeout", failed.Reason);
        Assert.DoesNotContain(passcode.ToString(), failed.ToString());
        await owner.ExpectTerminatedAsync(session, Step);
        var connectionFailed = Assert.IsType<ConnectionFailed>(await parent.FishForMessageAsync(m => m is ConnectionFailed, Step));
        Assert.Contains("supervision timeout", connectionFailed.Message);
        Assert.IsType<Terminated>(await parent.FishForMessageAsync(m => m is Terminated, Step));
    }
}
