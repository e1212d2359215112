using Akka.Actor;
using CommissioningActors.Core.Matter.Fabric;
using CommissioningActors.Core.Matter.Resolution;
using CommissioningActors.Core.Matter.Sessions;
using CommissioningActors.Core.Matter.Transport;
using CommissioningActors.Protocol.Matter.Certificates;
using CommissioningActors.Protocol.Matter.Messages;

namespace CommissioningActors.Core.Matter.Commissioning;

public sealed record FlowSettings
{
    public TimeSpan StepTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan DisarmTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long PASE may take at this address; null: <see cref="StepTimeout"/>. Shorter when other addresses wait.</summary>
    public TimeSpan? PaseTimeout { get; init; }

    /// <summary>The operational resolver (<see cref="ResolveOperational"/>); null: CASE goes to the address PASE used.</summary>
    public IActorRef? Resolver { get; init; }

    public TimeSpan ResolveTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>When the resolver finds nothing, try CASE at the address PASE used (on-network devices answer there).</summary>
    public bool FallBackToCommissioningAddress { get; init; } = true;

    /// <summary>
    /// Credentials for a device that is not on the IP network yet (commissioned over BLE): the flow picks the one
    /// the device's NetworkCommissioning feature map supports, sets the regulatory config, adds that network and
    /// connects the device to it, then tells its report-to
    /// <see cref="FlowLeftCommissioningLink"/> and finds the node operationally. Null: the device is already on
    /// the network (those steps are skipped). Secret: never logged.
    /// </summary>
    public CommissioningNetworks? Network { get; init; }

    /// <summary>
    /// The channel CASE uses to reach a node found at an operational address. Null: the commissioning channel
    /// re-aimed (UDP). Needed when commissioning runs over BTP.
    /// </summary>
    public Func<System.Net.IPEndPoint, IMatterChannel>? OperationalChannel { get; init; }

    /// <summary>How long the flow waits for <see cref="CommissioningLinkReleased"/> before it goes on to CASE anyway.</summary>
    public TimeSpan LinkReleaseTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Who may sign a device's certification declaration; null: <see cref="CertificationDeclarationSigners.Default"/> (the CSA's keys and the test key).</summary>
    public CertificationDeclarationSigners? CertificationDeclarationSigners { get; init; }

    /// <summary>
    /// The vendor/product id the device advertised (BLE), if the attempt saw them. Unauthenticated: a difference from
    /// what the device reports only earns a warning line; attestation checks the reported ids against the DAC.
    /// </summary>
    public (ushort VendorId, ushort ProductId)? AdvertisedIds { get; init; }

    /// <summary>The node's label in the registry.</summary>
    public string? Label { get; init; }

    /// <summary>Builds the PASE session child (channel, owner, passcode, options); null: <see cref="SecureSessionActor"/>. A test seam.</summary>
    public Func<IMatterChannel, IActorRef, uint, SecureSessionOptions, Props>? PaseSession { get; init; }

    /// <summary>Builds the CASE session child (channel, owner, credentials, node id, options); null: <see cref="SecureSessionActor"/>. A test seam.</summary>
    public Func<IMatterChannel, IActorRef, ControllerCredentials, ulong, SecureSessionOptions, Props>? CaseSession { get; init; }
}

/// <summary>
/// Commissions one device on the network, one behaviour per step in matter.js's order. It owns the device's
/// PASE and then CASE session actors (children, stopped on failure: never restarted with lost keys) and reports
/// <see cref="FlowLine"/>s, then <see cref="FlowSucceeded"/> or <see cref="FlowFailed"/>, to its report-to
/// actor, then stops. Each step runs under its own timeout. Once the fail-safe is armed, a failure first
/// disarms it (ArmFailSafe 0; if that fails, the device's timer expires it) so the device stays commissionable.
/// </summary>
public sealed partial class CommissioningFlowActor : ReceiveActor, IWithTimers
{
    private const string StepTimer = "step";

    private readonly IMatterChannel _channel;
    private readonly uint _passcode;
    private readonly IActorRef _fabric;
    private readonly PaaTrustStore _trust;
    private readonly IActorRef _reportTo;
    private readonly FlowSettings _settings;
    private IActorRef _session = ActorRefs.Nobody;
    private FlowStep _step = FlowStep.Pase;
    private long _requestId;
    private bool _armed;
    private byte[] _attestationChallenge = [];
    private InitialData _initial = new(null, null, FlowPayloads.DefaultFailSafeSeconds, null);

    public CommissioningFlowActor(IMatterChannel channel, uint passcode, IActorRef fabric, PaaTrustStore trust, IActorRef reportTo, FlowSettings settings)
    {
        _channel = channel;
        _passcode = passcode;
        _fabric = fabric;
        _trust = trust;
        _reportTo = reportTo;
        _settings = settings;
        Pase();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IMatterChannel channel, uint passcode, IActorRef fabric, PaaTrustStore trust, IActorRef reportTo, FlowSettings? settings = null) =>
        Akka.Actor.Props.Create(() => new CommissioningFlowActor(channel, passcode, fabric, trust, reportTo, settings ?? new FlowSettings()));

    protected override SupervisorStrategy SupervisorStrategy() => Akka.Actor.SupervisorStrategy.StoppingStrategy;

    protected override void PreStart()
    {
        var options = new SecureSessionOptions { EstablishTimeout = _settings.PaseTimeout ?? _settings.StepTimeout };
        _session = Context.ActorOf(_settings.PaseSession?.Invoke(_channel, Self, _passcode, options)
            ?? SecureSessionActor.Props(_channel, Self, _passcode, options), "pase");
        Context.Watch(_session);
        Line($"establishing PASE with {_channel.PeerDescription}");
    }

    private void Pase()
    {
        _step = FlowStep.Pase;
        Receive<SessionReady>(ready =>
        {
            _attestationChallenge = ready.AttestationChallenge;
            Line("PASE session established");
            ReadInitialData();
        });
        Receive<SessionEstablishmentFailed>(failed => Fail("pase_failed",
            failed.Kind == Protocol.Matter.SecureChannel.SessionFailureKind.WrongPasscode
                ? "PASE failed: the device rejected the passcode"
                : $"PASE failed: {failed.Reason}", unreachable: failed.Kind is null));
        Receive<Terminated>(_ => Fail("pase_failed", "PASE failed: the session ended"));
    }

    /// <summary>
    /// Sends one request for <paramref name="step"/> on <paramref name="session"/> (default: PASE) and becomes the
    /// behaviour that waits for its answer.
    /// </summary>
    private void Request(FlowStep step, MatterProtocolId protocol, byte opcode, byte[] payload, Action<RequestSucceeded> onAnswer, IActorRef? session = null)
    {
        _step = step;
        var id = ++_requestId;
        var target = session ?? _session;
        target.Tell(new SendRequest(id, protocol, opcode, payload, _settings.StepTimeout));
        Timers.StartSingleTimer(StepTimer, new StepTimedOut(id), _settings.StepTimeout + TimeSpan.FromSeconds(1));
        Become(() =>
        {
            Receive<RequestSucceeded>(r => r.RequestId == id, r =>
            {
                Timers.Cancel(StepTimer);
                onAnswer(r);
            });
            Receive<RequestFailed>(r => r.RequestId == id, r => Fail("commissioning_failed", r.Reason));
            Receive<StepTimedOut>(t => t.RequestId == id, _ => Fail("commissioning_failed", $"no answer within {_settings.StepTimeout.TotalSeconds:0.#} s"));
            ReceiveTerminated(target);
        });
    }

    /// <summary>Forgets a session that stopped; fails the step when it is the one the step needs.</summary>
    private void ReceiveTerminated(IActorRef needed) => Receive<Terminated>(t =>
    {
        var pase = t.ActorRef.Equals(_session);
        _session = pase ? ActorRefs.Nobody : _session;
        _caseSession = t.ActorRef.Equals(_caseSession) ? ActorRefs.Nobody : _caseSession;
        if (t.ActorRef.Equals(needed))
        {
            Fail("commissioning_failed", pase ? "the PASE session with the device ended" : "the CASE session with the node ended");
        }
    });

    /// <summary>Waits for the fabric actor's answer to a message already sent (node id, NOC), while <paramref name="needed"/> (default: PASE) lives.</summary>
    private void AwaitFabric<T>(FlowStep step, Action<T> onAnswer, IActorRef? needed = null)
    {
        var session = needed ?? _session;
        _step = step;
        var id = ++_requestId;
        Timers.StartSingleTimer(StepTimer, new StepTimedOut(id), _settings.StepTimeout);
        Become(() =>
        {
            Receive<T>(answer =>
            {
                Timers.Cancel(StepTimer);
                onAnswer(answer);
            });
            Receive<Fabric.FabricUnavailable>(u => Fail("commissioning_failed", u.Reason));
            Receive<Fabric.NocRefused>(r => Fail("commissioning_failed", r.Reason));
            Receive<StepTimedOut>(t => t.RequestId == id, _ => Fail("commissioning_failed", "the fabric registry did not answer"));
            ReceiveTerminated(session);
        });
    }

    private void Line(string text) => _reportTo.Tell(new FlowLine(_step, text));

    private void Fail(string code, string reason, bool unreachable = false) =>
        RollBack(new FlowFailed(_step, code, $"{StepName(_step)} failed: {reason}", unreachable));

    private void Finish(object outcome)
    {
        _reportTo.Tell(outcome);
        Context.Stop(Self);
    }

    internal static string StepName(FlowStep step) => step switch
    {
        FlowStep.Pase => "PASE",
        FlowStep.ReadInitialData => "reading initial data",
        FlowStep.ArmFailSafe => "ArmFailSafe",
        FlowStep.SetRegulatoryConfig => "SetRegulatoryConfig",
        FlowStep.Attestation => "device attestation",
        FlowStep.CsrRequest => "CSRRequest",
        FlowStep.AddTrustedRootCertificate => "AddTrustedRootCertificate",
        FlowStep.AddNoc => "AddNOC",
        FlowStep.ConfigureNetwork => "configuring the network",
        FlowStep.ConnectNetwork => "ConnectNetwork",
        FlowStep.Case => "CASE",
        _ => "CommissioningComplete",
    };

    private sealed record StepTimedOut(long RequestId);
}
