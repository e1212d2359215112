using System.Security.Cryptography;
using CommissioningActors.Protocol.Matter.Crypto;

namespace CommissioningActors.Protocol.Matter.Certificates;

/// <summary>
/// AttestationResponse's attestation elements (core spec 11.18.4.7): certification declaration (1), the nonce we
/// sent (2), timestamp (3), optional firmware information (4); vendor-reserved fields are ignored.
/// </summary>
public sealed record AttestationElements(byte[] CertificationDeclaration, byte[] AttestationNonce, uint Timestamp, byte[]? FirmwareInformation)
{
    /// <summary>RESP_MAX: the spec's bound on the elements.</summary>
    public const int MaxLength = 900;
    public const int NonceLength = 32;

    /// <summary>Parses the elements and checks they echo <paramref name="expectedNonce"/>.</summary>
    public static CryptoResult<AttestationElements> Parse(ReadOnlySpan<byte> tlv, ReadOnlySpan<byte> expectedNonce)
    {
        var opened = TlvFields.Open(tlv, "attestation elements", MaxLength);
        if (!opened.IsOk)
        {
            return opened.Error!;
        }

        AttestationElements elements;
        try
        {
            var f = opened.Value!;
            elements = new AttestationElements(
                f.Bytes(1, "certification declaration", 1, CertificationDeclarationSigners.MaxCmsLength),
                f.Bytes(2, "attestation nonce", NonceLength, NonceLength),
                (uint)f.Unsigned(3, "timestamp", uint.MaxValue),
                f.OptionalBytes(4, "firmware information", 0, MaxLength));
        }
        catch (FormatException e)
        {
            return CryptoResult<AttestationElements>.Fail(CryptoErrorKind.Malformed, $"attestation elements: {e.Message}");
        }

        return CryptographicOperations.FixedTimeEquals(elements.AttestationNonce, expectedNonce)
            ? CryptoResult<AttestationElements>.Ok(elements)
            : CryptoResult<AttestationElements>.Fail(CryptoErrorKind.ConfirmationFailed, "the attestation elements do not echo our attestation nonce");
    }
}

/// <summary>CSRResponse's NOCSR elements (core spec 11.18.4.9): the PKCS#10 CSR (1) and the nonce we sent (2).</summary>
public sealed record NocsrElements(byte[] Csr, byte[] CsrNonce)
{
    public const int MaxLength = 900;
    public const int NonceLength = 32;

    public static CryptoResult<NocsrElements> Parse(ReadOnlySpan<byte> tlv, ReadOnlySpan<byte> expectedNonce)
    {
        var opened = TlvFields.Open(tlv, "NOCSR elements", MaxLength);
        if (!opened.IsOk)
        {
            return opened.Error!;
        }

        NocsrElements elements;
        try
        {
            var f = opened.Value!;
            elements = new NocsrElements(
                f.Bytes(1, "CSR", 1, CertificateSigningRequest.MaxLength),
                f.Bytes(2, "CSR nonce", NonceLength, NonceLength));
        }
        catch (FormatException e)
        {
            return CryptoResult<NocsrElements>.Fail(CryptoErrorKind.Malformed, $"NOCSR elements: {e.Message}");
        }

        return CryptographicOperations.FixedTimeEquals(elements.CsrNonce, expectedNonce)
            ? CryptoResult<NocsrElements>.Ok(elements)
            : CryptoResult<NocsrElements>.Fail(CryptoErrorKind.ConfirmationFailed, "the NOCSR elements do not echo our CSR nonce");
    }
}
