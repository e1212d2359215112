using System.Diagnostics;
using System.Text;
using CommissioningActors.Simulator.Matter;

namespace CommissioningActors.Host.Tests.Interop.Mdns;

/// <summary>
/// The standalone simulator (CommissioningActors.Simulator.dll) as a child process inside a
/// <see cref="NetworkNamespace"/>: a BLE proxy with the default devices that dials a /ble endpoint, and with
/// `--mdns lo` announces the devices that joined the network by mDNS there. Its output is kept as lines (bounded);
/// disposing kills it.
/// </summary>
public sealed class StandaloneSimulator : IAsyncDisposable
{
    private const int MaxLines = 5_000;

    private readonly Process _process;
    private readonly List<string> _lines = [];
    private TaskCompletionSource _changed = NewSignal();
    private bool _ended;

    private StandaloneSimulator(Process process)
    {
        _process = process;
        _ = PumpAsync(process.StandardOutput, "");
        _ = PumpAsync(process.StandardError, "[stderr] ");
    }

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    public string Output => string.Join('\n', Lines);

    public static StandaloneSimulator Start(NetworkNamespace network, params string[] args)
    {
        var info = new ProcessStartInfo("nsenter") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        string[] command = ["dotnet", typeof(SimulatedMatterFleet).Assembly.Location, .. args];
        foreach (var arg in network.Enter(command))
        {
            info.ArgumentList.Add(arg);
        }

        return new StandaloneSimulator(Process.Start(info) ?? throw new InvalidOperationException("nsenter did not start"));
    }

    /// <summary>The first output line that matches; fails with the output on timeout or exit.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout, string what)
    {
        using var deadline = new CancellationTokenSource(timeout);
        var next = 0;
        while (true)
        {
            Task changed;
            lock (_lines)
            {
                for (; next < _lines.Count; next++)
                {
                    if (match(_lines[next]))
                    {
                        return _lines[next];
                    }
                }

                if (_ended)
                {
                    throw new InvalidOperationException($"the simulator ended before {what}:\n{string.Join('\n', _lines)}");
                }

                changed = _changed.Task;
            }

            try
            {
                await changed.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new InvalidOperationException($"no {what} from the simulator within {timeout.TotalSeconds:0} s:\n{Output}");
            }
        }
    }

    private async Task PumpAsync(StreamReader reader, string prefix)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (_lines)
            {
                if (_lines.Count < MaxLines)
                {
                    _lines.Add(prefix + line);
                }
            }

            Signal();
        }

        lock (_lines)
        {
            _ended = true;
        }

        Signal();
    }

    private void Signal()
    {
        TaskCompletionSource previous;
        lock (_lines)
        {
            previous = _changed;
            _changed = NewSignal();
        }

        previous.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        _process.Dispose();
    }
}
