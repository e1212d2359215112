using Akka.Actor;
using CommissioningActors.Protocol.Matter;
using CommissioningActors.Protocol.Matter.Btp;

namespace CommissioningActors.Core.Commissioning;

/// <summary>
/// What to commission. Addresses, when given, restrict the BLE candidates. <paramref name="Network"/> set: on the IP
/// network instead of through the proxies. The payload holds the passcode: never log it.
/// </summary>
public sealed record CommissionRequest(
    string AttemptId,
    SetupPayload Payload,
    IReadOnlyList<string>? Addresses = null,
    TimeSpan? Timeout = null,
    string? Label = null,
    NetworkTarget? Network = null);

/// <summary>
/// Where an on-network commissioning finds the device: <paramref name="Address"/> when the client gave ip_addr,
/// else the resolver looks for the payload's discriminator (<paramref name="MatchDiscriminator"/> false: any device).
/// </summary>
public sealed record NetworkTarget(System.Net.IPEndPoint? Address, bool MatchDiscriminator = true);

/// <summary>Start an attempt as a child of the supervisor; ReportTo gets AttemptOutput and one AttemptOutcome.</summary>
public sealed record StartCommissioning(CommissionRequest Request, IActorRef ReportTo);

public sealed record CommissioningStarted(string AttemptId, IActorRef Attempt);

public sealed record CancelAttempt(string Reason);

// Attempt -> supervisor: the lifecycle facts the supervisor counts.
public sealed record AttemptStarted(string AttemptId);

public sealed record AttemptEnded(string AttemptId, AttemptOutcome Outcome);

// Attempt -> ReportTo.
public sealed record AttemptOutput(string AttemptId, string Line);

/// <summary>Where the attempt is: "scanning", then "connecting" with how many candidates and live connections.</summary>
public sealed record AttemptProgress(string AttemptId, string Phase, int Candidates, int Connections);

public abstract record AttemptOutcome(string AttemptId);

/// <summary>A successful outcome: what the job keeps as its `result`.</summary>
public abstract record AttemptCompleted(string AttemptId) : AttemptOutcome(AttemptId);

/// <summary>What was learned: the BTP session is open and answered the handshake.</summary>
public sealed record AttemptSucceeded(
    string AttemptId,
    string Address,
    string ProxyId,
    ushort Discriminator,
    ushort? VendorId,
    ushort? ProductId,
    int Mtu,
    BtpHandshakeResponse Btp) : AttemptCompleted(AttemptId);

/// <summary>The device joined our fabric as <paramref name="NodeId"/> (saved by the fabric actor) over <paramref name="Transport"/> ("udp", "ble").</summary>
public sealed record NodeCommissioned(
    string AttemptId,
    ulong NodeId,
    ushort VendorId,
    ushort ProductId,
    string Transport,
    string? Address) : AttemptCompleted(AttemptId);

public sealed record AttemptFailed(string AttemptId, string ErrorCode, string Message) : AttemptOutcome(AttemptId);

public sealed record AttemptCancelled(string AttemptId, string Reason) : AttemptOutcome(AttemptId);

public sealed record GetCommissioningStatus
{
    public static readonly GetCommissioningStatus Instance = new();
}

public sealed record CommissioningStatus(int InProgress);

/// <summary>Failure codes of an attempt beyond the BLE proxy wire codes.</summary>
public static class AttemptErrorCodes
{
    public const string NoProxy = "no_proxy";
    public const string InvalidCode = "invalid_code";
    public const string Cancelled = "cancelled";

    /// <summary>BLE commissioning needs stored Wi-Fi credentials or a Thread dataset the device supports.</summary>
    public const string NetworkCredentialsMissing = "network_credentials_missing";
}
