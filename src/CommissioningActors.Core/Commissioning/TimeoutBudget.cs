using Akka.Configuration;
using CommissioningActors.Core.Connections;
using CommissioningActors.Core.Gate;
using CommissioningActors.Core.Proxies;

namespace CommissioningActors.Core.Commissioning;

/// <summary>
/// How the connect timeouts relate. A proxy that never answers `connect` holds its slot for the connect hold
/// (the connect's own timeout + the session's margin); a candidate queued behind it must still be waiting
/// when that slot comes back, or it fails with "waited longer than ..." at the same moment and the verdict
/// depends on which failure lands last. So the gate's max-wait must exceed the connect hold by a clear
/// margin, and an attempt's deadline should fit a full wait plus the connect that follows it.
/// </summary>
public static class TimeoutBudget
{
    /// <summary>Time for a timed-out connect's slot to reach the next waiter (a few message hops), with room to spare.</summary>
    public static readonly TimeSpan Slack = TimeSpan.FromSeconds(5);

    public static TimeSpan ConnectHold(ConnectionSettings connection, ProxySettings proxy) =>
        connection.ConnectTimeout + proxy.ConnectTimeoutMargin;

    /// <summary>Throws when a queued connect would give up no later than a silent connect ahead of it.</summary>
    public static void Validate(GateSettings gate, ConnectionSettings connection, ProxySettings proxy)
    {
        var hold = ConnectHold(connection, proxy);
        if (gate.MaxWait < hold + Slack)
        {
            throw new ConfigurationException(
                $"commissioning.gate.max-wait ({gate.MaxWait.TotalSeconds:0.#} s) must be at least commissioning.connection.connect-timeout " +
                $"+ commissioning.proxy.connect-timeout-margin + {Slack.TotalSeconds:0} s ({(hold + Slack).TotalSeconds:0.#} s), " +
                "so a connect queued behind one the proxy never answers is still tried");
        }
    }

    /// <summary>A warning when the default attempt deadline cannot fit a full wait for a slot plus one connect; else null.</summary>
    public static string? AttemptWarning(AttemptSettings attempt, GateSettings gate, ConnectionSettings connection, ProxySettings proxy)
    {
        var needed = gate.MaxWait + ConnectHold(connection, proxy);
        return attempt.DefaultTimeout >= needed
            ? null
            : $"commissioning.attempt.timeout ({attempt.DefaultTimeout.TotalSeconds:0.#} s) is shorter than commissioning.gate.max-wait " +
              $"+ one connect ({needed.TotalSeconds:0.#} s): a queued candidate may be cut off by the attempt's deadline";
    }
}
