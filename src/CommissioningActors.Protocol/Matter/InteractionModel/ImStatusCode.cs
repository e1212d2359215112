namespace CommissioningActors.Protocol.Matter.InteractionModel;

/// <summary>Interaction Model status codes (core spec 8.10.1); the deprecated/reserved gaps are left out.</summary>
public enum ImStatusCode : byte
{
    Success = 0x00,
    Failure = 0x01,
    InvalidSubscription = 0x7D,
    UnsupportedAccess = 0x7E,
    UnsupportedEndpoint = 0x7F,
    InvalidAction = 0x80,
    UnsupportedCommand = 0x81,
    InvalidCommand = 0x85,
    UnsupportedAttribute = 0x86,
    ConstraintError = 0x87,
    UnsupportedWrite = 0x88,
    ResourceExhausted = 0x89,
    NotFound = 0x8B,
    UnreportableAttribute = 0x8C,
    InvalidDataType = 0x8D,
    UnsupportedRead = 0x8F,
    DataVersionMismatch = 0x92,
    Timeout = 0x94,
    UnsupportedMode = 0x9B,
    Busy = 0x9C,
    AccessRestricted = 0x9D,
    UnsupportedCluster = 0xC3,
    NoUpstreamSubscription = 0xC5,
    NeedsTimedInteraction = 0xC6,
    UnsupportedEvent = 0xC7,
    PathsExhausted = 0xC8,
    TimedRequestMismatch = 0xC9,
    FailsafeRequired = 0xCA,
    InvalidInState = 0xCB,
    NoCommandResponse = 0xCC,
    TermsAndConditionsChanged = 0xCD,
    MaintenanceRequired = 0xCE,
}

public static class ImStatusCodes
{
    private static readonly Dictionary<ImStatusCode, string> SpecNames = new()
    {
        [ImStatusCode.Success] = "SUCCESS",
        [ImStatusCode.Failure] = "FAILURE",
        [ImStatusCode.InvalidSubscription] = "INVALID_SUBSCRIPTION",
        [ImStatusCode.UnsupportedAccess] = "UNSUPPORTED_ACCESS",
        [ImStatusCode.UnsupportedEndpoint] = "UNSUPPORTED_ENDPOINT",
        [ImStatusCode.InvalidAction] = "INVALID_ACTION",
        [ImStatusCode.UnsupportedCommand] = "UNSUPPORTED_COMMAND",
        [ImStatusCode.InvalidCommand] = "INVALID_COMMAND",
        [ImStatusCode.UnsupportedAttribute] = "UNSUPPORTED_ATTRIBUTE",
        [ImStatusCode.ConstraintError] = "CONSTRAINT_ERROR",
        [ImStatusCode.UnsupportedWrite] = "UNSUPPORTED_WRITE",
        [ImStatusCode.ResourceExhausted] = "RESOURCE_EXHAUSTED",
        [ImStatusCode.NotFound] = "NOT_FOUND",
        [ImStatusCode.UnreportableAttribute] = "UNREPORTABLE_ATTRIBUTE",
        [ImStatusCode.InvalidDataType] = "INVALID_DATA_TYPE",
        [ImStatusCode.UnsupportedRead] = "UNSUPPORTED_READ",
        [ImStatusCode.DataVersionMismatch] = "DATA_VERSION_MISMATCH",
        [ImStatusCode.Timeout] = "TIMEOUT",
        [ImStatusCode.UnsupportedMode] = "UNSUPPORTED_MODE",
        [ImStatusCode.Busy] = "BUSY",
        [ImStatusCode.AccessRestricted] = "ACCESS_RESTRICTED",
        [ImStatusCode.UnsupportedCluster] = "UNSUPPORTED_CLUSTER",
        [ImStatusCode.NoUpstreamSubscription] = "NO_UPSTREAM_SUBSCRIPTION",
        [ImStatusCode.NeedsTimedInteraction] = "NEEDS_TIMED_INTERACTION",
        [ImStatusCode.UnsupportedEvent] = "UNSUPPORTED_EVENT",
        [ImStatusCode.PathsExhausted] = "PATHS_EXHAUSTED",
        [ImStatusCode.TimedRequestMismatch] = "TIMED_REQUEST_MISMATCH",
        [ImStatusCode.FailsafeRequired] = "FAILSAFE_REQUIRED",
        [ImStatusCode.InvalidInState] = "INVALID_IN_STATE",
        [ImStatusCode.NoCommandResponse] = "NO_COMMAND_RESPONSE",
        [ImStatusCode.TermsAndConditionsChanged] = "TERMS_AND_CONDITIONS_CHANGED",
        [ImStatusCode.MaintenanceRequired] = "MAINTENANCE_REQUIRED",
    };

    /// <summary>The spec's name (e.g. UNSUPPORTED_ATTRIBUTE), or "UNKNOWN_STATUS_0xNN" for codes outside the table.</summary>
    public static string SpecName(this ImStatusCode code) =>
        SpecNames.TryGetValue(code, out var name) ? name : $"UNKNOWN_STATUS_0x{(byte)code:X2}";
}

/// <summary>StatusIB: an IM status and, for cluster-specific failures, the cluster's own status code.</summary>
public sealed record StatusIB(ImStatusCode Status, byte? ClusterStatus = null)
{
    public static readonly StatusIB Success = new(ImStatusCode.Success);

    public bool IsSuccess => Status == ImStatusCode.Success;

    public override string ToString() => ClusterStatus is { } cs
        ? $"{Status.SpecName()} (0x{(byte)Status:X2}), cluster status {cs}"
        : $"{Status.SpecName()} (0x{(byte)Status:X2})";
}
