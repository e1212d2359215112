using Akka.Actor;
using CommissioningActors.Core.Events;
using CommissioningActors.Core.Proxies;
using CommissioningActors.Host.Hosting;
using CommissioningActors.Host.Tests.Support;

namespace CommissioningActors.Host.Tests.EndToEnd;

/// <summary>A failed top-level actor stops the whole host, with exit code 1, instead of running on without it.</summary>
public sealed class TopLevelFailureTests
{
    [Fact]
    public async Task A_crashed_event_hub_stops_the_host_with_exit_code_1()
    {
        await using var host = await TestHost.StartAsync();
        var stopping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = host.App.Lifetime.ApplicationStopping.Register(() => stopping.TrySetResult());
        var events = await host.ActorAsync<EventHubActor>();

        // A message with a null field, as a bug elsewhere would send it, makes the hub throw.
        events.Tell(new ProxyConnected(null!, "kitchen", ActorRefs.Nobody, ActorRefs.Nobody, 1));

        await stopping.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await host.System.WhenTerminated.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(1, CommissioningHost.ExitCode(host.System));
    }

    [Fact]
    public async Task A_host_stopped_normally_exits_with_0()
    {
        var host = await TestHost.StartAsync();
        var system = host.System;
        await host.DisposeAsync();

        Assert.True(system.WhenTerminated.IsCompleted);
        Assert.Equal(0, CommissioningHost.ExitCode(system));
    }
}
