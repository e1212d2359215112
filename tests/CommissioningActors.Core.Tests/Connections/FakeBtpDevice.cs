using Akka.Actor;
using Akka.TestKit;
using CommissioningActors.Core.Proxies;
using CommissioningActors.Protocol.BleProxy;
using CommissioningActors.Protocol.Matter.Btp;

namespace CommissioningActors.Core.Tests.Connections;

/// <summary>The device got a whole message over BTP.</summary>
public sealed record DeviceReceived(byte[] Message);

/// <summary>The device sends a whole message over BTP.</summary>
public sealed record DeviceSend(byte[] Message);

/// <summary>The device stops answering anything (a radio gone quiet): no acks, no data.</summary>
public sealed record DeviceGoSilent;

/// <summary>The device sends these raw bytes as one indication (bad packets).</summary>
public sealed record DeviceIndicateRaw(byte[] Packet);

/// <summary>
/// Plays the proxy session for a <c>BleConnectionActor</c> under test: GATT commands and releases go on to a
/// probe (forwarded, so the probe's replies reach the connection), while the device side of BTP runs here with
/// the shared peripheral <see cref="BtpSession"/> and its own timers.
/// </summary>
public sealed class FakeBtpDevice : ReceiveActor, IWithTimers
{
    private readonly BtpSessionOptions _options;
    private readonly ushort _linkAttMtu;
    private readonly IActorRef _inbox;
    private BtpSession? _btp;
    private IActorRef _connection = ActorRefs.Nobody;
    private int _handle;
    private bool _silent;

    public FakeBtpDevice(TestProbe gatt, IActorRef inbox, ushort linkAttMtu, BtpSessionOptions options)
    {
        _inbox = inbox;
        _linkAttMtu = linkAttMtu;
        _options = options;
        Receive<ExecuteBleCommand>(command =>
        {
            if (command.Command is WriteAndSubscribe handshake)
            {
                _connection = Sender;
                _handle = handshake.ConnectionHandle;
                _btp = BtpSession.Peripheral(_linkAttMtu, _options);
                CarryOut(_btp.Receive(handshake.WriteValue, Now));
            }

            gatt.Forward(command);
        });
        Receive<WriteBtpData>(write =>
        {
            if (!_silent && _btp is not null)
            {
                CarryOut(_btp.Receive(write.Payload, Now));
            }
        });
        Receive<DeviceSend>(send => CarryOut(_btp!.Send(send.Message, Now)));
        Receive<DeviceGoSilent>(_ => _silent = true);
        Receive<DeviceIndicateRaw>(raw => _connection.Tell(new ConnectionNotification(_handle, null, raw.Packet)));
        Receive<Tick>(_ =>
        {
            if (!_silent && _btp is not null)
            {
                CarryOut(_btp.OnTimer(Now));
            }
        });
        ReceiveAny(other => gatt.Forward(other));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(TestProbe gatt, IActorRef inbox, ushort linkAttMtu, BtpSessionOptions options) =>
        Akka.Actor.Props.Create(() => new FakeBtpDevice(gatt, inbox, linkAttMtu, options));

    private static TimeSpan Now => TimeSpan.FromMilliseconds(Environment.TickCount64);

    private void CarryOut(IReadOnlyList<BtpOutput> outputs)
    {
        foreach (var output in outputs)
        {
            switch (output)
            {
                case BtpTransmit transmit:
                    _connection.Tell(new ConnectionNotification(_handle, null, transmit.Packet));
                    break;
                case BtpMessageReceived received:
                    _inbox.Tell(new DeviceReceived(received.Message));
                    break;
                case BtpSendRejected or BtpSessionClosed:
                    _inbox.Tell(output);
                    break;
            }
        }

        if (_btp?.NextDeadline is { } deadline)
        {
            var delay = deadline - Now;
            Timers.StartSingleTimer("btp", new Tick(), delay > TimeSpan.Zero ? delay : TimeSpan.Zero);
        }
        else
        {
            Timers.Cancel("btp");
        }
    }

    private sealed record Tick;
}
