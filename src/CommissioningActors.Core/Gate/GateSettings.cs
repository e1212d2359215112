using Akka.Configuration;

namespace CommissioningActors.Core.Gate;

/// <summary>Where a proxy's slot count came from (server_info shows it).</summary>
public enum SlotsSource
{
    /// <summary>commissioning.gate.slots: the proxy stated nothing and has no per-proxy entry.</summary>
    Default,

    /// <summary>commissioning.gate.slots-per-proxy names this proxy.</summary>
    Hocon,

    /// <summary>The proxy's hello stated connection_slots.</summary>
    Hello,
}

public sealed record GateCapacity(int Slots, SlotsSource Source);

/// <summary>From HOCON `commissioning.gate`: slots per proxy (default and per proxy name) and the bounded wait.</summary>
public sealed record GateSettings(int DefaultSlots, IReadOnlyDictionary<string, int> SlotsByProxyName, TimeSpan MaxWait)
{
    // max-wait outlasts two connects a silent proxy never answers (15 s + 5 s each; see TimeoutBudget).
    public static GateSettings Default { get; } = new(1, new Dictionary<string, int>(), TimeSpan.FromSeconds(45));

    public int SlotsFor(string proxyName) => CapacityFor(proxyName, null).Slots;

    /// <summary>
    /// A proxy's gate capacity: an operator's per-proxy HOCON entry wins (they may know the radio is shared),
    /// then what the proxy stated in its hello, then the HOCON default.
    /// </summary>
    public GateCapacity CapacityFor(string proxyName, int? helloSlots) =>
        SlotsByProxyName.TryGetValue(proxyName, out var slots) ? new GateCapacity(slots, SlotsSource.Hocon)
        : helloSlots is { } stated ? new GateCapacity(stated, SlotsSource.Hello)
        : new GateCapacity(DefaultSlots, SlotsSource.Default);

    public static GateSettings FromConfig(Config config)
    {
        var c = config.GetConfig("commissioning.gate");
        if (c is null || c.IsEmpty)
        {
            return Default;
        }

        var perProxy = new Dictionary<string, int>(StringComparer.Ordinal);
        var overrides = c.GetConfig("slots-per-proxy");
        if (overrides is not null && !overrides.IsEmpty)
        {
            foreach (var entry in overrides.AsEnumerable())
            {
                perProxy[entry.Key.Trim('"')] = entry.Value.GetInt();
            }
        }

        var slots = c.GetInt("slots", Default.DefaultSlots);
        if (slots < 1 || perProxy.Values.Any(v => v < 1))
        {
            throw new ConfigurationException("commissioning.gate slots must be at least 1");
        }

        // "infinite" parses as -1 ms: nothing may wait forever, and the gate's timer rejects negative delays.
        var maxWait = c.GetTimeSpan("max-wait", Default.MaxWait);
        if (maxWait <= TimeSpan.Zero)
        {
            throw new ConfigurationException("commissioning.gate max-wait must be a positive duration");
        }

        return new GateSettings(slots, perProxy, maxWait);
    }
}
