using CommissioningActors.Core.Discovery;

namespace CommissioningActors.Core.Tests.Discovery;

public sealed class SightingTableTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static string RandomMac(Random random)
    {
        Span<byte> bytes = stackalloc byte[6];
        random.NextBytes(bytes);
        return Convert.ToHexString(bytes);
    }

    [Fact]
    public void A_flood_of_random_addresses_from_one_proxy_stays_at_its_cap_and_spares_other_proxies()
    {
        var table = new SightingTable<int>(maxPerProxy: 1000, maxTotal: 5000);
        table.Upsert("good", "C0:FF:EE:00:00:01", 1, T0);
        var random = new Random(7);
        for (var i = 0; i < 50_000; i++)
        {
            table.Upsert("hostile", RandomMac(random), i, T0.AddMilliseconds(i));
        }

        Assert.Equal(1000, table.CountFor("hostile"));
        Assert.Equal(1001, table.Count);
        Assert.True(table.Contains("good", "C0:FF:EE:00:00:01"));
        Assert.Equal(49_000, table.Evicted);
        // The survivors are the most recent ones.
        Assert.Equal([1, .. Enumerable.Range(49_000, 1000)], table.Values);
    }

    [Fact]
    public void The_total_cap_evicts_the_stalest_sighting_of_any_proxy()
    {
        var table = new SightingTable<string>(maxPerProxy: 10, maxTotal: 3);
        table.Upsert("p1", "A", "p1/A", T0);
        table.Upsert("p2", "B", "p2/B", T0.AddSeconds(1));
        table.Upsert("p3", "C", "p3/C", T0.AddSeconds(2));
        table.Upsert("p1", "A", "p1/A again", T0.AddSeconds(3)); // refreshed: now the freshest
        table.Upsert("p4", "D", "p4/D", T0.AddSeconds(4));

        Assert.Equal(["p3/C", "p1/A again", "p4/D"], table.Values);
        Assert.Equal(0, table.CountFor("p2"));
        Assert.Equal(1, table.Evicted);
    }

    [Fact]
    public void A_refresh_is_not_new_and_keeps_the_entry_from_eviction()
    {
        var table = new SightingTable<int>(maxPerProxy: 2, maxTotal: 10);
        Assert.True(table.Upsert("p", "A", 1, T0));
        Assert.True(table.Upsert("p", "B", 2, T0.AddSeconds(1)));
        Assert.False(table.Upsert("p", "A", 3, T0.AddSeconds(2)));
        Assert.True(table.Upsert("p", "C", 4, T0.AddSeconds(3)));
        Assert.Equal([3, 4], table.Values);
    }

    [Fact]
    public void A_per_proxy_cap_of_one_replaces_that_proxys_only_entry()
    {
        var table = new SightingTable<int>(maxPerProxy: 1, maxTotal: 1);
        table.Upsert("p", "A", 1, T0);
        table.Upsert("p", "B", 2, T0);
        table.Upsert("q", "C", 3, T0);
        Assert.Equal([3], table.Values);
        Assert.Equal(0, table.CountFor("p"));
        Assert.Equal(1, table.CountFor("q"));
    }

    [Fact]
    public void Expiry_and_proxy_removal_drop_exactly_their_entries()
    {
        var table = new SightingTable<int>(maxPerProxy: 10, maxTotal: 10);
        table.Upsert("p1", "A", 1, T0);
        table.Upsert("p2", "B", 2, T0.AddMinutes(1));
        table.Upsert("p1", "C", 3, T0.AddMinutes(2));
        table.Upsert("p2", "D", 4, T0.AddMinutes(3));

        Assert.Equal(2, table.RemoveOlderThan(T0.AddMinutes(1.5)));
        Assert.Equal([3, 4], table.Values);
        Assert.Equal(1, table.RemoveProxy("p1"));
        Assert.Equal([4], table.Values);
        Assert.Equal(0, table.RemoveProxy("p1"));
        Assert.Equal(0, table.Evicted);
    }

    [Fact]
    public void Every_value_that_leaves_the_table_is_reported_once_whatever_removed_it()
    {
        var removed = new List<string>();
        var table = new SightingTable<string>(maxPerProxy: 2, maxTotal: 3, removed.Add);
        table.Upsert("p1", "A", "a", T0);
        table.Upsert("p1", "B", "b", T0.AddSeconds(1));
        table.Upsert("p1", "A", "a2", T0.AddSeconds(2)); // a refresh replaces, it does not remove
        table.Upsert("p1", "C", "c", T0.AddSeconds(3)); // per-proxy cap: evicts B
        table.Upsert("p2", "D", "d", T0.AddSeconds(4));
        table.Upsert("p3", "E", "e", T0.AddSeconds(5)); // total cap: evicts a2
        Assert.Equal(["b", "a2"], removed);

        table.RemoveOlderThan(T0.AddSeconds(4)); // expiry: c
        table.RemoveProxy("p2"); // proxy gone: d
        Assert.Equal(["b", "a2", "c", "d"], removed);
        Assert.True(table.TryGetValue("p3", "E", out var e));
        Assert.Equal("e", e);
        Assert.False(table.TryGetValue("p1", "B", out _));
    }
}
