using System.Diagnostics;
using System.Text.Json;

namespace CommissioningActors.Host.Tests.Interop;

/// <summary>
/// A child process that speaks JSON lines on stdout: every line is kept (bounded) as an event, stderr keeps its
/// last lines for failure messages, and waiters are woken on each new line or on exit.
/// </summary>
public sealed class JsonLineProcess : IAsyncDisposable
{
    private const int MaxEvents = 10_000;
    private const int StderrTailLines = 60;

    private readonly Process _process;
    private readonly string _name;
    private readonly List<JsonElement> _events = [];
    private readonly Queue<string> _stderrTail = new();
    private readonly Task _stdoutPump;
    private readonly Task _stderrPump;
    private readonly object _gate = new();
    private TaskCompletionSource _changed = NewSignal();
    private bool _stdoutEnded;
    private int? _exitCode;

    public JsonLineProcess(Process process, string name)
    {
        _process = process;
        _name = name;
        _stdoutPump = Task.Run(PumpStdoutAsync);
        _stderrPump = Task.Run(PumpStderrAsync);
    }

    public int ProcessId => _process.Id;

    public bool HasExited => _exitCode is not null || _process.HasExited;

    /// <summary>How many event lines have arrived: a cursor for <see cref="WaitForAsync"/>.</summary>
    public int EventCount
    {
        get
        {
            lock (_gate)
            {
                return _events.Count;
            }
        }
    }

    public IReadOnlyList<JsonElement> Events
    {
        get
        {
            lock (_gate)
            {
                return [.. _events];
            }
        }
    }

    public string StderrTail
    {
        get
        {
            lock (_gate)
            {
                return string.Join('\n', _stderrTail);
            }
        }
    }

    /// <summary>The first event at or after index <paramref name="after"/> that matches; fails with stderr on timeout or exit.</summary>
    public async Task<JsonElement> WaitForAsync(Func<JsonElement, bool> match, TimeSpan timeout, int after = 0, string? what = null)
    {
        using var deadline = new CancellationTokenSource(timeout);
        var next = after;
        while (true)
        {
            Task changed;
            bool exited;
            lock (_gate)
            {
                for (; next < _events.Count; next++)
                {
                    if (match(_events[next]))
                    {
                        return _events[next];
                    }
                }

                changed = _changed.Task;
                exited = _stdoutEnded;
            }

            if (exited)
            {
                // stdout closes a moment before the exit is observable; the code belongs in the message.
                await WaitQuietlyAsync(TimeSpan.FromSeconds(5));
                throw Failure($"exited (code {ExitCodeOrNone()}) before {what ?? "the awaited event"}");
            }

            try
            {
                await changed.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw Failure($"no {what ?? "awaited event"} within {timeout.TotalSeconds:0.#} s");
            }
        }
    }

    public Task<JsonElement> WaitForEventAsync(string name, TimeSpan timeout, int after = 0, Func<JsonElement, bool>? also = null) =>
        WaitForAsync(e => Is(e, name) && (also is null || also(e)), timeout, after, $"\"{name}\" event");

    public static bool Is(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty("event", out var v) && v.ValueKind == JsonValueKind.String && v.GetString() == name;

    public async Task SendAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>Waits for the process to end by itself (it has been asked to); kills its tree if it does not.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            Kill();
            throw Failure($"did not exit within {timeout.TotalSeconds:0.#} s");
        }

        await Task.WhenAll(_stdoutPump, _stderrPump);
        _exitCode = _process.ExitCode;
        return _exitCode.Value;
    }

    public Exception Failure(string what) =>
        new InvalidOperationException($"{_name} {what}.\n--- last events ---\n{string.Join('\n', Events.TakeLast(10))}\n--- stderr (tail) ---\n{StderrTail}");

    /// <summary>Closes stdin (the scripts stop cleanly on it), then kills the whole tree if that takes too long.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.StandardInput.Close();
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (Exception e) when (e is TimeoutException or IOException or InvalidOperationException)
        {
            Kill();
        }

        try
        {
            await Task.WhenAll(_stdoutPump, _stderrPump).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (TimeoutException)
        {
            // The pipes of a killed tree close with it; never hang a dispose on them.
        }

        _exitCode ??= _process.HasExited ? _process.ExitCode : -1;
        _process.Dispose();
    }

    private async Task WaitQuietlyAsync(TimeSpan timeout)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            // Reported as "none yet".
        }
    }

    private void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5_000);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private string ExitCodeOrNone() => _exitCode?.ToString() ?? (_process.HasExited ? _process.ExitCode.ToString() : "none yet");

    private async Task PumpStdoutAsync()
    {
        try
        {
            while (await _process.StandardOutput.ReadLineAsync() is { } line)
            {
                Append(line);
            }
        }
        finally
        {
            lock (_gate)
            {
                _stdoutEnded = true;
            }

            Signal();
        }
    }

    private void Append(string line)
    {
        JsonElement element;
        try
        {
            using var document = JsonDocument.Parse(line);
            element = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            // A stray non-JSON line is a fixture bug; keep it visible in failures rather than dropping it.
            lock (_gate)
            {
                Enqueue("[stdout, not JSON] " + line);
            }

            return;
        }

        lock (_gate)
        {
            if (_events.Count < MaxEvents)
            {
                _events.Add(element);
            }
        }

        Signal();
    }

    private async Task PumpStderrAsync()
    {
        while (await _process.StandardError.ReadLineAsync() is { } line)
        {
            lock (_gate)
            {
                Enqueue(line);
            }
        }
    }

    private void Enqueue(string line)
    {
        _stderrTail.Enqueue(line.Length > 500 ? line[..500] + "…" : line);
        while (_stderrTail.Count > StderrTailLines)
        {
            _stderrTail.Dequeue();
        }
    }

    private void Signal()
    {
        TaskCompletionSource previous;
        lock (_gate)
        {
            previous = _changed;
            _changed = NewSignal();
        }

        previous.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
