using Akka.Actor;
using CommissioningActors.Core.Commissioning;
using CommissioningActors.Core.Matter.Fabric;
using CommissioningActors.Core.Matter.Sessions;
using CommissioningActors.Core.Matter.Transport;
using CommissioningActors.Core.Storage;
using CommissioningActors.Protocol.Matter.Messages;
using CommissioningActors.Protocol.Text;
using static CommissioningActors.Core.Matter.Commissioning.FlowPayloads;

namespace CommissioningActors.Core.Matter.Commissioning;

/// <summary>
/// The steps of a device that is not on the IP network yet (<see cref="FlowSettings.Network"/> set, commissioned
/// over BLE): SetRegulatoryConfig, AddOrUpdate*Network and ConnectNetwork after AddNOC, then leave the commissioning
/// link. The fail-safe is re-armed before the long stretch that follows (connect, operational discovery, CASE),
/// because over BLE the PASE session that could re-arm it is gone by then. No secret reaches a line.
/// </summary>
public sealed partial class CommissioningFlowActor
{
    private const byte IndoorOutdoor = 2;

    /// <summary>Slack on top of the step budgets a re-armed fail-safe must cover.</summary>
    private static readonly TimeSpan ReArmSlack = TimeSpan.FromSeconds(10);

    private NetworkCredentials? _network;
    private byte[] _networkId = [];
    private ulong _breadcrumb = 1;

    /// <summary>Picks the stored network the device supports; false after failing the flow when none fits.</summary>
    private bool ChooseNetwork()
    {
        if (_settings.Network is not { } networks)
        {
            return true;
        }

        _step = FlowStep.ConfigureNetwork;
        var (chosen, missing) = FlowPayloads.ChooseNetwork(_initial.NetworkFeatures, networks);
        if (chosen is null)
        {
            RefuseClosingPase(missing!);
            return false;
        }

        if (NetworkId(chosen) is not { } id)
        {
            RefuseClosingPase("the stored Thread dataset has no extended PAN id: store a complete dataset (set_thread_dataset)");
            return false;
        }

        _network = chosen;
        _networkId = id;
        Line($"the device will join {NetworkName()}");
        return true;
    }

    /// <summary>
    /// network_credentials_missing before anything was armed: PASE is closed first (bounded), because a device that
    /// still holds our PASE session refuses the next commissioner's PASE until its own timeout.
    /// </summary>
    private void RefuseClosingPase(string reason)
    {
        _ending = true;
        var failure = new FlowFailed(_step, AttemptErrorCodes.NetworkCredentialsMissing, $"{StepName(_step)} failed: {reason}");
        var id = ++_requestId;
        Timers.StartSingleTimer(StepTimer, new StepTimedOut(id), _settings.DisarmTimeout);
        Become(() =>
        {
            Receive<Terminated>(t => t.ActorRef.Equals(_session), _ =>
            {
                Timers.Cancel(StepTimer);
                _session = ActorRefs.Nobody;
                Finish(failure);
            });
            Receive<StepTimedOut>(t => t.RequestId == id, _ => Finish(failure));
            ReceiveAny(_ => { });
        });
        _session.Tell(CloseSecureSession.Instance);
    }

    /// <summary>The network as a line may name it: the SSID (not secret), or the Thread extended PAN id.</summary>
    private string NetworkName() => _network!.Kind == NetworkKind.WiFi
        ? $"Wi-Fi network \"{PeerText.Escape(_network.Ssid, 64)}\""
        : $"Thread network {Convert.ToHexString(_networkId)}";

    private void SetRegulatoryConfig()
    {
        // As matter.js: a device that can be either is told indoor/outdoor; else what it says it is.
        var location = _initial.LocationCapability is { } capability and < IndoorOutdoor ? capability : IndoorOutdoor;
        Request(FlowStep.SetRegulatoryConfig, MatterProtocolId.InteractionModel, Invoke,
            FlowPayloads.SetRegulatoryConfig(location, DefaultCountryCode, _breadcrumb++), answer =>
            {
                if (CommandFields(answer, GeneralCommissioning, 3) is not { } fields)
                {
                    return;
                }

                if (CommissioningError(fields) is { } error)
                {
                    Fail("commissioning_failed", error);
                    return;
                }

                Line($"regulatory config set: {(location switch { 0 => "indoor", 1 => "outdoor", _ => "indoor/outdoor" })}, country {DefaultCountryCode}");
                RequestCertificate(1);
            });
    }

    /// <summary>After AddNOC: over BLE the network steps; on the network a re-armed fail-safe for a resolve that may be long.</summary>
    private void AfterNoc()
    {
        if (_network is not null)
        {
            AddNetwork();
            return;
        }

        if (_settings.Resolver is null)
        {
            FindNodeWithCredentials();
            return;
        }

        ReArm(FlowStep.Case, _settings.ResolveTimeout + _settings.StepTimeout * 2, "operational discovery, CASE and CommissioningComplete",
            FindNodeWithCredentials);
    }

    private void FindNodeWithCredentials()
    {
        _fabric.Tell(GetControllerCredentials.Instance);
        AwaitFabric<ControllerCredentials>(FlowStep.Case, FindNode, _session.IsNobody() ? ActorRefs.Nobody : null);
    }

    private void AddNetwork()
    {
        var wifi = _network!.Kind == NetworkKind.WiFi;
        Line($"adding {NetworkName()} to the device");
        var payload = wifi
            ? AddOrUpdateWiFiNetwork(_networkId, _network.Secret, _breadcrumb++)
            : AddOrUpdateThreadNetwork(_network.Secret, _breadcrumb++);
        Request(FlowStep.ConfigureNetwork, MatterProtocolId.InteractionModel, Invoke, payload, answer =>
        {
            if (CommandFields(answer, NetworkCommissioning, 5) is not { } fields)
            {
                return;
            }

            if (NetworkingError(fields) is { } error)
            {
                Fail("commissioning_failed", $"{(wifi ? "AddOrUpdateWiFiNetwork" : "AddOrUpdateThreadNetwork")}: {error}");
                return;
            }

            Line($"{NetworkName()} added");
            ReArm(FlowStep.ConnectNetwork, _settings.StepTimeout * 3 + _settings.ResolveTimeout,
                "ConnectNetwork, operational discovery, CASE and CommissioningComplete", ConnectNetwork);
        });
    }

    /// <summary>
    /// ArmFailSafe again, long enough for <paramref name="budget"/> (never shorter than the device's own expiry nor
    /// past its cumulative maximum), then <paramref name="next"/>.
    /// </summary>
    private void ReArm(FlowStep step, TimeSpan budget, string covering, Action next)
    {
        var wanted = Math.Max(_initial.FailSafeSeconds, (int)Math.Ceiling((budget + ReArmSlack).TotalSeconds));
        var seconds = (ushort)Math.Min(wanted, _initial.MaxCumulativeFailSafeSeconds ?? ushort.MaxValue);
        Request(step, MatterProtocolId.InteractionModel, Invoke, FlowPayloads.ArmFailSafe(seconds), answer =>
        {
            if (CommandFields(answer, GeneralCommissioning, 1) is not { } fields)
            {
                return;
            }

            if (CommissioningError(fields) is { } error)
            {
                Fail("commissioning_failed", $"re-arming the fail-safe: {error}");
                return;
            }

            Line($"fail-safe re-armed for {seconds} s to cover {covering}");
            next();
        });
    }

    /// <summary>
    /// ConnectNetwork over PASE. A device that cannot keep BLE up while it joins drops the link instead of answering:
    /// the PASE session ending (or its channel closing) here is the device switching networks, not a failure.
    /// </summary>
    private void ConnectNetwork()
    {
        _step = FlowStep.ConnectNetwork;
        var id = ++_requestId;
        Line($"connecting the device to {NetworkName()}");
        _session.Tell(new SendRequest(id, MatterProtocolId.InteractionModel, Invoke, FlowPayloads.ConnectNetwork(_networkId, _breadcrumb++), _settings.StepTimeout));
        Timers.StartSingleTimer(StepTimer, new StepTimedOut(id), _settings.StepTimeout + TimeSpan.FromSeconds(1));
        Become(() =>
        {
            Receive<RequestSucceeded>(r => r.RequestId == id, answer =>
            {
                Timers.Cancel(StepTimer);
                if (CommandFields(answer, NetworkCommissioning, 7) is not { } fields)
                {
                    return;
                }

                if (NetworkingError(fields) is { } error)
                {
                    Fail("commissioning_failed", error);
                    return;
                }

                LeaveCommissioningLink($"the device joined {NetworkName()}");
            });
            Receive<RequestFailed>(r => r.RequestId == id && r.Kind == RequestFailureKind.SessionUnavailable,
                _ => LeaveCommissioningLink("the commissioning link closed: the device is switching networks"));
            Receive<RequestFailed>(r => r.RequestId == id, r => Fail("commissioning_failed", r.Reason));
            Receive<MatterChannelClosed>(_ => LeaveCommissioningLink("the commissioning link closed: the device is switching networks"));
            Receive<StepTimedOut>(t => t.RequestId == id, _ => Fail("commissioning_failed", $"no answer within {_settings.StepTimeout.TotalSeconds:0.#} s"));
            Receive<Terminated>(t => t.ActorRef.Equals(_session), _ =>
            {
                _session = ActorRefs.Nobody;
                LeaveCommissioningLink("the PASE session ended: the device is switching networks");
            });
        });
    }

    /// <summary>
    /// The commissioning link is no longer needed: end PASE (it cannot re-arm or disarm any more once the link goes)
    /// and tell the owner, who releases the link and its slot, then find the node on the network. PASE is stopped
    /// without a CloseSession: a device that receives CloseSession before CommissioningComplete may end the
    /// fail-safe and drop the new fabric (matter.js does), and the link's release races that message anyway.
    /// </summary>
    private void LeaveCommissioningLink(string why)
    {
        Timers.Cancel(StepTimer);
        Line(why);
        if (!_session.IsNobody())
        {
            Context.Unwatch(_session);
            Context.Stop(_session);
            _session = ActorRefs.Nobody;
        }

        _reportTo.Tell(new FlowLeftCommissioningLink(FlowStep.ConnectNetwork));
        _step = FlowStep.Case;

        // CASE starts once the owner says the link and its slot are gone (bounded: a slow owner only delays CASE).
        var id = ++_requestId;
        Timers.StartSingleTimer(StepTimer, new StepTimedOut(id), _settings.LinkReleaseTimeout);
        Become(() =>
        {
            Receive<CommissioningLinkReleased>(_ =>
            {
                Timers.Cancel(StepTimer);
                FindNodeWithCredentials();
            });
            Receive<StepTimedOut>(t => t.RequestId == id, _ =>
            {
                Line($"the commissioning link was not reported released within {_settings.LinkReleaseTimeout.TotalSeconds:0.#} s; going on");
                FindNodeWithCredentials();
            });
            ReceiveAny(_ => { });
        });
    }
}
