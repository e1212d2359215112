using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using CommissioningActors.Core.Commissioning;
using CommissioningActors.Core.Connections;
using CommissioningActors.Core.Discovery;
using CommissioningActors.Core.Events;
using CommissioningActors.Core.Jobs;
using CommissioningActors.Core.Proxies;
using CommissioningActors.Core.Supervision;
using CommissioningActors.Core.Tests.Jobs;

namespace CommissioningActors.Core.Tests.Supervision;

/// <summary>
/// Each top-level actor, crashed by a message with a null field (as a bug elsewhere would send it), is stopped
/// by the guardian rather than restarted with empty state, and the watchdog asks for the host to stop. What
/// survives is shown per actor: watchers learn of the death (DeathWatch), children stop with their parent.
/// </summary>
public sealed class TopLevelSupervisionTests() : TestKit(TopLevelWatchdogActor.GuardianHocon)
{
    private IActorRef TopLevel(string name, Props props, out TestProbe hostStops)
    {
        var actor = Sys.ActorOf(props, name);
        var probe = CreateTestProbe();
        Sys.ActorOf(TopLevelWatchdogActor.Props(new Dictionary<string, IActorRef> { [name] = actor }, n => probe.Ref.Tell(n)));
        Watch(actor);
        hostStops = probe;
        return actor;
    }

    [Fact]
    public void A_crashed_discovery_registry_is_stopped_its_watchers_hear_of_it_and_the_host_is_asked_to_stop()
    {
        var registry = TopLevel("discovery", DiscoveryRegistryActor.Props(), out var hostStops);
        var attempt = CreateTestProbe();
        attempt.Send(registry, new WatchDevice(3840, IsShort: false));
        attempt.ExpectMsg<MatchingDevices>();
        attempt.Watch(registry);

        registry.Tell(new DeviceSeen("proxy-1", null!, "C0:FF:EE:00:00:01", -50, null, true, null, DateTimeOffset.UtcNow));

        ExpectTerminated(registry);
        // A restart would have kept the ref alive with no watchers: the attempt would wait out its scan timeout.
        attempt.ExpectTerminated(registry);
        Assert.Equal("discovery", hostStops.ExpectMsg<string>());
    }

    [Fact]
    public void A_crashed_event_hub_is_stopped_its_subscribers_hear_of_it_and_the_host_is_asked_to_stop()
    {
        var hub = TopLevel("events", EventHubActor.Props(), out var hostStops);
        var follower = CreateTestProbe();
        follower.Send(hub, SubscribeEvents.Instance);
        follower.ExpectMsg<InitialState>();
        follower.Watch(hub);

        hub.Tell(new ProxyConnected(null!, "kitchen", TestActor, TestActor, 1));

        ExpectTerminated(hub);
        // Followers watch their publisher: their streams end instead of waiting forever on a restarted hub.
        follower.ExpectTerminated(hub);
        Assert.Equal("events", hostStops.ExpectMsg<string>());
    }

    [Fact]
    public void A_crashed_commissioning_supervisor_stops_with_its_attempts_and_the_host_is_asked_to_stop()
    {
        var nobody = CreateTestProbe().Ref;
        var supervisor = TopLevel("commissioning",
            CommissioningSupervisorActor.Props(nobody, nobody, AttemptSettings.Default, ConnectionSettings.Default), out var hostStops);
        var job = CreateTestProbe();
        job.Send(supervisor, new StartCommissioning(JobUnderTest.Request("a"), job.Ref));
        var attempt = job.ExpectMsg<CommissioningStarted>().Attempt;
        Watch(attempt);

        supervisor.Tell(new StartCommissioning(null!, job.Ref));

        // The attempt goes with its parent (its connections and their slots with it), never orphaned.
        ExpectBothTerminated(attempt, supervisor);
        Assert.Equal("commissioning", hostStops.ExpectMsg<string>());
    }

    [Fact]
    public void A_crashed_job_manager_stops_with_its_jobs_and_the_host_is_asked_to_stop()
    {
        var commissioning = CreateTestProbe();
        var manager = TopLevel("jobs", JobManagerActor.Props(commissioning.Ref, JobSettings.Default), out var hostStops);
        manager.Tell(new CreateCommissionJob(JobUnderTest.Request("a"), []));
        var job = ExpectMsg<JobCreated>().Job;
        commissioning.ExpectMsg<StartCommissioning>();
        Watch(job);

        manager.Tell(new ToJob(null!, GetJob.Instance));

        // A restarted manager would have an empty index over jobs still running: they stop with it instead.
        ExpectBothTerminated(job, manager);
        Assert.Equal("jobs", hostStops.ExpectMsg<string>());
    }

    // Two watched actors stop together; their Terminated notices come from different senders, in either order.
    private void ExpectBothTerminated(IActorRef child, IActorRef parent)
    {
        var gone = new[] { ExpectMsg<Terminated>().ActorRef, ExpectMsg<Terminated>().ActorRef };
        Assert.Equal(new HashSet<IActorRef> { child, parent }, gone.ToHashSet());
    }
}
