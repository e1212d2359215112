using Akka.Configuration;
using CommissioningActors.Core.Commissioning;
using CommissioningActors.Core.Connections;
using CommissioningActors.Core.Gate;
using CommissioningActors.Core.Proxies;

namespace CommissioningActors.Core.Tests.Commissioning;

public sealed class TimeoutBudgetTests
{
    [Fact]
    public void The_defaults_let_a_queued_connect_outlast_a_silent_one_and_fit_the_attempt()
    {
        TimeoutBudget.Validate(GateSettings.Default, ConnectionSettings.Default, ProxySettings.Default);
        Assert.Null(TimeoutBudget.AttemptWarning(AttemptSettings.Default, GateSettings.Default, ConnectionSettings.Default, ProxySettings.Default));
        Assert.True(GateSettings.Default.MaxWait >= 2 * TimeoutBudget.ConnectHold(ConnectionSettings.Default, ProxySettings.Default));
    }

    [Theory]
    [InlineData(20)] // the old default: equal to connect-timeout + margin, so the waiter raced the silent connect
    [InlineData(24)]
    public void A_max_wait_within_a_connect_hold_is_refused(int maxWaitSeconds)
    {
        var gate = GateSettings.Default with { MaxWait = TimeSpan.FromSeconds(maxWaitSeconds) };
        var e = Assert.Throws<ConfigurationException>(() => TimeoutBudget.Validate(gate, ConnectionSettings.Default, ProxySettings.Default));
        Assert.Contains("commissioning.gate.max-wait", e.Message);
        Assert.Contains("25 s", e.Message);
    }

    [Fact]
    public void The_bound_follows_the_connect_settings()
    {
        var connection = ConnectionSettings.Default with { ConnectTimeout = TimeSpan.FromSeconds(60) };
        Assert.Throws<ConfigurationException>(() => TimeoutBudget.Validate(GateSettings.Default, connection, ProxySettings.Default));
        TimeoutBudget.Validate(GateSettings.Default with { MaxWait = TimeSpan.FromSeconds(70) }, connection, ProxySettings.Default);
    }

    [Fact]
    public void An_attempt_deadline_shorter_than_a_wait_plus_a_connect_is_warned_about()
    {
        var attempt = AttemptSettings.Default with { DefaultTimeout = TimeSpan.FromSeconds(60) };
        var warning = TimeoutBudget.AttemptWarning(attempt, GateSettings.Default, ConnectionSettings.Default, ProxySettings.Default);
        Assert.Contains("65 s", warning);
    }
}
