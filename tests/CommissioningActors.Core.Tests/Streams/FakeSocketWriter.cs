using System.Text.Json.Nodes;
using CommissioningActors.Core.Sockets;

namespace CommissioningActors.Core.Tests.Streams;

/// <summary>
/// Records every frame in the order sends start. A send can be held on a gate (the first frame, or all of
/// them) or made to throw, and the writer checks that sends never overlap, as the real writer requires.
/// </summary>
public sealed class FakeSocketWriter : ISocketWriter
{
    private readonly object _lock = new();
    private readonly List<string> _frames = [];
    private readonly List<(string Frame, int Status, string Reason)> _closes = [];
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _inFlight;

    /// <summary>Hold the first send until <see cref="Release"/>.</summary>
    public bool HoldFirst { get; init; }

    /// <summary>Hold every send until <see cref="Release"/> (never, for a stalled peer).</summary>
    public bool HoldAll { get; init; }

    /// <summary>Frames for which this returns true make the send throw.</summary>
    public Func<string, bool>? ThrowOn { get; init; }

    public bool Overlapped { get; private set; }

    public IReadOnlyList<string> Frames
    {
        get
        {
            lock (_lock)
            {
                return [.. _frames];
            }
        }
    }

    public IReadOnlyList<(string Frame, int Status, string Reason)> Closes
    {
        get
        {
            lock (_lock)
            {
                return [.. _closes];
            }
        }
    }

    public void Release() => _gate.TrySetResult();

    public async Task SendTextAsync(string text)
    {
        int index;
        lock (_lock)
        {
            index = _frames.Count;
            _frames.Add(text);
            if (++_inFlight > 1)
            {
                Overlapped = true;
            }
        }

        try
        {
            if (ThrowOn?.Invoke(text) == true)
            {
                throw new InvalidOperationException("socket write failed");
            }

            if (HoldAll || (HoldFirst && index == 0))
            {
                await _gate.Task;
            }
        }
        finally
        {
            lock (_lock)
            {
                _inFlight--;
            }
        }
    }

    public Task SendThenCloseAsync(string lastFrame, int status, string reason)
    {
        lock (_lock)
        {
            _closes.Add((lastFrame, status, reason));
        }

        return Task.CompletedTask;
    }

    public static JsonObject Parse(string frame) => JsonNode.Parse(frame)!.AsObject();

    public static string? EventName(string frame) => Parse(frame)["event"]?.GetValue<string>();
}
