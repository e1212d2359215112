using System.Text.Json;
using System.Threading.Channels;
using Akka.Actor;
using CommissioningActors.Core.Proxies;
using CommissioningActors.Protocol.BleProxy;
using CommissioningActors.Protocol.Matter;

namespace CommissioningActors.Host.Tests.Interop.Btp;

/// <summary>
/// Plays the proxy session for a <c>BleConnectionActor</c> with matter.js's BtpSessionHandler (btp-peer.mjs,
/// peripheral role) as the device: the GATT steps are answered here as a proxy would, the handshake write and
/// every 0x01 write go to matter.js as packets in order, and matter.js's packets come back as 0x02 notifications.
/// </summary>
public sealed class MatterJsBleBridge : ReceiveActor
{
    public const int Handle = 1;
    public const int AttMtu = 23;

    private readonly JsonLineProcess _peer;
    private readonly Channel<string> _toPeer = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private IActorRef _connection = ActorRefs.Nobody;
    private int _writes;
    private int _maxWrite;

    public MatterJsBleBridge(JsonLineProcess peer, int afterReady)
    {
        _peer = peer;
        Receive<ExecuteBleCommand>(execute =>
        {
            _connection = Sender;
            BleCommandResult result = execute.Command switch
            {
                Connect => new ConnectResult(Handle, AttMtu),
                RequestMtu => new MtuResult(AttMtu),
                DiscoverServices => new ServicesResult([MatterBle.ServiceUuid]),
                DiscoverCharacteristics => new CharacteristicsResult(
                    [new(MatterBle.C1WriteUuid, ["write"]), new(MatterBle.C2IndicateUuid, ["indicate"])]),
                _ => EmptyResult.Instance,
            };
            if (execute.Command is WriteAndSubscribe handshake)
            {
                ToPeer(handshake.WriteValue);
            }

            Sender.Tell(new BleCommandSucceeded(execute.Command, result, execute.Correlation));
        });
        Receive<WriteBtpData>(write =>
        {
            _writes++;
            _maxWrite = Math.Max(_maxWrite, write.Payload.Length);
            ToPeer(write.Payload);
        });
        Receive<FromPeer>(packet => _connection.Tell(new ConnectionNotification(Handle, MatterBle.C2IndicateUuid, packet.Bytes)));
        Receive<GetBridgeCounts>(_ => Sender.Tell(new BridgeCounts(_writes, _maxWrite)));
        ReceiveAny(_ => { }); // ReleaseConnection and the like: the link simply ends with the test

        var self = Self;
        _ = Task.Run(() => PumpToPeerAsync(_stop.Token));
        _ = Task.Run(() => PumpFromPeerAsync(self, afterReady, _stop.Token));
    }

    public static Props Props(JsonLineProcess peer, int afterReady) =>
        Akka.Actor.Props.Create(() => new MatterJsBleBridge(peer, afterReady));

    protected override void PostStop()
    {
        _toPeer.Writer.TryComplete();
        _stop.Cancel();
    }

    private void ToPeer(byte[] packet) =>
        _toPeer.Writer.TryWrite(JsonSerializer.Serialize(new { op = "packet", hex = Convert.ToHexStringLower(packet) }));

    // One writer, in order: the BLE link is ordered.
    private async Task PumpToPeerAsync(CancellationToken stop)
    {
        try
        {
            await foreach (var line in _toPeer.Reader.ReadAllAsync(stop))
            {
                await _peer.SendAsync(line);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // The test is over or the process ended; its events say why.
        }
    }

    private async Task PumpFromPeerAsync(IActorRef self, int cursor, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var e = await _peer.WaitForAsync(_ => true, TimeSpan.FromMinutes(5), after: cursor);
                cursor++;
                if (JsonLineProcess.Is(e, "packet"))
                {
                    self.Tell(new FromPeer(Convert.FromHexString(e.GetProperty("hex").GetString()!)));
                }
            }
            catch (Exception)
            {
                return; // exited or the test ended: the test's own assertions report it
            }
        }
    }

    private sealed record FromPeer(byte[] Bytes);
}

public sealed record GetBridgeCounts
{
    public static readonly GetBridgeCounts Instance = new();
}

/// <summary>0x01 writes our connection made (data and standalone acks) and the largest one.</summary>
public sealed record BridgeCounts(int Writes, int LargestWrite);
