using System.Diagnostics;
using CommissioningActors.Protocol.Matter.Btp;

namespace CommissioningActors.Simulator;

/// <summary>
/// The device's end of one link's BTP session: the shared <see cref="BtpSession"/> in the peripheral role, its
/// timers on a <see cref="Timer"/>, packets out as indications, whole messages to the <see cref="IMatterDeviceLink"/>.
/// One step at a time (a gate), so packets leave in the order the session produced them.
/// </summary>
internal sealed class DeviceBtp : IDisposable
{
    private static readonly Stopwatch Clock = Stopwatch.StartNew();

    private readonly BtpSession _session;
    private readonly Func<byte[], Task> _indicate;
    private readonly Action<string> _log;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Timer _timer;
    private readonly string _name;
    private IMatterDeviceLink? _link;
    private bool _stopped;

    public DeviceBtp(SimulatedConnection connection, Func<byte[], Task> indicate, MatterDeviceLinkFactory? links,
        Func<string, Task> drop, Action<string> log)
    {
        _session = BtpSession.Peripheral((ushort)Math.Clamp(connection.Mtu, 0, ushort.MaxValue));
        _indicate = indicate;
        _log = log;
        _name = $"handle {connection.Handle}";
        _timer = new Timer(_ => _ = StepAsync(now => _session.OnTimer(now)));
        _link = links?.Invoke(connection.Device, SendAsync);
        _link?.OnAttached(drop);
    }

    /// <summary>A C1 write: the handshake request first, then data packets.</summary>
    public Task ReceiveAsync(byte[] packet) => StepAsync(now => _session.Receive(packet, now));

    public async Task<bool> SendAsync(ReadOnlyMemory<byte> message) => await StepAsync(now => _session.Send(message, now)).ConfigureAwait(false);

    /// <summary>The link is gone: no more timers, packets or messages.</summary>
    public void Dispose()
    {
        IMatterDeviceLink? link;
        lock (_timer)
        {
            if (_stopped)
            {
                return;
            }

            _stopped = true;
            link = _link;
            _link = null;
        }

        _timer.Dispose();
        link?.OnClosed("disconnected");
    }

    private async Task<bool> StepAsync(Func<TimeSpan, IReadOnlyList<BtpOutput>> step)
    {
        List<byte[]> messages = [];
        string? closed = null;
        var accepted = true;
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_stopped)
            {
                return false;
            }

            foreach (var output in step(Clock.Elapsed))
            {
                switch (output)
                {
                    case BtpTransmit transmit:
                        await _indicate(transmit.Packet).ConfigureAwait(false);
                        break;
                    case BtpMessageReceived received:
                        messages.Add(received.Message);
                        break;
                    case BtpSendRejected rejected:
                        accepted = false;
                        _log($"BTP send refused on {_name}: {rejected.Reason}");
                        break;
                    case BtpSessionClosed end:
                        closed = $"{end.Reason}: {end.Message}";
                        break;
                }
            }

            Arm();
        }
        finally
        {
            _gate.Release();
        }

        var link = _link;
        foreach (var message in messages)
        {
            link?.OnMessage(message);
        }

        if (closed is not null)
        {
            _log($"BTP session on {_name} closed: {closed}");
            link?.OnClosed(closed);
            _link = null;
        }

        return accepted && closed is null;
    }

    private void Arm()
    {
        lock (_timer)
        {
            if (_stopped)
            {
                return;
            }

            var due = _session.NextDeadline is { } deadline ? Max(deadline - Clock.Elapsed, TimeSpan.Zero) : Timeout.InfiniteTimeSpan;
            _timer.Change(due, Timeout.InfiniteTimeSpan);
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
