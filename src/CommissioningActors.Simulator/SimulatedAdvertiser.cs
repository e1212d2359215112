using CommissioningActors.Protocol.BleProxy;
using CommissioningActors.Protocol.Matter;

namespace CommissioningActors.Simulator;

/// <summary>
/// Scanning: start_scan / stop_scan, and while a scan runs, every virtual device's advertisement on each of its
/// addresses, repeated at the advertisement interval.
/// </summary>
internal sealed class SimulatedAdvertiser(SimulatorOptions options, SimulatorSocket socket, LatencySampler random)
{
    private readonly object _gate = new();
    private CancellationTokenSource? _scan;

    public bool IsScanning
    {
        get { lock (_gate) { return _scan is not null; } }
    }

    public CommandOutcome OnStartScan(int id, StartScan command)
    {
        CancellationTokenSource scan;
        lock (_gate)
        {
            if (_scan is not null)
            {
                return CommandOutcome.Fail(id, BleErrorCodes.AlreadyScanning, "Already scanning");
            }

            scan = CancellationTokenSource.CreateLinkedTokenSource(socket.Life);
            _scan = scan;
        }

        // Every simulated device is a Matter device, so a filter without fff6 sees nothing.
        var wantsMatter = command.ServiceUuids is not { Count: > 0 } filter
            || filter.Any(u => GattServer.IsUuid(u, MatterBle.ServiceUuid));
        var devices = wantsMatter ? options.Devices : [];
        return CommandOutcome.Ok(id, EmptyResult.Instance, () => ScanLoopAsync(devices, command.AllowDuplicates, scan.Token));
    }

    public CommandOutcome OnStopScan(int id) =>
        Stop()
            ? CommandOutcome.Ok(id, EmptyResult.Instance)
            : CommandOutcome.Fail(id, BleErrorCodes.NotScanning, "Not scanning");

    /// <summary>Ends the running scan; false when none was running.</summary>
    public bool Stop()
    {
        CancellationTokenSource? scan;
        lock (_gate)
        {
            scan = _scan;
            _scan = null;
        }

        if (scan is null)
        {
            return false;
        }

        scan.Cancel();
        scan.Dispose();
        return true;
    }

    private async Task ScanLoopAsync(IReadOnlyList<SimulatedDevice> devices, bool allowDuplicates, CancellationToken ct)
    {
        var reported = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var interval = options.Latencies.AdvertisementInterval;
        // A rotating device advertises its new address at once, not at the next round: look every tick.
        var tick = interval < TimeSpan.FromMilliseconds(200) ? interval : TimeSpan.FromMilliseconds(200);
        var lastRound = DateTime.MinValue;
        var lastAddress = new string?[devices.Count];
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var round = DateTime.UtcNow - lastRound >= interval;
                if (round)
                {
                    lastRound = DateTime.UtcNow;
                    // Proxies hear the same device at different moments.
                    var jitter = random.UpTo(options.Radio.AdvertisementJitter);
                    if (jitter > TimeSpan.Zero)
                    {
                        await Task.Delay(jitter, ct).ConfigureAwait(false);
                    }
                }

                for (var i = 0; i < devices.Count; i++)
                {
                    var device = devices[i];
                    var current = device.Rotation is null ? null : device.AdvertisedAddresses.First();
                    if (!round && (current is null || current == lastAddress[i]))
                    {
                        continue;
                    }

                    lastAddress[i] = current;
                    if (!await AdvertiseAsync(device, allowDuplicates, reported, ct).ConfigureAwait(false))
                    {
                        return;
                    }
                }

                await Task.Delay(tick, ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // stop_scan or shutdown.
        }
        catch (ObjectDisposedException)
        {
            // The scan's token source was disposed by stop_scan.
        }
    }

    private async Task<bool> AdvertiseAsync(SimulatedDevice device, bool allowDuplicates, HashSet<string> reported, CancellationToken ct)
    {
        var advertisement = new MatterAdvertisement(
            device.Discriminator, AdvertisementVersion: 0, device.VendorId, device.ProductId, device.HasAdditionalData).Encode();
        foreach (var address in device.AdvertisedAddresses)
        {
            if (ct.IsCancellationRequested)
            {
                return false;
            }

            if (!allowDuplicates && !reported.Add(address))
            {
                continue;
            }

            await socket.SendAsync(new DeviceDiscovered(
                address,
                Connectable: true,
                device.Name,
                device.Rssi + random.Spread(options.Radio.RssiJitterDb),
                new Dictionary<string, byte[]> { [MatterBle.ServiceUuid] = advertisement },
                new Dictionary<int, byte[]>(),
                [MatterBle.ServiceUuid])).ConfigureAwait(false);
        }

        return true;
    }
}
