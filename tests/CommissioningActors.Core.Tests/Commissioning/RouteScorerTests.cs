using Akka.Actor;
using CommissioningActors.Core.Commissioning;
using CommissioningActors.Core.Discovery;
using CommissioningActors.Core.Gate;
using CommissioningActors.Core.Proxies;

namespace CommissioningActors.Core.Tests.Commissioning;

public sealed class RouteScorerTests
{
    private static readonly Dictionary<string, ProxyInfo> Ready = new()
    {
        ["p1"] = new ProxyInfo("p1", "p1", "127.0.0.1", true, ActorRefs.Nobody, ActorRefs.Nobody),
        ["p2"] = new ProxyInfo("p2", "p2", "127.0.0.1", true, ActorRefs.Nobody, ActorRefs.Nobody),
    };

    private static Sighting Saw(string proxy, int rssi) =>
        new("AA:BB:CC:DD:EE:01", proxy, ActorRefs.Nobody, rssi, null, true, null, DateTimeOffset.UtcNow);

    private static string Best(GateState p1, GateState p2, int rssi1 = -60, int rssi2 = -55, int ownFailuresOnP2 = 0,
        Dictionary<string, int>? planned = null) =>
        RouteScorer.Rank([Saw("p1", rssi1), Saw("p2", rssi2)], Ready,
            new Dictionary<string, GateState> { ["p1"] = p1, ["p2"] = p2 }, planned ?? [],
            proxy => proxy == "p2" ? ownFailuresOnP2 : 0)[0].Proxy.Id;

    private static GateState Gate(string id, int slots = 3, int inUse = 0, int queued = 0, int inFlight = 0, int failures = 0) =>
        new(id, slots, inUse, queued, 0, inFlight, failures);

    [Fact]
    public void Rssi_decides_between_equal_idle_proxies() => Assert.Equal("p2", Best(Gate("p1"), Gate("p2")));

    [Fact]
    public void A_free_slot_beats_a_better_rssi() => Assert.Equal("p1", Best(Gate("p1"), Gate("p2", slots: 1, inUse: 1)));

    [Fact]
    public void Among_full_proxies_the_shorter_queue_wins() =>
        Assert.Equal("p1", Best(Gate("p1", slots: 1, inUse: 1, queued: 1), Gate("p2", slots: 1, inUse: 1, queued: 4)));

    [Fact]
    public void Connects_in_flight_recent_failures_and_own_failures_cost_more_than_a_few_db()
    {
        Assert.Equal("p1", Best(Gate("p1"), Gate("p2", inUse: 1, inFlight: 1)));
        Assert.Equal("p1", Best(Gate("p1"), Gate("p2", failures: 2)));
        Assert.Equal("p1", Best(Gate("p1"), Gate("p2"), ownFailuresOnP2: 1));
        // Without any of them, the 5 dB better proxy wins again.
        Assert.Equal("p2", Best(Gate("p1"), Gate("p2")));
    }

    [Fact]
    public void A_much_stronger_proxy_still_wins_over_one_failure()
    {
        Assert.Equal("p2", Best(Gate("p1"), Gate("p2", failures: 1), rssi1: -85, rssi2: -50));
    }

    [Fact]
    public void Slots_planned_earlier_in_the_round_count_as_taken()
    {
        Assert.Equal("p1", Best(Gate("p1", slots: 1), Gate("p2", slots: 1), planned: new() { ["p2"] = 1 }));
    }
}
