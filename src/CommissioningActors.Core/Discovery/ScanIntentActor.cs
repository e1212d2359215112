using Akka.Actor;
using Akka.Event;
using CommissioningActors.Core.Proxies;
using CommissioningActors.Protocol.BleProxy;
using CommissioningActors.Protocol.Matter;

namespace CommissioningActors.Core.Discovery;

/// <summary>
/// Discovery's "we want scanning": every proxy that completes its handshake is asked to scan for Matter
/// devices, and one that reports its scan stopped is asked again after RearmDelay (so a proxy whose adapter
/// keeps failing is not hammered). Sessions stay transport; this is the scan policy.
/// </summary>
public sealed class ScanIntentActor : ReceiveActor, IWithTimers
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<IActorRef, string> _proxies = [];
    private readonly TimeSpan _rearmDelay;

    public ScanIntentActor(TimeSpan rearmDelay)
    {
        _rearmDelay = rearmDelay;
        Receive<ProxyConnected>(connected =>
        {
            _proxies[connected.Session] = connected.ProxyId;
            Context.Watch(connected.Session);
            RequestScan(connected.Session);
        });
        Receive<ProxyScanStopped>(stopped =>
        {
            if (_proxies.ContainsKey(stopped.Session))
            {
                Timers.StartSingleTimer(stopped.Session, new Rearm(stopped.Session), _rearmDelay);
            }
        });
        Receive<Rearm>(rearm =>
        {
            if (_proxies.ContainsKey(rearm.Session))
            {
                RequestScan(rearm.Session);
            }
        });
        Receive<BleCommandSucceeded>(_ => { });
        Receive<BleCommandFailed>(failed =>
        {
            if (_proxies.TryGetValue(Sender, out var id))
            {
                _log.Warning("Proxy {0} refused to scan: {1}", id, failed.Error);
            }
        });
        Receive<Terminated>(t =>
        {
            _proxies.Remove(t.ActorRef);
            Timers.Cancel(t.ActorRef);
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static TimeSpan DefaultRearmDelay { get; } = TimeSpan.FromSeconds(2);

    public static Props Props(TimeSpan? rearmDelay = null) =>
        Akka.Actor.Props.Create(() => new ScanIntentActor(rearmDelay ?? DefaultRearmDelay));

    protected override void PreStart()
    {
        Context.System.EventStream.Subscribe<ProxyConnected>(Self);
        Context.System.EventStream.Subscribe<ProxyScanStopped>(Self);
    }

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);

    private void RequestScan(IActorRef session) =>
        session.Tell(new ExecuteBleCommand(new StartScan([MatterBle.ShortServiceUuid])));

    private sealed record Rearm(IActorRef Session);
}
