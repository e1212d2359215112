using CommissioningActors.Protocol.Matter.Tlv;

namespace CommissioningActors.Protocol.Matter.InteractionModel;

/// <summary>CommissioningErrorEnum (GeneralCommissioning responses).</summary>
public enum CommissioningError : byte
{
    Ok = 0,
    ValueOutsideRange = 1,
    InvalidAuthentication = 2,
    NoFailSafe = 3,
    BusyWithOtherAdmin = 4,
    RequiredTcNotAccepted = 5,
    TcAcknowledgementsNotReceived = 6,
    TcMinVersionNotMet = 7,
}

/// <summary>NodeOperationalCertStatusEnum (NOCResponse); 7 and 8 are reserved.</summary>
public enum NodeOperationalCertStatus : byte
{
    Ok = 0,
    InvalidPublicKey = 1,
    InvalidNodeOpId = 2,
    InvalidNoc = 3,
    MissingCsr = 4,
    TableFull = 5,
    InvalidAdminSubject = 6,
    FabricConflict = 9,
    LabelConflict = 10,
    InvalidFabricIndex = 11,
}

/// <summary>NetworkCommissioningStatusEnum (NetworkConfigResponse, ConnectNetworkResponse).</summary>
public enum NetworkCommissioningStatus : byte
{
    Success = 0,
    OutOfRange = 1,
    BoundsExceeded = 2,
    NetworkIdNotFound = 3,
    DuplicateNetworkId = 4,
    NetworkNotFound = 5,
    RegulatoryError = 6,
    AuthFailure = 7,
    UnsupportedSecurity = 8,
    OtherConnectionFailure = 9,
    Ipv6Failed = 10,
    IpBindFailed = 11,
    UnknownError = 12,
}

/// <summary>
/// ArmFailSafeResponse, SetRegulatoryConfigResponse and CommissioningCompleteResponse share one shape.
/// DebugText is the device's own string: escape it before it reaches a log or job line.
/// </summary>
public sealed record CommissioningResponse(CommissioningError ErrorCode, string DebugText)
{
    public bool IsOk => ErrorCode == CommissioningError.Ok;

    public string ErrorName => Name(ErrorCode);

    public static Parsed<CommissioningResponse> Parse(TlvElement fields) =>
        ImDecode.Run(fields, "commissioning response", root =>
        {
            var c = ImDecode.Container(root, TlvContainerKind.Structure, "fields");
            return new CommissioningResponse(
                (CommissioningError)ImDecode.RequiredUnsigned(c, 0, byte.MaxValue, "errorCode"),
                ImDecode.OptionalString(c, 1, 128, "debugText") ?? "");
        });

    internal static string Name<T>(T value)
        where T : struct, Enum =>
        Enum.IsDefined(value) ? value.ToString() : $"Unknown({Convert.ToByte(value, System.Globalization.CultureInfo.InvariantCulture)})";
}

public sealed record AttestationResponse(ReadOnlyMemory<byte> AttestationElements, ReadOnlyMemory<byte> AttestationSignature)
{
    public static Parsed<AttestationResponse> Parse(TlvElement fields) =>
        ImDecode.Run(fields, "AttestationResponse", root =>
        {
            var c = ImDecode.Container(root, TlvContainerKind.Structure, "fields");
            return new AttestationResponse(
                ImDecode.RequiredBytes(c, 0, 900, "attestationElements"),
                ExactlyBytes(c, 1, 64, "attestationSignature"));
        });

    internal static ReadOnlyMemory<byte> ExactlyBytes(TlvContainer c, byte tag, int length, string what)
    {
        var bytes = ImDecode.RequiredBytes(c, tag, length, what);
        return bytes.Length == length ? bytes : throw new ImDecodeException($"{what} must be {length} bytes");
    }
}

public sealed record CertificateChainResponse(ReadOnlyMemory<byte> Certificate)
{
    public static Parsed<CertificateChainResponse> Parse(TlvElement fields) =>
        ImDecode.Run(fields, "CertificateChainResponse", root =>
            new CertificateChainResponse(ImDecode.RequiredBytes(ImDecode.Container(root, TlvContainerKind.Structure, "fields"), 0, 600, "certificate")));
}

public sealed record CsrResponse(ReadOnlyMemory<byte> NocsrElements, ReadOnlyMemory<byte> AttestationSignature)
{
    public static Parsed<CsrResponse> Parse(TlvElement fields) =>
        ImDecode.Run(fields, "CSRResponse", root =>
        {
            var c = ImDecode.Container(root, TlvContainerKind.Structure, "fields");
            return new CsrResponse(
                ImDecode.RequiredBytes(c, 0, 900, "nocsrElements"),
                AttestationResponse.ExactlyBytes(c, 1, 64, "attestationSignature"));
        });
}

/// <summary>NOCResponse {0 StatusCode, 1 FabricIndex?, 2 DebugText?}; DebugText is the device's string (escape before logging).</summary>
public sealed record NocResponse(NodeOperationalCertStatus StatusCode, byte? FabricIndex, string? DebugText)
{
    public bool IsOk => StatusCode == NodeOperationalCertStatus.Ok;

    public string StatusName => CommissioningResponse.Name(StatusCode);

    public static Parsed<NocResponse> Parse(TlvElement fields) =>
        ImDecode.Run(fields, "NOCResponse", root =>
        {
            var c = ImDecode.Container(root, TlvContainerKind.Structure, "fields");
            var index = ImDecode.OptionalUnsigned(c, 1, byte.MaxValue, "fabricIndex");
            if (index == 0)
            {
                throw new ImDecodeException("fabricIndex 0 is not a valid fabric index");
            }

            return new NocResponse(
                (NodeOperationalCertStatus)ImDecode.RequiredUnsigned(c, 0, byte.MaxValue, "statusCode"),
                (byte?)index,
                ImDecode.OptionalString(c, 2, 128, "debugText"));
        });
}

/// <summary>NetworkConfigResponse {0 NetworkingStatus, 1 DebugText?, 2 NetworkIndex?}.</summary>
public sealed record NetworkConfigResponse(NetworkCommissioningStatus Status, string? DebugText, byte? NetworkIndex)
{
    public bool IsOk => Status == NetworkCommissioningStatus.Success;

    public string StatusName => CommissioningResponse.Name(Status);

    public static Parsed<NetworkConfigResponse> Parse(TlvElement fields) =>
        ImDecode.Run(fields, "NetworkConfigResponse", root =>
        {
            var c = ImDecode.Container(root, TlvContainerKind.Structure, "fields");
            return new NetworkConfigResponse(
                (NetworkCommissioningStatus)ImDecode.RequiredUnsigned(c, 0, byte.MaxValue, "networkingStatus"),
                ImDecode.OptionalString(c, 1, 512, "debugText"),
                (byte?)ImDecode.OptionalUnsigned(c, 2, byte.MaxValue, "networkIndex"));
        });
}

/// <summary>ConnectNetworkResponse {0 NetworkingStatus, 1 DebugText?, 2 ErrorValue (int32, nullable)}.</summary>
public sealed record ConnectNetworkResponse(NetworkCommissioningStatus Status, string? DebugText, int? ErrorValue)
{
    public bool IsOk => Status == NetworkCommissioningStatus.Success;

    public string StatusName => CommissioningResponse.Name(Status);

    public static Parsed<ConnectNetworkResponse> Parse(TlvElement fields) =>
        ImDecode.Run(fields, "ConnectNetworkResponse", root =>
        {
            var c = ImDecode.Container(root, TlvContainerKind.Structure, "fields");
            var error = c.Member(2);
            int? errorValue = error is null || error.Value is TlvNull
                ? null
                : error.AsSigned() is long v && v is >= int.MinValue and <= int.MaxValue
                    ? (int)v
                    : throw new ImDecodeException("errorValue must be a 32-bit integer or null");
            return new ConnectNetworkResponse(
                (NetworkCommissioningStatus)ImDecode.RequiredUnsigned(c, 0, byte.MaxValue, "networkingStatus"),
                ImDecode.OptionalString(c, 1, 512, "debugText"),
                errorValue);
        });
}
