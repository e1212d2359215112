using System.Diagnostics;

namespace CommissioningActors.Simulator;

/// <summary>Why a connect could not take a slot.</summary>
internal enum SlotRefusal
{
    None,
    AlreadyConnected,
    Full,
}

/// <summary>
/// The proxy's connection slots and live links, behind one lock: a slot is taken when a connect starts and
/// given back by a disconnect, a link loss or a failed connect. Also keeps the counts tests and benchmarks read.
/// </summary>
internal sealed class SlotTable(int capacity)
{
    // Bounded: an embedded simulator runs as long as the host.
    public const int MaxLinkHoldsKept = 16_384;

    private readonly object _gate = new();
    private readonly Dictionary<int, SimulatedConnection> _connections = [];
    private readonly HashSet<string> _addressesInUse = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<int, int> _disconnectsByHandle = [];
    private int _slotsInUse;
    private int _peakSlotsInUse;
    private long _slotHoldTicks;
    private int _slotHoldsCompleted;
    private long _linkHoldTicks;
    private readonly Queue<(string Device, TimeSpan Hold)> _linkHolds = new();
    private int _linkHoldsCompleted;
    private int _outOfSlotsRefusals;
    private int _nextHandle;

    public int Capacity { get; } = capacity;

    public int SlotsInUse
    {
        get { lock (_gate) { return _slotsInUse; } }
    }

    public int PeakSlotsInUse
    {
        get { lock (_gate) { return _peakSlotsInUse; } }
    }

    public TimeSpan TotalSlotHoldTime
    {
        get { lock (_gate) { return Stopwatch.GetElapsedTime(0, _slotHoldTicks); } }
    }

    public int SlotHoldsCompleted
    {
        get { lock (_gate) { return _slotHoldsCompleted; } }
    }

    /// <summary>Hold time of slots whose connect succeeded (links), from the connect to the link's end.</summary>
    public TimeSpan LinkHoldTime
    {
        get { lock (_gate) { return Stopwatch.GetElapsedTime(0, _linkHoldTicks); } }
    }

    public int LinkHoldsCompleted
    {
        get { lock (_gate) { return _linkHoldsCompleted; } }
    }

    /// <summary>The last <see cref="MaxLinkHoldsKept"/> completed links: device name and how long each held its slot.</summary>
    public IReadOnlyList<(string Device, TimeSpan Hold)> LinkHolds
    {
        get { lock (_gate) { return [.. _linkHolds]; } }
    }

    public int OutOfSlotsRefusals
    {
        get { lock (_gate) { return _outOfSlotsRefusals; } }
    }

    public IReadOnlyList<int> Handles
    {
        get { lock (_gate) { return [.. _connections.Keys.Order()]; } }
    }

    public IReadOnlyDictionary<int, int> DisconnectCommandsByHandle
    {
        get { lock (_gate) { return new Dictionary<int, int>(_disconnectsByHandle); } }
    }

    public int DisconnectCommandsFor(int handle)
    {
        lock (_gate)
        {
            return _disconnectsByHandle.GetValueOrDefault(handle);
        }
    }

    public void CountDisconnectCommand(int handle)
    {
        lock (_gate)
        {
            _disconnectsByHandle[handle] = _disconnectsByHandle.GetValueOrDefault(handle) + 1;
        }
    }

    /// <summary>Takes a slot for a connect to this address; on success takenAt is when (for hold-time accounting).</summary>
    public SlotRefusal TryTake(string address, out long takenAt)
    {
        takenAt = 0;
        lock (_gate)
        {
            if (_addressesInUse.Contains(address))
            {
                return SlotRefusal.AlreadyConnected;
            }

            if (_slotsInUse >= Capacity)
            {
                _outOfSlotsRefusals++;
                return SlotRefusal.Full;
            }

            _slotsInUse++;
            _peakSlotsInUse = Math.Max(_peakSlotsInUse, _slotsInUse);
            _addressesInUse.Add(address);
            takenAt = Stopwatch.GetTimestamp();
            return SlotRefusal.None;
        }
    }

    /// <summary>Gives back a slot whose connect did not complete.</summary>
    public void Release(string address, long takenAt)
    {
        lock (_gate)
        {
            _slotsInUse--;
            _addressesInUse.Remove(address);
            CountHold(takenAt);
        }
    }

    /// <summary>Turns a taken slot into a live link with a fresh handle.</summary>
    public SimulatedConnection Open(string address, SimulatedDevice device, int mtu, long takenAt)
    {
        lock (_gate)
        {
            var connection = new SimulatedConnection(NextHandle(), address, device, mtu) { SlotTakenAt = takenAt };
            _connections[connection.Handle] = connection;
            return connection;
        }
    }

    public SimulatedConnection? Find(int handle)
    {
        lock (_gate)
        {
            return _connections.GetValueOrDefault(handle);
        }
    }

    public bool IsLive(SimulatedConnection connection)
    {
        lock (_gate)
        {
            return _connections.TryGetValue(connection.Handle, out var live) && ReferenceEquals(live, connection);
        }
    }

    /// <summary>Ends this link and frees its slot; false when it had ended already.</summary>
    public bool TryRemove(SimulatedConnection connection)
    {
        lock (_gate)
        {
            if (!_connections.TryGetValue(connection.Handle, out var live) || !ReferenceEquals(live, connection))
            {
                return false;
            }

            _connections.Remove(connection.Handle);
            _slotsInUse--;
            _addressesInUse.Remove(connection.Address);
            CountHold(connection.SlotTakenAt);
            var held = Stopwatch.GetTimestamp() - connection.SlotTakenAt;
            _linkHoldTicks += held;
            _linkHoldsCompleted++;
            _linkHolds.Enqueue((connection.Device.Name, Stopwatch.GetElapsedTime(0, held)));
            if (_linkHolds.Count > MaxLinkHoldsKept)
            {
                _linkHolds.Dequeue();
            }
        }

        // Outside the gate: the device is told its link is gone.
        connection.Btp?.Dispose();
        return true;
    }

    // Handles fit the 2-byte field of binary frames and are unique among live connections. Call under _gate.
    private int NextHandle()
    {
        do
        {
            _nextHandle = _nextHandle % ushort.MaxValue + 1;
        }
        while (_connections.ContainsKey(_nextHandle));

        return _nextHandle;
    }

    // Call under _gate.
    private void CountHold(long takenAt)
    {
        _slotHoldTicks += Stopwatch.GetTimestamp() - takenAt;
        _slotHoldsCompleted++;
    }
}
