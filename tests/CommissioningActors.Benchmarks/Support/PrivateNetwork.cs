using System.Diagnostics;
using System.Text.Json.Nodes;

namespace CommissioningActors.Benchmarks.Support;

/// <summary>
/// The storm's devices are found by mDNS, as real ones are, and mDNS needs a multicast-capable interface. The
/// harness therefore runs the storm in a child of itself inside a private network namespace whose only interface
/// is a multicast-capable loopback (util-linux `unshare`, iproute2, root): nothing it sends can leave the machine,
/// and other runs on the machine do not hear it. The child writes its JSON to a file the parent reads back.
/// </summary>
internal static class PrivateNetwork
{
    private const string Marker = "COMMISSIONING_BENCH_PRIVATE_NETWORK";
    private const string Setup =
        "ip link set lo up && ip link set lo multicast on && ip route add 224.0.0.0/4 dev lo && " +
        "ip -6 route add ff00::/8 dev lo table local && exec \"$@\"";

    public static bool Inside => Environment.GetEnvironmentVariable(Marker) == "1";

    /// <summary>Runs `--only NAME` with the rest of <paramref name="args"/> in a private namespace; returns its JSON.</summary>
    public static async Task<JsonObject> RunAsync(string name, IReadOnlyList<string> args)
    {
        var json = Path.Combine(Path.GetTempPath(), $"ca-bench-{name}-{Guid.NewGuid():N}.json");
        var info = new ProcessStartInfo("unshare") { UseShellExecute = false };
        info.Environment[Marker] = "1";
        foreach (var arg in (string[])["--net", "--", "sh", "-c", Setup, "sh", .. Self(), .. WithOnly(args, name, json)])
        {
            info.ArgumentList.Add(arg);
        }

        Process child;
        try
        {
            child = Process.Start(info) ?? throw new InvalidOperationException("unshare did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"`unshare` (util-linux) is needed to run {name} in a private network namespace: {e.Message}", e);
        }

        using (child)
        {
            await child.WaitForExitAsync();
            if (!File.Exists(json))
            {
                throw new InvalidOperationException(
                    $"{name} in a private network namespace wrote no results (exit {child.ExitCode}; root and iproute2 are needed)");
            }
        }

        var results = JsonNode.Parse(await File.ReadAllTextAsync(json))!.AsObject();
        File.Delete(json);
        return results["benchmarks"]?[name]?.DeepClone().AsObject()
            ?? throw new InvalidOperationException($"{name} in a private network namespace reported nothing");
    }

    // `dotnet x.dll` or the apphost: the same program again.
    private static string[] Self()
    {
        var process = Environment.ProcessPath ?? "dotnet";
        var dll = typeof(PrivateNetwork).Assembly.Location;
        return Path.GetFileNameWithoutExtension(process) == "dotnet" ? [process, dll] : [process];
    }

    private static List<string> WithOnly(IReadOnlyList<string> args, string name, string json)
    {
        var kept = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] is "--only" or "--json")
            {
                i++;
                continue;
            }

            kept.Add(args[i]);
        }

        return [.. kept, "--only", name, "--json", json];
    }
}
