namespace CommissioningActors.Simulator.Matter;

/// <summary>
/// The Matter devices behind a simulator's BLE devices, one <see cref="BleMatterDevice"/> per
/// <see cref="SimulatedDevice"/> (by name), made on its first BTP session and kept across reconnects of the
/// proxy: pass <see cref="Links"/> as <see cref="SimulatorOptions.DeviceLinks"/>. One timer ticks the devices
/// that are not on the network yet (their fail-safe); on the network their UDP host ticks them.
/// </summary>
public sealed class SimulatedMatterFleet : IAsyncDisposable
{
    public static readonly TimeSpan TickInterval = TimeSpan.FromMilliseconds(50);

    private readonly Func<SimulatedDevice, BleDeviceBehaviour> _behaviour;
    private readonly Action<string>? _log;
    private readonly Dictionary<string, BleMatterDevice> _devices = new(StringComparer.Ordinal);
    private readonly Timer _ticks;
    private int _ticking;
    private bool _disposed;

    /// <param name="behaviour">Per device: fault, BLE after ConnectNetwork, network kind; null = defaults for all.</param>
    public SimulatedMatterFleet(Func<SimulatedDevice, BleDeviceBehaviour>? behaviour = null, Action<string>? log = null)
    {
        _behaviour = behaviour ?? (_ => BleDeviceBehaviour.Default);
        _log = log;
        _ticks = new Timer(_ => Tick(), null, TickInterval, TickInterval);
        Links = (device, send) => DeviceFor(device)?.OpenLink(send);
    }

    /// <summary>Raised when a device joins the network (and for fabrics added later), under that device's lock: do not block.</summary>
    public event Action<OperationalAnnouncement>? Announced;

    /// <summary>Raised when an announced fabric goes (fail-safe revert, RemoveFabric), under that device's lock: do not block.</summary>
    public event Action<OperationalAnnouncement>? Withdrawn;

    public MatterDeviceLinkFactory Links { get; }

    /// <summary>The devices made so far.</summary>
    public IReadOnlyList<BleMatterDevice> Devices
    {
        get
        {
            lock (_devices)
            {
                return [.. _devices.Values];
            }
        }
    }

    /// <summary>The Matter device of <paramref name="device"/>, made on first use; null once disposed.</summary>
    public BleMatterDevice? DeviceFor(SimulatedDevice device)
    {
        lock (_devices)
        {
            if (_disposed)
            {
                return null;
            }

            if (!_devices.TryGetValue(device.Name, out var matter))
            {
                matter = new BleMatterDevice(device, _behaviour(device), a => Announced?.Invoke(a), _log, a => Withdrawn?.Invoke(a));
                _devices[device.Name] = matter;
            }

            return matter;
        }
    }

    private void Tick()
    {
        if (Interlocked.Exchange(ref _ticking, 1) == 1)
        {
            return;
        }

        try
        {
            foreach (var device in Devices)
            {
                if (device.NeedsTick)
                {
                    device.Matter.Tick();
                }
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _log?.Invoke($"device tick failed: {e.GetType().Name}");
        }
        finally
        {
            Volatile.Write(ref _ticking, 0);
        }
    }

    public async ValueTask DisposeAsync()
    {
        List<BleMatterDevice> devices;
        lock (_devices)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            devices = [.. _devices.Values];
        }

        await _ticks.DisposeAsync().ConfigureAwait(false);
        foreach (var device in devices)
        {
            await device.DisposeAsync().ConfigureAwait(false);
        }
    }
}
