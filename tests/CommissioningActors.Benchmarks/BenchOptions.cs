using CommissioningActors.Simulator;

namespace CommissioningActors.Benchmarks;

/// <summary>Command-line settings. Quick mode shrinks every size so every benchmark runs in about a minute.</summary>
public sealed record BenchOptions
{
    public const string Usage = """
        usage: dotnet run -c Release --project tests/CommissioningActors.Benchmarks -- [--quick | --full] [options]
          --quick                 small sizes, every benchmark in about a minute (default)
          --full                  the issue's sizes (1,000 devices, 10 million lines, ...)
          --only NAME[,NAME]      storm | gate | followers | output | commission | matterjs | soak
                                  (soak and matterjs run only when named)
          --json PATH             machine-readable results (default BenchmarkResults/latest.json)
          --devices N             storm: devices and jobs (quick 60, full 1000; at most 4096)
          --connect-latency D     storm: simulator connect latency, e.g. lognormal:40,0.5,400 (ms)
          --gatt-latency D        storm: each GATT command, e.g. uniform:2-8
          --btp-latency D         storm: BTP handshake answer, e.g. uniform:10-30
          --btp-packet-latency D  storm: air time of each BTP packet after the handshake, each way (default uniform:5-15)
          --seed N                storm: seed of the latency draws (default 42)
          --baseline-gate-slots N storm: gate slots of the ungated baseline (default 6, above the real 3)
          --lines N               followers/output: lines a job writes (quick 500,000 / 1,000,000; full 10,000,000)
          --host-dll PATH         storm, soak: the built CommissioningActors.Host.dll to start
          --soak-seconds N        soak: how long the soak runs (quick 60, full 300)
          --flood-rate N          soak: device_discovered frames/s of the hostile proxy (default 2000; 0 = as fast as it can)
          --commission-runs SPEC  commission: DEVICESxRUNS[,...] (quick 1x2,5x1; full 1x5,20x3), e.g. 20x1
          --commission-trace      commission: print when each output line of our first device's job arrived
          --commission-hocon TEXT commission: HOCON appended to our host's (e.g. "commissioning.matter.warm-up = off")
        """;

    public bool Full { get; init; }
    public IReadOnlySet<string> Only { get; init; } = new HashSet<string>();
    public string JsonPath { get; init; } = Path.Combine("BenchmarkResults", "latest.json");
    public int? Devices { get; init; }
    public LatencyDistribution ConnectLatency { get; init; } = LatencyDistribution.Parse("lognormal:40,0.5,400");
    public LatencyDistribution GattLatency { get; init; } = LatencyDistribution.Parse("uniform:2-8");
    public LatencyDistribution BtpLatency { get; init; } = LatencyDistribution.Parse("uniform:10-30");
    public LatencyDistribution BtpPacketLatency { get; init; } = LatencyDistribution.Parse("uniform:5-15");
    public int Seed { get; init; } = 42;
    public int BaselineGateSlots { get; init; } = 6;
    public long? Lines { get; init; }
    public string? HostDll { get; init; }
    public int? SoakSeconds { get; init; }
    public int FloodRate { get; init; } = 2000;
    public IReadOnlyList<(int Devices, int Repetitions)>? CommissionRuns { get; init; }
    public bool CommissionTrace { get; init; }
    public string CommissionHocon { get; init; } = "";

    public string Mode => Full ? "full" : "quick";

    /// <summary>
    /// Every benchmark when none is named, except the soak (it takes minutes) and matterjs (commission runs matter.js
    /// too, interleaved with ours): those run only by name.
    /// </summary>
    public bool Runs(string name) => Only.Count == 0 ? name is not ("soak" or "matterjs") : Only.Contains(name);

    public static BenchOptions Parse(string[] args)
    {
        var o = new BenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"missing value for {args[i]}");
            o = args[i] switch
            {
                "--quick" => o with { Full = false },
                "--full" => o with { Full = true },
                "--only" => o with { Only = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet() },
                "--json" => o with { JsonPath = Value() },
                "--devices" => o with { Devices = int.Parse(Value()) },
                "--connect-latency" => o with { ConnectLatency = LatencyDistribution.Parse(Value()) },
                "--gatt-latency" => o with { GattLatency = LatencyDistribution.Parse(Value()) },
                "--btp-latency" => o with { BtpLatency = LatencyDistribution.Parse(Value()) },
                "--btp-packet-latency" => o with { BtpPacketLatency = LatencyDistribution.Parse(Value()) },
                "--seed" => o with { Seed = int.Parse(Value()) },
                "--baseline-gate-slots" => o with { BaselineGateSlots = int.Parse(Value()) },
                "--lines" => o with { Lines = long.Parse(Value()) },
                "--host-dll" => o with { HostDll = Value() },
                "--soak-seconds" => o with { SoakSeconds = int.Parse(Value()) },
                "--flood-rate" => o with { FloodRate = int.Parse(Value()) },
                "--commission-runs" => o with { CommissionRuns = ParseRuns(Value()) },
                "--commission-trace" => o with { CommissionTrace = true },
                "--commission-hocon" => o with { CommissionHocon = Value() },
                _ => throw new ArgumentException($"unknown argument {args[i]}"),
            };
        }

        string[] known = ["storm", "gate", "followers", "output", "commission", "matterjs", "soak"];
        if (o.Only.FirstOrDefault(n => !known.Contains(n)) is { } bad)
        {
            throw new ArgumentException($"unknown benchmark '{bad}' ({string.Join(", ", known)})");
        }

        if (o.SoakSeconds is < 5 or > 86_400 || o.FloodRate < 0)
        {
            throw new ArgumentException("--soak-seconds must be 5-86400 and --flood-rate 0 or more");
        }

        if (o.Devices is < 1 or > 4096)
        {
            throw new ArgumentException("--devices must be 1-4096 (discriminators are 12-bit)");
        }

        return o;
    }

    private static (int Devices, int Repetitions)[] ParseRuns(string text) =>
    [
        .. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(part =>
        {
            var pieces = part.Split('x');
            return pieces.Length == 2 && int.TryParse(pieces[0], out var devices) && int.TryParse(pieces[1], out var runs)
                && devices is >= 1 and <= 200 && runs is >= 1 and <= 100
                ? (devices, runs)
                : throw new ArgumentException($"--commission-runs: '{part}' is not DEVICESxRUNS (devices 1-200, runs 1-100)");
        }),
    ];
}
