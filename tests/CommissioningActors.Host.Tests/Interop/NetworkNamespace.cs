using System.Diagnostics;

namespace CommissioningActors.Host.Tests.Interop;

/// <summary>
/// A private network namespace whose only interface is a multicast-capable loopback: where tests may use mDNS,
/// because nothing sent in it can leave the machine. Processes join it through `nsenter`; the namespace lives as
/// long as its holder (a shell waiting on our pipe, so it also ends if the test process dies). Needs root.
/// </summary>
public sealed class NetworkNamespace : IAsyncDisposable
{
    private const string Setup =
        "ip link set lo up && ip link set lo multicast on && ip route add 224.0.0.0/4 dev lo && " +
        "ip -6 route add ff00::/8 dev lo table local && echo ready && read -r _ ; exit 0";

    private readonly Process _holder;

    private NetworkNamespace(Process holder) => _holder = holder;

    /// <summary>The namespace handle for `nsenter --net=...`.</summary>
    public string Path => $"/proc/{_holder.Id}/ns/net";

    public static async Task<NetworkNamespace> CreateAsync()
    {
        var info = new ProcessStartInfo("unshare")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--net", "sh", "-c", Setup })
        {
            info.ArgumentList.Add(arg);
        }

        Process holder;
        try
        {
            holder = Process.Start(info) ?? throw new InvalidOperationException("unshare did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("`unshare` (util-linux) is needed for a private network namespace: " + e.Message, e);
        }

        var stderr = holder.StandardError.ReadToEndAsync();
        var line = await holder.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(15));
        if (line != "ready")
        {
            await holder.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(5));
            throw new InvalidOperationException(
                $"could not create a private network namespace (root and iproute2 are needed): exit {holder.ExitCode}, {await stderr}");
        }

        return new NetworkNamespace(holder);
    }

    /// <summary>Runs `ip ARGS` inside the namespace and returns its output (for tests that inspect it).</summary>
    public async Task<string> RunAsync(params string[] command)
    {
        var info = new ProcessStartInfo("nsenter") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in Enter(command))
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("nsenter did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(15));
        return process.ExitCode == 0
            ? await output
            : throw new InvalidOperationException($"{string.Join(' ', command)} failed in the namespace: {await errors}");
    }

    /// <summary>The nsenter argument list that runs <paramref name="command"/> inside this namespace.</summary>
    public IEnumerable<string> Enter(IEnumerable<string> command) => ["--net=" + Path, "--", .. command];

    public async ValueTask DisposeAsync()
    {
        try
        {
            _holder.StandardInput.Close();
            await _holder.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (TimeoutException)
        {
            _holder.Kill(entireProcessTree: true);
        }

        _holder.Dispose();
    }
}
