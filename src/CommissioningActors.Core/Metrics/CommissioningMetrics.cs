using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Akka.Actor;
using CommissioningActors.Core.Gate;

namespace CommissioningActors.Core.Metrics;

/// <summary>
/// The service's instruments (meter "CommissioningActors"), one set per actor system: several hosts share a test
/// process, and each must count only its own. Actors record through <see cref="For"/>; names are in docs/operations.md.
/// </summary>
public sealed class CommissioningMetrics : IExtension, IDisposable
{
    public const string MeterName = "CommissioningActors";

    // Live gates only: a proxy that goes away stops being reported (bounded by connected proxies).
    private readonly ConcurrentDictionary<string, GateState> _gates = new(StringComparer.Ordinal);
    private readonly Histogram<double> _queueWait;
    private readonly Counter<long> _connects;
    private readonly UpDownCounter<long> _jobsActive;
    private readonly Counter<long> _jobsFinished;
    private readonly Histogram<double> _jobDuration;
    private readonly UpDownCounter<long> _followers;
    private readonly Counter<long> _backpressureCloses;

    public CommissioningMetrics()
    {
        Meter = new Meter(MeterName);
        Meter.CreateObservableGauge("commissioning.gate.slots_in_use", () => Gates(g => g.InUse), "{slot}", "Connection slots held, per proxy");
        Meter.CreateObservableGauge("commissioning.gate.queued", () => Gates(g => g.Queued), "{request}", "Connects waiting for a slot, per proxy");
        Meter.CreateObservableGauge("commissioning.gate.slots", () => Gates(g => g.Slots), "{slot}", "Slots the gate hands out, per proxy");
        _queueWait = Meter.CreateHistogram<double>("commissioning.gate.queue_wait", "s", "Time from asking for a slot to getting it");
        _connects = Meter.CreateCounter<long>("commissioning.connects", "{connect}", "BLE connects by outcome and error code");
        _jobsActive = Meter.CreateUpDownCounter<long>("commissioning.jobs.active", "{job}", "Jobs queued or running");
        _jobsFinished = Meter.CreateCounter<long>("commissioning.jobs.finished", "{job}", "Jobs finished, by status");
        _jobDuration = Meter.CreateHistogram<double>("commissioning.jobs.duration", "s", "From job start (or creation) to its verdict");
        _followers = Meter.CreateUpDownCounter<long>("commissioning.followers", "{follower}", "Live follow_job/follow_jobs/subscribe_events streams");
        _backpressureCloses = Meter.CreateCounter<long>("commissioning.followers.backpressure_closes", "{close}",
            "Controller sockets closed because a follower fell behind");
    }

    public Meter Meter { get; }

    /// <summary>This actor system's instruments.</summary>
    public static CommissioningMetrics For(ActorSystem system) => system.WithExtension<CommissioningMetrics, MetricsExtension>();

    public void GateChanged(GateState state) => _gates[state.ProxyId] = state;

    public void GateStopped(string proxyId) => _gates.TryRemove(proxyId, out _);

    public void SlotGranted(string proxyId, TimeSpan waited) =>
        _queueWait.Record(waited.TotalSeconds, new KeyValuePair<string, object?>("proxy", proxyId));

    /// <param name="errorCode">Null for a successful connect.</param>
    public void Connected(string proxyId, string? errorCode) =>
        _connects.Add(1, new TagList
        {
            { "proxy", proxyId },
            { "outcome", errorCode is null ? "success" : "failure" },
            { "error_code", errorCode ?? "" },
        });

    public void JobCreated() => _jobsActive.Add(1);

    public void JobFinished(string status, TimeSpan duration)
    {
        var tag = new KeyValuePair<string, object?>("status", status);
        _jobsActive.Add(-1);
        _jobsFinished.Add(1, tag);
        _jobDuration.Record(duration.TotalSeconds, tag);
    }

    public void FollowerStarted() => _followers.Add(1);

    public void FollowerStopped() => _followers.Add(-1);

    public void BackpressureClosed() => _backpressureCloses.Add(1);

    public void Dispose() => Meter.Dispose();

    private IEnumerable<Measurement<int>> Gates(Func<GateState, int> value) =>
        _gates.Values.Select(g => new Measurement<int>(value(g), new KeyValuePair<string, object?>("proxy", g.ProxyId)));

    private sealed class MetricsExtension : ExtensionIdProvider<CommissioningMetrics>
    {
        public override CommissioningMetrics CreateExtension(ExtendedActorSystem system)
        {
            var metrics = new CommissioningMetrics();
            system.RegisterOnTermination(metrics.Dispose);
            return metrics;
        }
    }
}
