using CommissioningActors.Core.Discovery;
using CommissioningActors.Core.Gate;
using CommissioningActors.Core.Proxies;

namespace CommissioningActors.Core.Commissioning;

/// <summary>One way to reach an address: a ready proxy that saw it, that proxy's gate state, and its score.</summary>
public sealed record RouteOption(ProxyInfo Proxy, Sighting Sighting, GateState? Gate, double Score)
{
    public bool HasFreeSlot => Gate is null || (Gate.Free > 0 && Gate.Queued == 0);
}

/// <summary>
/// Ranks the proxies that saw one address, in the spirit of Home Assistant's habluetooth
/// (<c>_score_connection_paths</c>): the RSSI, minus penalties scaled by the RSSI spread between the paths, for
/// connects in flight on that proxy, for recent failures, and for taking its last free slot. What it adds:
/// the gate's queue length (habluetooth cannot see one), failures that age out (the gate's memory) on the proxy
/// as a whole and, heavier, this attempt's own failures of the same address through that proxy, and slots
/// planned earlier in the same routing round. Routes with a free slot always come first; full ones follow,
/// shortest queue first, as the fallback to queue on.
/// </summary>
public static class RouteScorer
{
    // The smallest RSSI unit a penalty is scaled by, so two paths of equal RSSI still differ (dB).
    private const double MinimumSpread = 3;

    public static IReadOnlyList<RouteOption> Rank(
        IEnumerable<Sighting> sightings,
        IReadOnlyDictionary<string, ProxyInfo> ready,
        IReadOnlyDictionary<string, GateState> gates,
        IReadOnlyDictionary<string, int> planned,
        Func<string, int> ownFailures)
    {
        var options = sightings
            .Where(s => ready.ContainsKey(s.ProxyId))
            .Select(s => (Sighting: s, Proxy: ready[s.ProxyId], Gate: Planned(gates.GetValueOrDefault(s.ProxyId), planned.GetValueOrDefault(s.ProxyId))))
            .ToList();
        if (options.Count == 0)
        {
            return [];
        }

        var rssis = options.Select(o => (double)(o.Sighting.Rssi ?? NoRssi)).OrderDescending().ToList();
        var spread = Math.Max(rssis.Count > 1 ? rssis[0] - rssis[1] : 0, MinimumSpread);
        return options
            .Select(o => new RouteOption(o.Proxy, o.Sighting, o.Gate, Score(o.Sighting, o.Gate, spread, ownFailures(o.Proxy.Id))))
            .OrderByDescending(o => o.HasFreeSlot)
            .ThenBy(o => o.HasFreeSlot ? 0 : o.Gate!.Queued + o.Gate.InUse - o.Gate.Slots)
            .ThenByDescending(o => o.Score)
            .ThenBy(o => o.Proxy.Id, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>What an unknown RSSI counts as (habluetooth's NO_RSSI_VALUE).</summary>
    public const int NoRssi = -127;

    public static double Score(Sighting sighting, GateState? gate, double spread, int ownFailures)
    {
        double score = sighting.Rssi ?? NoRssi;
        score -= spread * 2.0 * ownFailures;
        if (gate is null)
        {
            return score;
        }

        score -= spread * 1.01 * gate.ConnectsInFlight;
        score -= spread * 0.51 * gate.RecentFailures;
        score -= spread * 1.5 * gate.Queued;
        if (gate.Free == 1 && gate.Slots > 1)
        {
            score -= spread * 0.76;
        }

        return score;
    }

    // Connects this round already sent there count as in flight and occupying a slot (or queued behind).
    private static GateState? Planned(GateState? gate, int planned)
    {
        if (gate is null || planned == 0)
        {
            return gate;
        }

        var free = Math.Max(0, gate.Slots - gate.InUse);
        var takes = Math.Min(free, planned);
        return gate with
        {
            InUse = gate.InUse + takes,
            Queued = gate.Queued + planned - takes,
            ConnectsInFlight = gate.ConnectsInFlight + takes,
        };
    }
}
