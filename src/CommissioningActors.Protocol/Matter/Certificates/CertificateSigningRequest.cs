using System.Formats.Asn1;
using CommissioningActors.Protocol.Matter.Crypto;

namespace CommissioningActors.Protocol.Matter.Certificates;

/// <summary>
/// A device's PKCS#10 CSR (from NOCSR elements): checked for shape, its signature verified with the key it
/// carries (proof the device holds the private key), and that key returned. The subject is ignored, as the
/// spec allows any. Never throws on bad input.
/// </summary>
public static class CertificateSigningRequest
{
    public const int MaxLength = 1024;

    private static readonly Asn1Tag AttributesTag = new(TagClass.ContextSpecific, 0, isConstructed: true);

    /// <summary>The CSR's 65-byte P-256 public key, if the CSR is well-formed and self-signed.</summary>
    public static CryptoResult<byte[]> VerifyAndGetPublicKey(ReadOnlySpan<byte> csr)
    {
        if (csr.Length is 0 or > MaxLength)
        {
            return Fail(CryptoErrorKind.Malformed, $"CSR is {csr.Length} bytes; expected 1..{MaxLength}");
        }

        byte[] info;
        byte[] publicKey;
        byte[]? signature;
        try
        {
            var outer = new AsnReader(csr.ToArray(), AsnEncodingRules.DER);
            var request = outer.ReadSequence();
            if (outer.HasData)
            {
                return Fail(CryptoErrorKind.Malformed, "unexpected data after the CSR");
            }

            info = request.ReadEncodedValue().ToArray();
            publicKey = ReadInfo(info);
            var algorithm = request.ReadSequence();
            if (algorithm.ReadObjectIdentifier() != MatterOids.EcdsaWithSha256 || algorithm.HasData)
            {
                return Fail(CryptoErrorKind.Malformed, "the CSR signature algorithm must be ecdsa-with-SHA256");
            }

            var signatureDer = request.ReadBitString(out var unused);
            signature = unused == 0 && !request.HasData ? EcdsaP256.DerToRaw(signatureDer) : null;
        }
        catch (Exception e) when (e is AsnContentException or FormatException)
        {
            return Fail(CryptoErrorKind.Malformed, $"not a PKCS#10 CSR: {e.Message}");
        }

        if (signature is null)
        {
            return Fail(CryptoErrorKind.Malformed, "the CSR signature is not a P-256 ECDSA value");
        }

        return EcdsaP256.VerifyRaw(publicKey, info, signature)
            ? CryptoResult<byte[]>.Ok(publicKey)
            : Fail(CryptoErrorKind.InvalidSignature, "the CSR signature does not verify with the key it carries");
    }

    private static byte[] ReadInfo(byte[] info)
    {
        var outer = new AsnReader(info, AsnEncodingRules.DER);
        var reader = outer.ReadSequence();
        if (!reader.TryReadInt32(out var version) || version != 0)
        {
            throw new FormatException("the CSR version must be 0");
        }

        reader.ReadSequence(); // subject: any value
        var keyInfo = reader.ReadSequence();
        var algorithm = keyInfo.ReadSequence();
        if (algorithm.ReadObjectIdentifier() != MatterOids.EcPublicKey || algorithm.ReadObjectIdentifier() != MatterOids.Prime256v1)
        {
            throw new FormatException("the CSR key must be an EC P-256 key");
        }

        var key = keyInfo.ReadBitString(out var unused);
        if (unused != 0 || keyInfo.HasData || !P256.DecodePeerPoint(key, "the CSR key").IsOk)
        {
            throw new FormatException("the CSR key is not a valid uncompressed P-256 point");
        }

        if (reader.HasData)
        {
            reader.ReadSequence(AttributesTag); // attributes: any
            if (reader.HasData)
            {
                throw new FormatException("unexpected data after the CSR attributes");
            }
        }

        return key;
    }

    private static CryptoResult<byte[]> Fail(CryptoErrorKind kind, string message) => CryptoResult<byte[]>.Fail(kind, message);
}
