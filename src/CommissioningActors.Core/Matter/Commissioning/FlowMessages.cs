using CommissioningActors.Core.Storage;

namespace CommissioningActors.Core.Matter.Commissioning;

/// <summary>The commissioning steps, in matter.js's order (docs/matter/matterjs-reference.md).</summary>
public enum FlowStep
{
    Pase,
    ReadInitialData,
    ArmFailSafe,
    SetRegulatoryConfig,
    Attestation,
    CsrRequest,
    AddTrustedRootCertificate,
    AddNoc,
    ConfigureNetwork,
    ConnectNetwork,
    Case,
    CommissioningComplete,
}

/// <summary>One line for the job's output (never a passcode, key or credential).</summary>
public sealed record FlowLine(FlowStep Step, string Text);

/// <summary>The device is on our fabric as <paramref name="Node"/> (already saved by the fabric actor).</summary>
public sealed record FlowSucceeded(NodeRecord Node)
{
    public ulong NodeId => Node.NodeId;
}

/// <summary>
/// The flow stopped at <paramref name="Step"/>. <paramref name="ErrorCode"/> is the job error code
/// (pase_failed, attestation_failed, commissioning_failed); <paramref name="Reason"/> names the device's status.
/// <paramref name="Unreachable"/>: the device never answered at this address (PASE timed out or went unacknowledged),
/// so the same device at another address may still work.
/// </summary>
public sealed record FlowFailed(FlowStep Step, string ErrorCode, string Reason, bool Unreachable = false);

/// <summary>
/// Told to the report-to actor once the commissioning channel (BLE) is no longer needed: the device accepted
/// ConnectNetwork (or dropped the link while switching networks). Its owner may release the link and its slot now.
/// </summary>
public sealed record FlowLeftCommissioningLink(FlowStep Step);

/// <summary>
/// The owner's answer to <see cref="FlowLeftCommissioningLink"/>: the link is gone and its slot is back in the pool.
/// The flow waits for it (bounded by <see cref="FlowSettings.LinkReleaseTimeout"/>) before CASE, so the slot is
/// really free before CASE starts, not only reported so.
/// </summary>
public sealed record CommissioningLinkReleased
{
    public static readonly CommissioningLinkReleased Instance = new();
}

/// <summary>
/// Stop the flow where it is (the job was cancelled or timed out): an armed fail-safe is first disarmed (bounded by
/// the disarm timeout), then the flow reports <see cref="FlowFailed"/> with <paramref name="ErrorCode"/> and stops.
/// </summary>
public sealed record AbortFlow(string ErrorCode, string Reason);
