using System.Formats.Asn1;
using System.Security.Cryptography;

namespace CommissioningActors.Protocol.Matter.Crypto;

/// <summary>
/// ECDSA P-256 with SHA-256 as Matter uses it: public keys as 65-byte uncompressed points, signatures on the
/// wire as raw r || s (64 bytes), inside X.509 and PKCS#10 as a DER ECDSA-Sig-Value.
/// </summary>
public static class EcdsaP256
{
    public const int PublicKeyLength = 65;
    public const int RawSignatureLength = 64;
    private const int CoordinateLength = 32;

    public static ECDsa CreateKey() => ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public static byte[] PublicKeyOf(ECDsa key)
    {
        var q = key.ExportParameters(false).Q;
        var encoded = new byte[PublicKeyLength];
        encoded[0] = 0x04;
        q.X!.CopyTo(encoded, 1);
        q.Y!.CopyTo(encoded, 1 + CoordinateLength);
        return encoded;
    }

    /// <summary>Imports a peer's public key after checking it is a valid P-256 point.</summary>
    public static CryptoResult<ECDsa> ImportPublicKey(ReadOnlySpan<byte> uncompressed)
    {
        var point = P256.DecodePeerPoint(uncompressed, "the public key");
        if (!point.IsOk)
        {
            return point.Error!;
        }

        var parameters = new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint
            {
                X = uncompressed.Slice(1, CoordinateLength).ToArray(),
                Y = uncompressed.Slice(1 + CoordinateLength, CoordinateLength).ToArray(),
            },
        };
        return CryptoResult<ECDsa>.Ok(ECDsa.Create(parameters));
    }

    public static byte[] SignRaw(ECDsa key, ReadOnlySpan<byte> data) =>
        key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    /// <summary>Verifies a raw r || s signature; false for a bad key or a signature of the wrong size.</summary>
    public static bool VerifyRaw(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        if (signature.Length != RawSignatureLength)
        {
            return false;
        }

        var key = ImportPublicKey(publicKey);
        if (!key.IsOk)
        {
            return false;
        }

        using var ecdsa = key.Value!;
        return ecdsa.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    /// <summary>r || s to the DER ECDSA-Sig-Value SEQUENCE { r INTEGER, s INTEGER }.</summary>
    public static byte[] RawToDer(ReadOnlySpan<byte> raw)
    {
        if (raw.Length != RawSignatureLength)
        {
            throw new ArgumentException($"a raw P-256 signature is {RawSignatureLength} bytes", nameof(raw));
        }

        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteInteger(new System.Numerics.BigInteger(raw[..CoordinateLength], isUnsigned: true, isBigEndian: true));
            writer.WriteInteger(new System.Numerics.BigInteger(raw[CoordinateLength..], isUnsigned: true, isBigEndian: true));
        }

        return writer.Encode();
    }

    /// <summary>The DER ECDSA-Sig-Value back to r || s; null when it is not one.</summary>
    public static byte[]? DerToRaw(ReadOnlySpan<byte> der)
    {
        try
        {
            var reader = new AsnReader(der.ToArray(), AsnEncodingRules.DER);
            var sequence = reader.ReadSequence();
            var raw = new byte[RawSignatureLength];
            if (!TryWriteCoordinate(sequence.ReadIntegerBytes().Span, raw.AsSpan(0, CoordinateLength)) ||
                !TryWriteCoordinate(sequence.ReadIntegerBytes().Span, raw.AsSpan(CoordinateLength)) ||
                sequence.HasData || reader.HasData)
            {
                return null;
            }

            return raw;
        }
        catch (AsnContentException)
        {
            return null;
        }
    }

    private static bool TryWriteCoordinate(ReadOnlySpan<byte> integer, Span<byte> destination)
    {
        if (integer.Length > 0 && (integer[0] & 0x80) != 0)
        {
            return false; // negative: not an ECDSA value
        }

        var trimmed = integer.TrimStart((byte)0);
        if (trimmed.Length > CoordinateLength)
        {
            return false;
        }

        trimmed.CopyTo(destination[(CoordinateLength - trimmed.Length)..]);
        return true;
    }
}
