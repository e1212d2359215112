using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using CommissioningActors.Benchmarks.Support;
using CommissioningActors.Protocol.Matter;
using CommissioningActors.Protocol.Matter.Btp;
using CommissioningActors.Protocol.Mdns;
using CommissioningActors.Simulator;
using CommissioningActors.Simulator.Matter;

namespace CommissioningActors.Benchmarks;

/// <summary>
/// Issues 6, 10 and 11, benchmark 1: N commission_device jobs at once over real loopback WebSockets, against 4
/// simulated proxies with 3 real slots each. Every device rotates its address honestly: it was heard at three
/// addresses and is connectable only at the last; a connect to an older one fails device_not_found (half fast,
/// half at the 2 s connect timeout, holding the slot). Every device is a real Matter commissionee: PASE and the
/// BLE steps run over BTP with a drawn air time per packet, then it joins the "network" (UDP on loopback),
/// announces itself by mDNS and is reached over CASE; a job completes with the node on the host's fabric. The
/// host runs as its own process so its CPU time and RSS are its alone; the whole storm runs in a private network
/// namespace (<see cref="PrivateNetwork"/>) so mDNS works and stays on this machine. Three runs on the same seed:
/// all addresses at once (gated), one at a time with hedging (gated), and the ungated baseline (gate slots above
/// the real ones, all at once).
/// </summary>
public static class StormBenchmark
{
    private const int Proxies = 4;
    private const int RealSlots = 3;
    private const int AddressesPerDevice = 3;
    private const double StaleFastFailure = 0.5;
    private static readonly TimeSpan AdvertisementInterval = TimeSpan.FromSeconds(2);

    public static async Task<JsonObject> RunAsync(BenchOptions options)
    {
        var devices = options.Devices ?? (options.Full ? 1000 : 60);
        var deadline = options.Full ? TimeSpan.FromMinutes(10) : TimeSpan.FromSeconds(60);
        var hostDll = options.HostDll ?? FindHostDll();
        Console.WriteLine($"storm: {devices} devices x {AddressesPerDevice} addresses, {Proxies} proxies x {RealSlots} slots; " +
            $"connect {options.ConnectLatency}, gatt {options.GattLatency}, btp handshake {options.BtpLatency}, btp packet {options.BtpPacketLatency} (ms), " +
            $"seed {options.Seed}; real commissioning over BTP, operational discovery by mDNS");

        var allAtOnce = await RunOnceAsync(options, hostDll, devices, RealSlots, "all-at-once", deadline);
        var hedged = await RunOnceAsync(options, hostDll, devices, RealSlots, "hedged", deadline);
        var baseline = await RunOnceAsync(options, hostDll, devices, options.BaselineGateSlots, "all-at-once", deadline);

        var table = new Table($"storm: {devices} jobs over loopback WebSockets, {Proxies} proxies x {RealSlots} real slots, rotating devices",
            "figure", $"all at once ({RealSlots} gate slots)", $"hedged ({RealSlots} gate slots)",
            $"ungated ({options.BaselineGateSlots} gate slots)", "target (hedged)");
        void Row(string name, Func<StormRunResult, object> value, string target) =>
            table.Row(name, value(allAtOnce), value(hedged), value(baseline), target);
        Row("jobs completed (node on our fabric)", r => r.Completed, $"{devices}");
        Row("nodes listed by get_nodes after the run", r => r.Nodes, $"{devices}");
        Row("jobs failed", r => r.Failed, "0");
        Row("jobs failed with out_of_connection_slots", r => r.FailedOnSlots, "0");
        Row("jobs hung (not terminal by the deadline)", r => r.Hung, "0");
        Row("out_of_connection_slots sent by proxies", r => r.OutOfSlots, "0");
        Row("connects sent per job", r => r.ConnectsPerJob, "<= 1.3");
        Row("slot holds per job", r => r.HoldsPerJob, "-");
        Row("makespan (s)", r => r.MakespanSeconds, "-");
        Row("physical ideal (s) = link-hold sum / 12 slots", r => r.PhysicalIdealSeconds, "-");
        Row("makespan / physical ideal", r => r.PhysicalRatio, "<= 1.15");
        Row("slot-hold bound (s) = every hold / 12 slots", r => r.IdealSeconds, "-");
        Row("makespan / slot-hold bound", r => r.Ratio, "-");
        Row("mean slot hold (ms)", r => r.MeanHoldMs, "-");
        Row("slot hold per device p50 / p99 / max (ms)", r => r.LinkHold, "-");
        Row("CASE began after the slot's release (jobs)", r => r.CaseOrder, "all");
        Row("peak slots in use per proxy", r => r.PeakPerProxy, $"<= {RealSlots}");
        Row("queue wait p50 (ms, slot_acquired waited_ms)", r => r.WaitP50, "-");
        Row("queue wait p99 (ms)", r => r.WaitP99, "-");
        Row("orchestrator CPU (s) during the storm", r => r.CpuSeconds, "-");
        Row("orchestrator peak RSS (MB, sampled / VmHWM)", r => r.Rss, "-");
        table.Print();
        Console.WriteLine($"targets (hedged): connects/job <= 1.3 -> {(hedged.ConnectsPerJob <= 1.3 ? "met" : "MISSED")} ({hedged.ConnectsPerJob:0.00}); " +
            $"makespan <= 1.15 x physical ideal -> {(hedged.PhysicalRatio <= 1.15 ? "met" : "MISSED")} ({hedged.PhysicalRatio:0.000}); " +
            $"0 slot errors -> {(hedged.OutOfSlots == 0 ? "met" : "MISSED")}; no job hung -> {(hedged.Hung == 0 ? "met" : "MISSED")}; " +
            $"baseline slot errors nonzero -> {(baseline.OutOfSlots > 0 ? "yes" : "NO")}; " +
            $"every node on the fabric -> {(hedged.Nodes == devices ? "met" : "MISSED")}; " +
            $"CASE after release -> {(hedged.CaseAfterRelease == hedged.CaseStarted && hedged.CaseStarted > 0 ? "met" : "MISSED")}");

        return new JsonObject
        {
            ["devices"] = devices,
            ["proxies"] = Proxies,
            ["real_slots_per_proxy"] = RealSlots,
            ["addresses_per_device"] = AddressesPerDevice,
            ["latencies_ms"] = new JsonObject
            {
                ["connect"] = options.ConnectLatency.ToString(),
                ["gatt"] = options.GattLatency.ToString(),
                ["btp_handshake"] = options.BtpLatency.ToString(),
                ["btp_packet"] = options.BtpPacketLatency.ToString(),
                ["seed"] = options.Seed,
            },
            ["stale_connect_fast_failure"] = StaleFastFailure,
            ["hocon"] = Hocon(RealSlots, devices, "hedged"),
            ["all_at_once"] = allAtOnce.ToJson(),
            ["hedged"] = hedged.ToJson(),
            ["baseline"] = baseline.ToJson(),
        };
    }

    /// <summary>What the storm changes from hocon/commissioning.hocon, and why.</summary>
    private static string Hocon(int gateSlots, int devices, string policy) => string.Join('\n',
        $"commissioning.gate.slots = {gateSlots}",
        $"commissioning.attempt.connect-policy = {policy}",
        // A connect to a rotated-away address holds its slot until this timeout (unless it fails fast).
        "commissioning.connection.connect-timeout = 2s",
        // Every job is queued at once: waits and attempts must outlast the whole storm, or they fail by timeout.
        "commissioning.gate.max-wait = 30m",
        "commissioning.attempt.timeout = 30m",
        "commissioning.attempt.scan-timeout = 60s",
        // Every address is known before the storm; the settle only delays the first connect.
        "commissioning.attempt.candidate-settle = 100ms",
        // Every job must stay visible until the harness has read its verdict.
        $"commissioning.jobs.retain-finished = {devices * 2 + 100}",
        // The storm is one client starting every job at once: lift the caps on active jobs above it.
        $"commissioning.jobs.max-active = {devices + 10}",
        $"commissioning.jobs.max-active-per-client = {devices + 10}",
        // One client follows every job and every slot event.
        "commissioning.jobs.follower-buffer = 200000",
        // The harness counts device_discovered (one per device) to know the devices are in: announce and keep them all.
        $"commissioning.discovery.max-sightings-per-proxy = {devices * AddressesPerDevice + 100}",
        $"commissioning.discovery.max-sightings = {devices * AddressesPerDevice * Proxies + 100}",
        "commissioning.discovery.announce-per-window = 1000000",
        "akka.loglevel = WARNING");

    private static async Task<StormRunResult> RunOnceAsync(BenchOptions options, string hostDll, int deviceCount, int gateSlots, string policy,
        TimeSpan deadline)
    {
        var port = FreePort();
        var http = new Uri($"http://127.0.0.1:{port}");
        using var host = StartHost(hostDll, http, Hocon(gateSlots, deviceCount, policy));
        try
        {
            return await StormAsync(options, host, http, deviceCount, gateSlots, deadline);
        }
        finally
        {
            if (!host.Process.HasExited)
            {
                host.Process.Kill(entireProcessTree: true);
                await host.Process.WaitForExitAsync();
            }
        }
    }

    private static async Task<StormRunResult> StormAsync(BenchOptions options, HostProcess host, Uri http, int deviceCount, int gateSlots, TimeSpan deadline)
    {
        var pid = host.Process.Id;
        await using var rss = new RssSampler(pid, TimeSpan.FromMilliseconds(100));
        await WaitHealthyAsync(http, host);

        var all = Devices(deviceCount);
        var proxies = new List<SimulatedProxy>();
        // Fresh devices per run (each run's host has a new fabric); one mDNS responder announces those on the network.
        await using var fleet = new SimulatedMatterFleet();
        using var responder = OperationalMdnsResponder.Start(new MulticastDnsSettings(["lo"], Ipv4: true, Ipv6: false));
        fleet.Announced += responder.Advertise;
        fleet.Withdrawn += responder.Withdraw;
        var ws = new Uri($"ws://127.0.0.1:{http.Port}/ws");
        await using var controller = await WsClient.ConnectAsync(ws);
        var watch = new StormWatch();
        using var stop = new CancellationTokenSource();
        var reader = Task.Run(() => ReadAsync(controller, watch, stop.Token));
        await controller.SendAsync("events", "subscribe_events");
        await controller.SendAsync("jobs", "follow_jobs");
        // BLE commissioning needs network credentials before any connect (the devices join "bench-net").
        await controller.SendAsync("wifi", "set_wifi_credentials", new JsonObject { ["ssid"] = "bench-net", ["credentials"] = "bench-password" });
        if (!await StormWatch.WaitAsync(() => watch.Answered("wifi"), TimeSpan.FromSeconds(30)))
        {
            throw new TimeoutException("set_wifi_credentials was not answered");
        }

        try
        {
            // device_discovered is one per physical device (the registry's rule), whatever its addresses and proxies.
            var expectedDevices = all.Count(d => Enumerable.Range(0, Proxies).Any(p => SeenBy(d.Index, p)));
            for (var p = 0; p < Proxies; p++)
            {
                var seen = all.Where(d => SeenBy(d.Index, p)).Select(d => d.Device with { Rssi = -50 - (d.Index + p) % 4 * 5 }).ToList();
                var proxyOptions = new SimulatorOptions
                {
                    Name = $"bench-{p}",
                    ConnectionSlots = RealSlots,
                    Devices = seen,
                    DeviceLinks = fleet.Links,
                    Latencies = new SimulatorLatencies
                    {
                        ConnectDistribution = options.ConnectLatency,
                        GattDistribution = options.GattLatency,
                        BtpHandshakeDistribution = options.BtpLatency,
                        BtpPacketDistribution = options.BtpPacketLatency,
                        // Rescans repeat the current address; real proxies forward them too, but slower than the 1 s default.
                        AdvertisementInterval = AdvertisementInterval,
                        Seed = options.Seed + p,
                    },
                    Radio = new SimulatorRadio
                    {
                        RssiJitterDb = 3,
                        AdvertisementJitter = TimeSpan.FromMilliseconds(200),
                        StaleConnectFastFailure = StaleFastFailure,
                    },
                };
                proxies.Add(await SimulatedProxy.ConnectAsync(new Uri($"ws://127.0.0.1:{http.Port}/ble?name=bench-{p}"), proxyOptions));
            }

            // Every device is heard at each of its addresses in turn, then stays at its last: all three are
            // candidates, only the last connectable. All must be in before the storm, or early jobs would see fewer.
            // A rotated address of a known device is no device_discovered, so later steps wait one advertisement round.
            if (!await StormWatch.WaitAsync(() => watch.Sightings >= expectedDevices, TimeSpan.FromSeconds(60)))
            {
                throw new TimeoutException($"only {watch.Sightings} of {expectedDevices} devices were discovered");
            }

            for (var step = 1; step <= AddressesPerDevice; step++)
            {
                if (step > 1)
                {
                    await Task.Delay(AdvertisementInterval + TimeSpan.FromMilliseconds(500));
                }

                foreach (var (_, device) in all)
                {
                    device.Rotation!.Advance(AddressesPerDevice);
                }
            }

            // The current address is heard again after a round; the old ones fell silent at the rotation.
            await Task.Delay(AdvertisementInterval + TimeSpan.FromMilliseconds(500));

            var cpuBefore = ProcStats.CpuSeconds(pid);
            var connectsBefore = proxies.Sum(p => p.ConnectsReceived);
            watch.Start();
            for (var i = 0; i < deviceCount; i++)
            {
                await controller.SendAsync($"c{i}", "commission_device", new JsonObject
                {
                    ["discriminator"] = all[i].Device.Discriminator,
                    ["passcode"] = (int)all[i].Device.Passcode,
                });
            }

            // Jobs still running at the deadline are reported as hung.
            await StormWatch.WaitAsync(() => watch.Created >= deviceCount && watch.Terminal >= deviceCount, deadline);
            var makespan = watch.LastTerminal;
            var cpu = ProcStats.CpuSeconds(pid) - cpuBefore;

            // Losing candidates disconnect just after the verdict; let their slots come back before summing hold times.
            var settle = Stopwatch.StartNew();
            while (proxies.Any(p => p.SlotsInUse > 0) && settle.Elapsed < TimeSpan.FromSeconds(10))
            {
                await Task.Delay(20);
            }

            await controller.SendAsync("nodes", "get_nodes");
            await StormWatch.WaitAsync(() => watch.Nodes >= 0, TimeSpan.FromSeconds(60));
            var (caseAfterRelease, caseStarted) = watch.Case;
            foreach (var error in watch.Errors)
            {
                Console.WriteLine($"  failed: {error}");
            }

            foreach (var (gap, before, after) in watch.LongestSilences(3))
            {
                Console.WriteLine($"  longest silence while holding a link: {gap.TotalMilliseconds:0} ms between \"{before}\" and \"{after}\"");
            }

            var perDevice = proxies.SelectMany(p => p.LinkHolds).GroupBy(h => h.Device)
                .Select(g => g.Sum(h => h.Hold.TotalMilliseconds)).ToList();

            var hold = proxies.Aggregate(TimeSpan.Zero, (sum, p) => sum + p.TotalSlotHoldTime);
            var linkHold = proxies.Aggregate(TimeSpan.Zero, (sum, p) => sum + p.LinkHoldTime);
            var holds = proxies.Sum(p => p.SlotHoldsCompleted);
            var ideal = hold / (Proxies * RealSlots);
            rss.Sample();
            return new StormRunResult(
                GateSlots: gateSlots,
                Jobs: deviceCount,
                Completed: watch.Count("completed"),
                Failed: watch.Count("failed") + watch.Count("cancelled"),
                FailedOnSlots: watch.FailedWith("out_of_connection_slots"),
                FailureCodes: watch.FailureCodes(),
                Hung: deviceCount - watch.Terminal,
                OutOfSlots: proxies.Sum(p => p.OutOfSlotsErrorsSent),
                MakespanSeconds: makespan.TotalSeconds,
                IdealSeconds: ideal.TotalSeconds,
                PhysicalIdealSeconds: (linkHold / (Proxies * RealSlots)).TotalSeconds,
                Holds: holds,
                MeanHoldMs: holds == 0 ? double.NaN : hold.TotalMilliseconds / holds,
                ConnectsPerJob: (double)(proxies.Sum(p => p.ConnectsReceived) - connectsBefore) / deviceCount,
                Peaks: [.. proxies.Select(p => p.PeakSlotsInUse)],
                WaitP50: Stats.Percentile(watch.Waits, 50),
                WaitP99: Stats.Percentile(watch.Waits, 99),
                CpuSeconds: cpu,
                PeakRssSampledMb: ProcStats.Mb(rss.PeakBytes),
                PeakRssHwmMb: ProcStats.Mb(ProcStats.PeakRssBytes(pid)),
                StillHeld: proxies.Sum(p => p.SlotsInUse),
                Nodes: watch.Nodes,
                CaseAfterRelease: caseAfterRelease,
                CaseStarted: caseStarted,
                LinkHoldP50Ms: Stats.Percentile(perDevice, 50),
                LinkHoldP99Ms: Stats.Percentile(perDevice, 99),
                LinkHoldMaxMs: perDevice.Count == 0 ? double.NaN : perDevice.Max());
        }
        finally
        {
            await stop.CancelAsync();
            foreach (var proxy in proxies)
            {
                await proxy.DisposeAsync();
            }

            await reader.ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private static async Task ReadAsync(WsClient controller, StormWatch watch, CancellationToken ct)
    {
        try
        {
            while (await controller.ReceiveJsonAsync(ct) is { } frame)
            {
                watch.On(frame);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or System.Net.WebSockets.WebSocketException)
        {
        }
    }

    /// <summary>Device i is seen by proxy i % 4; every fifth also by the next proxy.</summary>
    private static bool SeenBy(int device, int proxy) =>
        device % Proxies == proxy || (device % 5 == 0 && (device + 1) % Proxies == proxy);

    private static List<(int Index, SimulatedDevice Device)> Devices(int count)
    {
        var devices = new List<(int, SimulatedDevice)>(count);
        var passcode = 20_000_000u;
        for (var i = 0; i < count; i++)
        {
            while (!SetupCode.IsValidPasscode(passcode))
            {
                passcode++;
            }

            var addresses = Enumerable.Range(1, AddressesPerDevice)
                .Select(k => string.Create(CultureInfo.InvariantCulture, $"D0:{i >> 8:X2}:{i & 0xFF:X2}:00:00:{k:X2}"))
                .ToList();
            var payload = new SetupPayload(passcode, (ushort)i, false);
            devices.Add((i, new SimulatedDevice($"Bench {i}", addresses, (ushort)i, 0xFFF1, 0x8000, passcode, SetupCode.ToManualCode(payload),
                Rotation: new AddressRotation())));
            passcode++;
        }

        return devices;
    }

    internal static string FindHostDll()
    {
        var configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CommissioningActors.sln")))
            {
                var dll = Path.Combine(dir.FullName, "src", "CommissioningActors.Host", "bin", configuration, "net10.0", "CommissioningActors.Host.dll");
                return File.Exists(dll) ? dll : throw new FileNotFoundException($"build the host first: {dll} is missing");
            }
        }

        throw new FileNotFoundException("CommissioningActors.sln not found above the harness; pass --host-dll");
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    internal static HostProcess StartHost(string hostDll, Uri http, string hocon, string? storage = null)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(hostDll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[]
                 {
                     hostDll, "--urls", http.ToString().TrimEnd('/'), "--Simulator:Enabled=false",
                     "--Serilog:MinimumLevel:Default=Warning", $"--Akka:Hocon={hocon}",
                     $"--Storage:Directory={storage ?? Path.Combine(Path.GetTempPath(), "ca-bench-" + Guid.NewGuid().ToString("N"))}",
                 })
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the host");
        var host = new HostProcess(process);
        process.OutputDataReceived += (_, e) => host.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => host.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return host;
    }

    internal static async Task WaitHealthyAsync(Uri http, HostProcess host)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(90))
        {
            if (host.Process.HasExited)
            {
                throw new InvalidOperationException($"the host exited with {host.Process.ExitCode}:\n{host.Tail()}");
            }

            try
            {
                if ((await client.GetAsync(new Uri(http, "/healthz"))).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not up yet, or too slow to answer on a loaded machine: ask again.
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"the host did not become healthy:\n{host.Tail()}");
    }

    internal sealed class HostProcess(Process process) : IDisposable
    {
        private readonly ConcurrentQueue<string> _tail = new();

        public Process Process { get; } = process;

        public void Keep(string? line)
        {
            if (line is null)
            {
                return;
            }

            _tail.Enqueue(line);
            while (_tail.Count > 40 && _tail.TryDequeue(out _))
            {
            }
        }

        public string Tail() => string.Join('\n', _tail);

        public void Dispose() => Process.Dispose();
    }
}
