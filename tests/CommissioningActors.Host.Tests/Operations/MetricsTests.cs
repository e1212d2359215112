using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Headers;
using CommissioningActors.Core.Metrics;
using CommissioningActors.Host.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace CommissioningActors.Host.Tests.Operations;

/// <summary>The meter after a simulated commissioning, read in-process and as Prometheus text at /metrics.</summary>
public sealed class MetricsTests
{
    /// <summary>Sums of this host's measurements (other hosts in the process have their own meter), by instrument and tags.</summary>
    private sealed class Recorder : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentDictionary<string, double> _sums = new();
        private readonly ConcurrentDictionary<string, double> _last = new();

        public Recorder(Meter meter)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter, meter))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Add(i, v, tags));
            _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Add(i, v, tags));
            _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Add(i, v, tags));
            _listener.Start();
        }

        public double Sum(string name, string tags = "") => _sums.GetValueOrDefault(Key(name, tags));

        public double Gauge(string name, string tags)
        {
            _last.Clear();
            _listener.RecordObservableInstruments();
            return _last.TryGetValue(Key(name, tags), out var value) ? value : double.NaN;
        }

        public int Count(string name) => (int)_sums.GetValueOrDefault(Key(name, "#count"));

        public void Dispose() => _listener.Dispose();

        private static string Key(string name, string tags) => $"{name}|{tags}";

        private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var list = new List<string>();
            foreach (var tag in tags)
            {
                list.Add($"{tag.Key}={tag.Value}");
            }

            list.Sort(StringComparer.Ordinal);
            var key = Key(instrument.Name, string.Join(',', list));
            if (instrument.GetType().Name.StartsWith("Observable", StringComparison.Ordinal))
            {
                _last[key] = value;
                return;
            }

            _sums.AddOrUpdate(key, value, (_, old) => old + value);
            _sums.AddOrUpdate(Key(instrument.Name, ""), value, (_, old) => old + value);
            _sums.AddOrUpdate(Key(instrument.Name, "#count"), 1, (_, old) => old + 1);
        }
    }

    [Fact]
    public async Task A_commissioning_shows_in_the_meter_and_at_the_metrics_endpoint()
    {
        await using var host = await TestHost.StartWithHoconAsync(ActorLogTests.Hocon);
        using var recorder = new Recorder(host.App.Services.GetRequiredService<CommissioningMetrics>().Meter);
        string text = "";
        await ActorLogTests.CommissionOnceAsync(host, async () =>
        {
            // The job's connection lets its slot go after the verdict: wait for the gate, not for a guess.
            await Eventually.GetAsync(() => Task.FromResult(recorder.Gauge("commissioning.gate.slots_in_use", "proxy=proxy-1")),
                n => n == 0, what: "slot released");
            Assert.Equal(0, recorder.Gauge("commissioning.gate.queued", "proxy=proxy-1"));
            Assert.Equal(1, recorder.Gauge("commissioning.gate.slots", "proxy=proxy-1"));
            using var http = new HttpClient();
            text = await http.GetStringAsync(new Uri(host.Http, "/metrics"));
        });

        Assert.Equal(1, recorder.Sum("commissioning.jobs.finished", "status=completed"));
        Assert.Equal(1, recorder.Sum("commissioning.jobs.finished"));
        Assert.Equal(0, recorder.Sum("commissioning.jobs.active"));
        Assert.Equal(2, recorder.Count("commissioning.jobs.active"));
        Assert.Equal(1, recorder.Count("commissioning.jobs.duration"));
        Assert.True(recorder.Sum("commissioning.jobs.duration") > 0);
        Assert.True(recorder.Sum("commissioning.connects", "error_code=,outcome=success,proxy=proxy-1") >= 1);
        Assert.True(recorder.Count("commissioning.gate.queue_wait") >= 1);
        // follow_job's follower started and stopped with its stream.
        Assert.True(recorder.Count("commissioning.followers") >= 1);
        Assert.Equal(0, recorder.Sum("commissioning.followers.backpressure_closes"));

        // The exporter's text: the same instruments under Prometheus names (other hosts in the process may add to them).
        Assert.Contains("# TYPE commissioning_jobs_finished_total counter", text, StringComparison.Ordinal);
        Assert.Matches("""commissioning_jobs_finished_total\{[^}]*status="completed"[^}]*\} [1-9]""", text);
        Assert.Matches("""commissioning_connects_total\{[^}]*outcome="success"[^}]*\} [1-9]""", text);
        Assert.Matches("""commissioning_gate_slots_in_use\{[^}]*proxy="proxy-1"[^}]*\} \d""", text);
        Assert.Contains("commissioning_jobs_duration_seconds_bucket", text, StringComparison.Ordinal);
        Assert.Contains("commissioning_gate_queue_wait_seconds_bucket", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_a_token_metrics_needs_it()
    {
        await using var host = await TestHost.StartWithHoconAsync(null, "--Server:Token=metrics-token-5d1e");
        using var http = new HttpClient();
        var refused = await http.GetAsync(new Uri(host.Http, "/metrics"));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(host.Http, "/metrics"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "metrics-token-5d1e");
        var allowed = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }
}
