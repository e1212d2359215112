using CommissioningActors.Protocol.Matter.Tlv;

namespace CommissioningActors.Protocol.Matter.InteractionModel;

/// <summary>
/// A built command: cluster, command id, fields structure, the response command it expects (null when the
/// answer is a status) and an optional timed-invoke timeout. ToString leaves the fields out: some carry secrets.
/// </summary>
public sealed record ClusterCommand(uint Cluster, uint Command, TlvElement Fields, uint? ResponseCommand = null, ushort? TimedTimeoutMs = null)
{
    public InvokeClient ToInvoke(ushort endpoint = 0) => new(new CommandPath(endpoint, Cluster, Command), Fields, TimedTimeoutMs);

    public override string ToString() => $"ClusterCommand(0x{Cluster:X4}/0x{Command:X2})";

    internal static ClusterCommand Of(uint cluster, uint command, uint? response, params TlvElement[] fields) =>
        new(cluster, command, TlvElement.Structure(TlvTag.Anonymous, fields), response);

    internal static TlvElement U(byte tag, ulong value) => new(TlvTag.Context(tag), new TlvUnsigned(value));

    internal static TlvElement B(byte tag, ReadOnlySpan<byte> value) => new(TlvTag.Context(tag), new TlvBytes(value.ToArray()));

    internal static TlvElement S(byte tag, string value) => new(TlvTag.Context(tag), new TlvUtf8(value));
}

/// <summary>RegulatoryLocationTypeEnum (GeneralCommissioning).</summary>
public enum RegulatoryLocation : byte
{
    Indoor = 0,
    Outdoor = 1,
    IndoorOutdoor = 2,
}

/// <summary>CertificateChainTypeEnum (OperationalCredentials).</summary>
public enum CertificateChainType : byte
{
    Dac = 1,
    Pai = 2,
}

/// <summary>GeneralCommissioning (0x30) commands, endpoint 0.</summary>
public static class GeneralCommissioningCommands
{
    private const uint Cluster = ClusterIds.GeneralCommissioning;

    /// <summary>ArmFailSafe 0x00 {0 ExpiryLengthSeconds u16, 1 Breadcrumb u64} -> ArmFailSafeResponse 0x01.</summary>
    public static ClusterCommand ArmFailSafe(ushort expiryLengthSeconds, ulong breadcrumb) =>
        ClusterCommand.Of(Cluster, 0x00, 0x01, ClusterCommand.U(0, expiryLengthSeconds), ClusterCommand.U(1, breadcrumb));

    /// <summary>SetRegulatoryConfig 0x02 {0 NewRegulatoryConfig, 1 CountryCode (2 chars), 2 Breadcrumb} -> 0x03.</summary>
    public static ClusterCommand SetRegulatoryConfig(RegulatoryLocation location, string countryCode, ulong breadcrumb)
    {
        if (countryCode.Length != 2)
        {
            throw new ArgumentException("country code must be two characters, e.g. \"XX\"", nameof(countryCode));
        }

        return ClusterCommand.Of(Cluster, 0x02, 0x03,
            ClusterCommand.U(0, (byte)location), ClusterCommand.S(1, countryCode), ClusterCommand.U(2, breadcrumb));
    }

    /// <summary>CommissioningComplete 0x04 {} -> CommissioningCompleteResponse 0x05.</summary>
    public static ClusterCommand CommissioningComplete() => ClusterCommand.Of(Cluster, 0x04, 0x05);
}

/// <summary>OperationalCredentials (0x3E) commands, endpoint 0.</summary>
public static class OperationalCredentialsCommands
{
    private const uint Cluster = ClusterIds.OperationalCredentials;

    public static ClusterCommand AttestationRequest(ReadOnlySpan<byte> nonce) =>
        ClusterCommand.Of(Cluster, 0x00, 0x01, ClusterCommand.B(0, Exactly(nonce, 32, nameof(nonce))));

    public static ClusterCommand CertificateChainRequest(CertificateChainType type) =>
        ClusterCommand.Of(Cluster, 0x02, 0x03, ClusterCommand.U(0, (byte)type));

    public static ClusterCommand CsrRequest(ReadOnlySpan<byte> nonce, bool? isForUpdateNoc = null)
    {
        var nonceField = ClusterCommand.B(0, Exactly(nonce, 32, nameof(nonce)));
        return isForUpdateNoc is { } update
            ? ClusterCommand.Of(Cluster, 0x04, 0x05, nonceField, new TlvElement(TlvTag.Context(1), update ? TlvBool.True : TlvBool.False))
            : ClusterCommand.Of(Cluster, 0x04, 0x05, nonceField);
    }

    /// <summary>AddTrustedRootCertificate 0x0B {0 RootCACertificate}: answered by a status only.</summary>
    public static ClusterCommand AddTrustedRootCertificate(ReadOnlySpan<byte> rcac) =>
        ClusterCommand.Of(Cluster, 0x0B, null, ClusterCommand.B(0, rcac));

    /// <summary>AddNOC 0x06 {0 NOC, 1 ICAC?, 2 IPK (16 B), 3 CaseAdminSubject, 4 AdminVendorId} -> NOCResponse 0x08.</summary>
    public static ClusterCommand AddNoc(ReadOnlySpan<byte> noc, ReadOnlySpan<byte> icac, ReadOnlySpan<byte> ipk, ulong caseAdminSubject, ushort adminVendorId)
    {
        var fields = new List<TlvElement> { ClusterCommand.B(0, noc) };
        if (!icac.IsEmpty)
        {
            fields.Add(ClusterCommand.B(1, icac));
        }

        fields.Add(ClusterCommand.B(2, Exactly(ipk, 16, nameof(ipk))));
        fields.Add(ClusterCommand.U(3, caseAdminSubject));
        fields.Add(ClusterCommand.U(4, adminVendorId));
        return ClusterCommand.Of(Cluster, 0x06, 0x08, [.. fields]);
    }

    public static ClusterCommand UpdateFabricLabel(string label) =>
        label.Length <= 32
            ? ClusterCommand.Of(Cluster, 0x09, 0x08, ClusterCommand.S(0, label))
            : throw new ArgumentException("fabric label is at most 32 characters", nameof(label));

    public static ClusterCommand RemoveFabric(byte fabricIndex) => ClusterCommand.Of(Cluster, 0x0A, 0x08, ClusterCommand.U(0, fabricIndex));

    private static ReadOnlySpan<byte> Exactly(ReadOnlySpan<byte> value, int length, string name) =>
        value.Length == length ? value : throw new ArgumentException($"{name} must be {length} bytes", name);
}

/// <summary>NetworkCommissioning (0x31) commands, endpoint 0. Credentials and datasets are secrets.</summary>
public static class NetworkCommissioningCommands
{
    private const uint Cluster = ClusterIds.NetworkCommissioning;

    public static ClusterCommand AddOrUpdateWiFiNetwork(ReadOnlySpan<byte> ssid, ReadOnlySpan<byte> credentials, ulong breadcrumb) =>
        ClusterCommand.Of(Cluster, 0x02, 0x05, ClusterCommand.B(0, ssid), ClusterCommand.B(1, credentials), ClusterCommand.U(2, breadcrumb));

    public static ClusterCommand AddOrUpdateThreadNetwork(ReadOnlySpan<byte> operationalDataset, ulong breadcrumb) =>
        ClusterCommand.Of(Cluster, 0x03, 0x05, ClusterCommand.B(0, operationalDataset), ClusterCommand.U(1, breadcrumb));

    public static ClusterCommand ConnectNetwork(ReadOnlySpan<byte> networkId, ulong breadcrumb) =>
        ClusterCommand.Of(Cluster, 0x06, 0x07, ClusterCommand.B(0, networkId), ClusterCommand.U(1, breadcrumb));
}
