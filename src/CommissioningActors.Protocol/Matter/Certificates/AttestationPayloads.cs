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
    public static CryptoResult<AttestationElements> Parse(ReadOnlySpan<byte> tlv, ReadOnlySpan<byte> expectedNonce) =>
        NonceEchoingElements.Parse(
            tlv,
            "attestation elements",
            MaxLength,
            f => new AttestationElements(
                f.Bytes(1, "certification declaration", 1, CertificationDeclarationSigners.MaxCmsLength),
                f.Bytes(2, "attestation nonce", NonceLength, NonceLength),
                (uint)f.Unsigned(3, "timestamp", uint.MaxValue),
                f.OptionalBytes(4, "firmware information", 0, MaxLength)),
            e => e.AttestationNonce,
            expectedNonce,
            "the attestation elements do not echo our attestation nonce");
}

/// <summary>CSRResponse's NOCSR elements (core spec 11.18.4.9): the PKCS#10 CSR (1) and the nonce we sent (2).</summary>
public sealed record NocsrElements(byte[] Csr, byte[] CsrNonce)
{
    public const int MaxLength = 900;
    public const int NonceLength = 32;

    public static CryptoResult<NocsrElements> Parse(ReadOnlySpan<byte> tlv, ReadOnlySpan<byte> expectedNonce) =>
        NonceEchoingElements.Parse(
            tlv,
            "NOCSR elements",
            MaxLength,
            f => new NocsrElements(
                f.Bytes(1, "CSR", 1, CertificateSigningRequest.MaxLength),
                f.Bytes(2, "CSR nonce", NonceLength, NonceLength)),
            e => e.CsrNonce,
            expectedNonce,
            "the NOCSR elements do not echo our CSR nonce");
}

/// <summary>Elements signed by the device that must echo a nonce we sent (compared in constant time).</summary>
internal static class NonceEchoingElements
{
    public static CryptoResult<T> Parse<T>(
        ReadOnlySpan<byte> tlv,
        string what,
        int maxLength,
        Func<TlvFields, T> read,
        Func<T, byte[]> nonceOf,
        ReadOnlySpan<byte> expectedNonce,
        string mismatch)
    {
        var parsed = TlvFields.Read(tlv, what, maxLength, read);
        if (!parsed.IsOk)
        {
            return parsed;
        }

        return CryptographicOperations.FixedTimeEquals(nonceOf(parsed.Value!), expectedNonce)
            ? parsed
            : CryptoResult<T>.Fail(CryptoErrorKind.ConfirmationFailed, mismatch);
    }
}
