using System.Collections.Concurrent;
using Serilog.Core;
using Serilog.Events;

namespace CommissioningActors.Host.Tests.Support;

/// <summary>An in-memory Serilog sink: every event the host logs, as it would reach any other sink.</summary>
public sealed class CapturingSink : ILogEventSink
{
    private readonly ConcurrentQueue<LogEvent> _events = new();

    public IReadOnlyList<LogEvent> Events => [.. _events];

    public void Emit(LogEvent logEvent) => _events.Enqueue(logEvent);

    /// <summary>Everything an event can carry to a log: template, rendered message, every property, the exception.</summary>
    public static string Text(LogEvent e) => string.Join('\n',
        [e.MessageTemplate.Text, e.RenderMessage(), .. e.Properties.Select(p => $"{p.Key}={p.Value}"), e.Exception?.ToString() ?? ""]);
}
