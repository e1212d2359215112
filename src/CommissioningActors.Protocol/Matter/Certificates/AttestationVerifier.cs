using CommissioningActors.Protocol.Matter.Crypto;

namespace CommissioningActors.Protocol.Matter.Certificates;

/// <summary>The vendor and product id the device reports in its Basic Information cluster.</summary>
public readonly record struct DeviceBasicInformation(ushort VendorId, ushort ProductId);

/// <summary>A device whose attestation passed. Warnings (test device, test declaration...) must reach the job output.</summary>
public sealed record AttestationResult(
    ushort VendorId,
    ushort? ProductId,
    bool IsDevelopmentDevice,
    CertificationDeclaration Declaration,
    IReadOnlyList<string> Warnings);

/// <summary>
/// The whole of step "device attestation": the elements echo our nonce, the DAC -> PAI -> PAA chain and the DAC's
/// signature over elements || challenge (<see cref="DeviceAttestation"/>), the certification declaration's CMS
/// signature by a known CD signing key, and the declaration covering the DAC and the reported vendor/product
/// (<see cref="AttestationIdentity"/>).
/// </summary>
public static class AttestationVerifier
{
    public static CryptoResult<AttestationResult> Verify(
        PaaTrustStore paas,
        CertificationDeclarationSigners cdSigners,
        ReadOnlySpan<byte> dac,
        ReadOnlySpan<byte> pai,
        ReadOnlySpan<byte> attestationElements,
        ReadOnlySpan<byte> signature,
        ReadOnlySpan<byte> attestationChallenge,
        ReadOnlySpan<byte> attestationNonce,
        DeviceBasicInformation? basicInformation,
        DateTimeOffset? at = null)
    {
        var elements = AttestationElements.Parse(attestationElements, attestationNonce);
        if (!elements.IsOk)
        {
            return elements.Error!;
        }

        var chain = DeviceAttestation.Verify(paas, dac, pai, attestationElements, attestationChallenge, signature, at);
        if (!chain.IsOk)
        {
            return chain.Error!;
        }

        var cd = cdSigners.Verify(elements.Value!.CertificationDeclaration);
        if (!cd.IsOk)
        {
            return cd.Error!;
        }

        var info = chain.Value!;
        var declaration = cd.Value!.Declaration;
        var problem = CheckDeclaration(declaration, info, basicInformation);
        if (problem is not null)
        {
            return CryptoResult<AttestationResult>.Fail(CryptoErrorKind.UntrustedChain, problem);
        }

        var warnings = new List<string>(info.Warnings);
        if (cd.Value.SignedByTestKey)
        {
            warnings.Add("certification declaration signed by the test CD signing key");
        }

        if (declaration.IsDevelopmentAndTest)
        {
            warnings.Add("certification declaration of type development/test");
        }

        if (basicInformation is null)
        {
            warnings.Add("basic information not read: vendor/product not compared with the certification declaration");
        }

        return CryptoResult<AttestationResult>.Ok(new AttestationResult(
            info.VendorId, info.ProductId, info.IsDevelopmentDevice, declaration, warnings));
    }

    private static string? CheckDeclaration(CertificationDeclaration cd, AttestationInfo info, DeviceBasicInformation? basic)
    {
        if (cd.FormatVersion != 1)
        {
            return $"certification declaration format version {cd.FormatVersion} is not supported";
        }

        if (info.ProductId is not { } dacProduct)
        {
            return "the DAC carries no product id";
        }

        var identity = AttestationIdentity.Check(basic, info.VendorId, dacProduct, cd);
        if (identity is not null)
        {
            return identity;
        }

        if (cd.AuthorizedPaaKeyIds.Count > 0 &&
            (info.PaaKeyId is not { } paa || !cd.AuthorizedPaaKeyIds.Any(k => k.AsSpan().SequenceEqual(paa))))
        {
            return "the device's PAA is not in the certification declaration's authorized PAA list";
        }

        return null;
    }
}
