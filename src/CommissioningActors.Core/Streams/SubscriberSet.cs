using Akka.Actor;

namespace CommissioningActors.Core.Streams;

/// <summary>
/// The publisher side of snapshot + subscribe, used inside an actor: the owner replies with its snapshot and
/// calls Add in the same message handling step, so no event is both in the snapshot and live, and none is in
/// neither. Subscribers are watched; the owner calls Remove on Terminated.
/// </summary>
public sealed class SubscriberSet
{
    private readonly HashSet<IActorRef> _subscribers = [];

    public int Count => _subscribers.Count;

    public void Add(IActorRef subscriber, IActorContext context)
    {
        if (_subscribers.Add(subscriber))
        {
            context.Watch(subscriber);
        }
    }

    /// <summary>True when the actor was a subscriber (so the Terminated was ours).</summary>
    public bool Remove(IActorRef subscriber) => _subscribers.Remove(subscriber);

    public void Publish(object message, IActorRef sender)
    {
        foreach (var subscriber in _subscribers)
        {
            subscriber.Tell(message, sender);
        }
    }
}
