using CommissioningActors.Protocol.Matter.Certificates;

namespace CommissioningActors.Core.Matter.Commissioning;

/// <summary>
/// Matter TLV certificate encoding (AddTrustedRootCertificate, AddNOC carry TLV certificates). The certificate
/// layer is adding it; until it lands, <see cref="UnavailableCertificateTlvEncoder"/> makes the flow stop at
/// AddTrustedRootCertificate with a clear error instead of sending something the device would reject.
/// </summary>
public interface ICertificateTlvEncoder
{
    /// <summary>The certificate as Matter TLV, or null with <paramref name="error"/> set.</summary>
    byte[]? Encode(MatterCertificate certificate, out string? error);
}

public sealed class UnavailableCertificateTlvEncoder : ICertificateTlvEncoder
{
    public static readonly UnavailableCertificateTlvEncoder Instance = new();

    public byte[]? Encode(MatterCertificate certificate, out string? error)
    {
        error = "Matter TLV certificate encoding is not available in this build";
        return null;
    }
}
