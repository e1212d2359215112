using System.Diagnostics;
using System.Text.Json;

namespace CommissioningActors.Benchmarks.Support;

/// <summary>
/// A matter.js fixture script (tests/fixtures/matterjs) run by Node: stdout is JSON lines, each kept as an event
/// and stamped with the harness's clock when it arrived; stderr keeps its tail for failure messages.
/// </summary>
public sealed class NodeScript : IAsyncDisposable
{
    private const int StderrTail = 40;

    private readonly Process _process;
    private readonly string _name;
    private readonly List<(JsonElement Event, long Ticks)> _events = [];
    private readonly Queue<string> _stderr = new();
    private readonly Task _stdoutPump;
    private readonly Task _stderrPump;
    private readonly object _gate = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _ended;

    private NodeScript(Process process, string name)
    {
        _process = process;
        _name = name;
        _stdoutPump = Task.Run(PumpStdoutAsync);
        _stderrPump = Task.Run(PumpStderrAsync);
    }

    public int ProcessId => _process.Id;

    public static NodeScript Start(string script, IEnumerable<string> args)
    {
        var fixture = Fixture.Value;
        var info = new ProcessStartInfo("node")
        {
            WorkingDirectory = fixture,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(fixture, script));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return new NodeScript(Process.Start(info) ?? throw new InvalidOperationException("could not start node"), script);
    }

    /// <summary>tests/fixtures/matterjs with its packages installed, found above the harness's binaries.</summary>
    public static readonly Lazy<string> Fixture = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "fixtures", "matterjs");
            if (File.Exists(Path.Combine(candidate, "bench.mjs")))
            {
                return File.Exists(Path.Combine(candidate, "node_modules", "@matter", "main", "package.json"))
                    ? candidate
                    : throw new InvalidOperationException($"matter.js is not installed: run `npm ci` in {candidate}");
            }
        }

        throw new InvalidOperationException("tests/fixtures/matterjs not found above " + AppContext.BaseDirectory);
    });

    /// <summary>Every event so far with its arrival time (<see cref="Stopwatch.GetTimestamp"/>).</summary>
    public IReadOnlyList<(JsonElement Event, long Ticks)> Events
    {
        get
        {
            lock (_gate)
            {
                return [.. _events];
            }
        }
    }

    public static bool Is(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty("event", out var v) && v.ValueKind == JsonValueKind.String && v.GetString() == name;

    /// <summary>The first event named <paramref name="name"/>; fails with the script's stderr on an error line, exit or timeout.</summary>
    public async Task<JsonElement> WaitForAsync(string name, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                foreach (var (e, _) in _events)
                {
                    if (Is(e, name))
                    {
                        return e;
                    }

                    if (Is(e, "error"))
                    {
                        throw Failure($"reported an error before \"{name}\"");
                    }
                }

                if (_ended)
                {
                    throw Failure($"ended before \"{name}\"");
                }

                changed = _changed.Task;
            }

            try
            {
                await changed.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw Failure($"sent no \"{name}\" within {timeout.TotalSeconds:0} s");
            }
        }
    }

    /// <summary>Waits for the script to exit by itself; kills it after <paramref name="timeout"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            _process.Kill(entireProcessTree: true);
            throw Failure($"did not exit within {timeout.TotalSeconds:0} s");
        }

        await Task.WhenAll(_stdoutPump, _stderrPump);
        return _process.ExitCode;
    }

    public Exception Failure(string what)
    {
        lock (_gate)
        {
            return new InvalidOperationException(
                $"{_name} {what}.\n--- last events ---\n{string.Join('\n', _events.TakeLast(8).Select(e => e.Event.GetRawText()))}\n--- stderr ---\n{string.Join('\n', _stderr)}");
        }
    }

    /// <summary>Closes stdin (the scripts stop cleanly on it) and kills the tree if that takes more than 10 s.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.StandardInput.Close();
        }
        catch (IOException)
        {
        }

        try
        {
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        await Task.WhenAll(_stdoutPump, _stderrPump);
        _process.Dispose();
    }

    private async Task PumpStdoutAsync()
    {
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            var ticks = Stopwatch.GetTimestamp();
            JsonElement parsed;
            try
            {
                using var document = JsonDocument.Parse(line);
                parsed = document.RootElement.Clone();
            }
            catch (JsonException)
            {
                continue; // not one of the script's event lines
            }

            lock (_gate)
            {
                _events.Add((parsed, ticks));
                Signal();
            }
        }

        lock (_gate)
        {
            _ended = true;
            Signal();
        }
    }

    private async Task PumpStderrAsync()
    {
        while (await _process.StandardError.ReadLineAsync() is { } line)
        {
            lock (_gate)
            {
                _stderr.Enqueue(line);
                if (_stderr.Count > StderrTail)
                {
                    _stderr.Dequeue();
                }
            }
        }
    }

    private void Signal()
    {
        _changed.TrySetResult();
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
