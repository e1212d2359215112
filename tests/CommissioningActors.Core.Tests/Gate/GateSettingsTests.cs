using Akka.Configuration;
using CommissioningActors.Core.Gate;

namespace CommissioningActors.Core.Tests.Gate;

public sealed class GateSettingsTests
{
    [Fact]
    public void Slots_and_max_wait_come_from_config_with_per_proxy_overrides()
    {
        var settings = GateSettings.FromConfig(ConfigurationFactory.ParseString("""
            commissioning.gate {
              slots = 2
              max-wait = 5s
              slots-per-proxy { "kitchen-proxy" = 3 }
            }
            """));

        Assert.Equal(2, settings.SlotsFor("other"));
        Assert.Equal(3, settings.SlotsFor("kitchen-proxy"));
        Assert.Equal(TimeSpan.FromSeconds(5), settings.MaxWait);
    }

    [Fact]
    public void Missing_gate_section_gives_the_defaults() =>
        Assert.Equal(GateSettings.Default, GateSettings.FromConfig(ConfigurationFactory.Empty));

    [Theory]
    [InlineData("slots = 0")]
    [InlineData("max-wait = infinite")]
    [InlineData("max-wait = 0s")]
    public void An_unbounded_or_empty_gate_is_rejected(string line) =>
        Assert.Throws<ConfigurationException>(() =>
            GateSettings.FromConfig(ConfigurationFactory.ParseString($"commissioning.gate {{ {line} }}")));

    [Fact]
    public void Capacity_is_the_per_proxy_hocon_entry_then_the_hello_then_the_default()
    {
        var settings = GateSettings.Default with
        {
            DefaultSlots = 2,
            SlotsByProxyName = new Dictionary<string, int> { ["pinned"] = 1 },
        };

        Assert.Equal(new GateCapacity(1, SlotsSource.Hocon), settings.CapacityFor("pinned", 5));
        Assert.Equal(new GateCapacity(1, SlotsSource.Hocon), settings.CapacityFor("pinned", null));
        Assert.Equal(new GateCapacity(5, SlotsSource.Hello), settings.CapacityFor("other", 5));
        Assert.Equal(new GateCapacity(2, SlotsSource.Default), settings.CapacityFor("other", null));
    }
}
