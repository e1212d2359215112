using Akka.Actor;
using Akka.TestKit;

namespace CommissioningActors.Core.Tests;

/// <summary>
/// Absence checks bounded by a synchronisation point instead of a wait: messages between two actors keep their
/// order, so if the target's answer to a question asked from the probe is the probe's next message, the target
/// sent the probe nothing else before answering.
/// </summary>
public static class RoundTrip
{
    /// <summary>Asks target from the probe and expects the answer as the probe's very next message.</summary>
    public static T ExpectNothingBefore<T>(this TestProbe probe, IActorRef target, object question)
    {
        target.Tell(question, probe.Ref);
        return probe.ExpectMsg<T>();
    }

    /// <summary>
    /// A round trip through target's mailbox for actors with no question of their own: Identify is answered in
    /// mailbox order, so whatever target sent before is queued at its receivers. True while target is alive.
    /// </summary>
    public static bool Settle(this TestKitBase kit, IActorRef target)
    {
        var probe = kit.CreateTestProbe();
        target.Tell(new Identify(null), probe.Ref);
        return probe.ExpectMsg<ActorIdentity>().Subject is not null;
    }

    /// <summary>Asks target from the probe and returns everything the probe got before the answer.</summary>
    public static List<object> ReceiveUntilAnswer<T>(this TestProbe probe, IActorRef target, object question)
    {
        target.Tell(question, probe.Ref);
        var before = new List<object>();
        probe.FishForMessage(m =>
        {
            if (m is T)
            {
                return true;
            }

            before.Add(m);
            return false;
        });
        return before;
    }

    /// <summary>What is in the probe's queue now, without waiting for more (use after a round trip).</summary>
    public static List<object> Queued(this TestProbe probe)
    {
        var queued = new List<object>();
        while (probe.HasMessages)
        {
            queued.Add(probe.ReceiveOne(TimeSpan.Zero)!);
        }

        return queued;
    }
}
