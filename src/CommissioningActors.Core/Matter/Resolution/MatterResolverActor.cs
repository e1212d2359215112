using System.Net;
using Akka.Actor;
using Akka.Event;
using CommissioningActors.Protocol.Mdns;
using CommissioningActors.Protocol.Text;

namespace CommissioningActors.Core.Matter.Resolution;

/// <summary>
/// Resolves Matter nodes: static entries first, then what mDNS (DNS-SD) has told it, else it asks the network
/// and answers when a response completes the picture or the request's timeout passes, whichever is first.
/// Socket callbacks only tell this actor; nothing here blocks or asks.
/// </summary>
/// <remarks>
/// Supervision: the mDNS sockets are disposed when the actor stops or restarts. Socket failures are not
/// crashes: mDNS is reopened after <see cref="ResolverSettings.RestartDelay"/> while cache, static entries
/// and requests in progress stay. A crash (a bug) restarts it with an empty mDNS cache: requests in progress
/// are answered with <see cref="ResolveFailed"/> at once and the static entries are carried over.
/// </remarks>
public sealed partial class MatterResolverActor : ReceiveActor, IWithTimers
{
    private readonly ResolverSettings _settings;
    private readonly Func<IMulticastDns> _transportFactory;
    private readonly TimeProvider _clock;
    private readonly MdnsCache _cache;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<(ulong Fabric, ulong Node), IPEndPoint> _staticOperational = [];
    private readonly List<AddStaticCommissionable> _staticCommissionable = [];
    private readonly Dictionary<long, Pending> _pending = [];
    private readonly HashSet<(string Name, DnsRecordType Type)> _askedSinceTick = [];
    private IMulticastDns? _transport;
    private string _unavailable = "mDNS has not started";
    private int _generation;
    private long _nextId;
    private string _stopReason = "the resolver stopped";

    public MatterResolverActor(ResolverSettings settings, Func<IMulticastDns> transportFactory, TimeProvider clock)
    {
        _settings = settings;
        _transportFactory = transportFactory;
        _clock = clock;
        _cache = new MdnsCache(settings, clock);

        Receive<ResolveCommissionable>(r => Resolve(r, r.Timeout));
        Receive<ResolveOperational>(r => Resolve(r, r.Timeout));
        Receive<AddStaticOperational>(AddStatic);
        Receive<RemoveStaticOperational>(r => _staticOperational.Remove((r.CompressedFabricId, r.NodeId)));
        Receive<AddStaticCommissionable>(AddStatic);
        Receive<DatagramReceived>(OnDatagram);
        Receive<ResolveTimedOut>(OnTimeout);
        Receive<Requery>(_ => OnRequery());
        Receive<PurgeCache>(_ => _cache.Purge());
        Receive<TransportFailed>(OnTransportFailed);
        Receive<ReopenTransport>(_ => OpenTransport());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="transport">The mDNS sockets; default <see cref="UdpMulticastDns"/> on the configured interfaces.</param>
    public static Props Props(ResolverSettings settings, Func<IMulticastDns>? transport = null, TimeProvider? clock = null) =>
        Akka.Actor.Props.Create(() => new MatterResolverActor(
            settings, transport ?? (() => new UdpMulticastDns(settings.Multicast)), clock ?? TimeProvider.System));

    private sealed record Pending(long Id, IActorRef ReplyTo, object Request);

    private sealed record DatagramReceived(int Generation, MulticastDatagram Datagram);

    private sealed record TransportFailed(int Generation, Exception Error);

    private sealed record ResolveTimedOut(long Id);

    private sealed record Requery
    {
        public static readonly Requery Instance = new();
    }

    private sealed record PurgeCache
    {
        public static readonly PurgeCache Instance = new();
    }

    private sealed record ReopenTransport
    {
        public static readonly ReopenTransport Instance = new();
    }

    protected override void PreStart()
    {
        Timers.StartPeriodicTimer("purge", PurgeCache.Instance, TimeSpan.FromMinutes(1));
        OpenTransport();
    }

    protected override void PreRestart(Exception reason, object message)
    {
        _stopReason = "the resolver restarted after an error";

        // Static entries come from the host, which will not send them again: the next incarnation gets them.
        foreach (var ((fabric, node), address) in _staticOperational)
        {
            Self.Tell(new AddStaticOperational(fabric, node, address));
        }

        foreach (var entry in _staticCommissionable)
        {
            Self.Tell(entry);
        }

        base.PreRestart(reason, message);
    }

    protected override void PostStop()
    {
        foreach (var pending in _pending.Values)
        {
            pending.ReplyTo.Tell(new ResolveFailed(_stopReason));
        }

        _pending.Clear();
        CloseTransport();
    }

    private void OpenTransport()
    {
        var generation = ++_generation;
        var self = Self;
        try
        {
            _transport = _transportFactory();
            _transport.Start(
                d => self.Tell(new DatagramReceived(generation, d)),
                e => self.Tell(new TransportFailed(generation, e)));
            _log.Info("mDNS resolver listening on {0}", _transport.Description);
            _askedSinceTick.Clear();
            if (_pending.Count > 0)
            {
                SendQueries(followUpsOnly: false);
            }
        }
        catch (MulticastDnsUnavailableException e)
        {
            CloseTransport();
            _unavailable = "mDNS is unavailable: " + e.Message;
            _log.Warning("{0}; static entries still answer, mDNS is retried in {1}", _unavailable, _settings.RestartDelay);
            Timers.StartSingleTimer("reopen", ReopenTransport.Instance, _settings.RestartDelay);
        }
    }

    private void CloseTransport()
    {
        _transport?.Dispose();
        _transport = null;
    }

    private void OnTransportFailed(TransportFailed failed)
    {
        if (failed.Generation != _generation)
        {
            return;
        }

        CloseTransport();
        _unavailable = $"mDNS failed ({failed.Error.GetType().Name})";
        _log.Warning("mDNS sockets failed: {0}; reopening in {1}", PeerText.Escape(failed.Error.Message), _settings.RestartDelay);
        Timers.StartSingleTimer("reopen", ReopenTransport.Instance, _settings.RestartDelay);
    }

    private void Resolve(object request, TimeSpan timeout)
    {
        if (TryAnswer(request) is { } answer)
        {
            Sender.Tell(answer);
            return;
        }

        if (_transport is null || timeout <= TimeSpan.Zero || _pending.Count >= _settings.MaxPending)
        {
            var why = _transport is null ? _unavailable
                : timeout <= TimeSpan.Zero ? "not known and no time to ask"
                : $"too many resolves in progress ({_settings.MaxPending})";
            Sender.Tell(new ResolveFailed($"{Describe(request)}: {why}"));
            return;
        }

        var pending = new Pending(++_nextId, Sender, request);
        _pending[pending.Id] = pending;
        Timers.StartSingleTimer(("timeout", pending.Id), new ResolveTimedOut(pending.Id), timeout);
        if (!Timers.IsTimerActive("requery"))
        {
            Timers.StartPeriodicTimer("requery", Requery.Instance, _settings.QueryInterval);
        }

        Send(QuestionsFor(request, followUpsOnly: false));
    }

    private void OnTimeout(ResolveTimedOut timedOut)
    {
        if (_pending.Remove(timedOut.Id, out var pending))
        {
            var timeout = pending.Request switch
            {
                ResolveCommissionable c => c.Timeout,
                ResolveOperational o => o.Timeout,
                _ => TimeSpan.Zero,
            };
            pending.ReplyTo.Tell(new ResolveFailed($"{Describe(pending.Request)}: no answer within {timeout.TotalSeconds:0.###} s"));
            StopRequeryWhenIdle();
        }
    }

    private void AddStatic(AddStaticOperational entry)
    {
        var key = (entry.CompressedFabricId, entry.NodeId);
        if (!_staticOperational.ContainsKey(key) && _staticOperational.Count + _staticCommissionable.Count >= _settings.MaxStaticEntries)
        {
            _log.Warning("static entry for node {0:X16} ignored: {1} static entries already", entry.NodeId, _settings.MaxStaticEntries);
            return;
        }

        _staticOperational[key] = entry.Address;
        AnswerPending();
    }

    private void AddStatic(AddStaticCommissionable entry)
    {
        var index = _staticCommissionable.FindIndex(e => e.LongDiscriminator == entry.LongDiscriminator && e.Address.Equals(entry.Address));
        if (index >= 0)
        {
            _staticCommissionable[index] = entry;
        }
        else if (_staticOperational.Count + _staticCommissionable.Count >= _settings.MaxStaticEntries)
        {
            _log.Warning("static entry for discriminator {0} ignored: {1} static entries already", entry.LongDiscriminator, _settings.MaxStaticEntries);
            return;
        }
        else
        {
            _staticCommissionable.Add(entry);
        }

        AnswerPending();
    }

    private void OnDatagram(DatagramReceived received)
    {
        if (received.Generation != _generation)
        {
            return;
        }

        var decoded = DnsCodec.Decode(received.Datagram.Data, _settings.MaxRecordsPerMessage);
        if (!decoded.IsOk)
        {
            _log.Debug("mDNS message from {0} ignored: {1}", received.Datagram.From, PeerText.Escape(decoded.Error!.Message));
            return;
        }

        if (!decoded.Value!.IsResponse || _cache.Add(decoded.Value.Records) == 0)
        {
            return;
        }

        AnswerPending();
        if (_pending.Count > 0)
        {
            SendQueries(followUpsOnly: true);
        }
    }

    private void OnRequery()
    {
        _askedSinceTick.Clear();
        if (_transport is not null)
        {
            SendQueries(followUpsOnly: false);
        }

        StopRequeryWhenIdle();
    }

    private void AnswerPending()
    {
        foreach (var pending in _pending.Values.ToList())
        {
            if (TryAnswer(pending.Request) is { } answer)
            {
                _pending.Remove(pending.Id);
                Timers.Cancel(("timeout", pending.Id));
                pending.ReplyTo.Tell(answer);
                if (_log.IsDebugEnabled)
                {
                    _log.Debug("{0}: {1}", Describe(pending.Request), Summary(answer));
                }
            }
        }

        StopRequeryWhenIdle();
    }

    private void StopRequeryWhenIdle()
    {
        if (_pending.Count == 0)
        {
            Timers.Cancel("requery");
        }
    }

    private void SendQueries(bool followUpsOnly)
    {
        var questions = new List<(string, DnsRecordType)>();
        foreach (var pending in _pending.Values)
        {
            questions.AddRange(QuestionsFor(pending.Request, followUpsOnly));
        }

        Send(questions);
    }

    /// <summary>Multicasts the questions not already asked since the last tick, a few per packet.</summary>
    private void Send(IEnumerable<(string Name, DnsRecordType Type)> questions)
    {
        if (_transport is null)
        {
            return;
        }

        const int perPacket = 16;
        var fresh = questions.Where(q => _askedSinceTick.Count < 4 * _settings.MaxPending && _askedSinceTick.Add(q)).ToList();
        for (var i = 0; i < fresh.Count; i += perPacket)
        {
            foreach (var error in _transport.Send(DnsCodec.EncodeQuery(fresh.Skip(i).Take(perPacket))))
            {
                _log.Warning("mDNS query not sent on {0}", error);
            }
        }
    }
}
