using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto.EC;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Math.EC;
using Org.BouncyCastle.Utilities;

namespace CommissioningActors.Protocol.Matter.Crypto;

/// <summary>NIST P-256 point arithmetic for SPAKE2+ (BouncyCastle; .NET has no public point API).</summary>
internal static class P256
{
    public const int ScalarLength = 32;
    public const int UncompressedPointLength = 65;

    private static readonly X9ECParameters Parameters = CustomNamedCurves.GetByName("P-256");

    public static ECCurve Curve => Parameters.Curve;
    public static ECPoint G => Parameters.G;
    public static BigInteger N => Parameters.N;

    /// <summary>
    /// Decodes a peer's share: exactly 65 bytes, uncompressed, on the curve and not the identity.
    /// BouncyCastle's DecodePoint checks the curve equation; P-256's cofactor is 1, so that suffices.
    /// </summary>
    public static CryptoResult<ECPoint> DecodePeerPoint(ReadOnlySpan<byte> encoded, string what)
    {
        if (encoded.Length != UncompressedPointLength || encoded[0] != 0x04)
        {
            return CryptoResult<ECPoint>.Fail(CryptoErrorKind.InvalidPoint, $"{what} must be a 65-byte uncompressed P-256 point");
        }

        ECPoint point;
        try
        {
            point = Curve.DecodePoint(encoded.ToArray());
        }
        catch (ArgumentException)
        {
            return CryptoResult<ECPoint>.Fail(CryptoErrorKind.InvalidPoint, $"{what} is not a point on P-256");
        }

        if (point.IsInfinity || !point.IsValid())
        {
            return CryptoResult<ECPoint>.Fail(CryptoErrorKind.InvalidPoint, $"{what} is not a valid P-256 point");
        }

        return CryptoResult<ECPoint>.Ok(point);
    }

    /// <summary>Decodes a trusted constant (compressed or uncompressed).</summary>
    public static ECPoint DecodeConstant(string hex) => Curve.DecodePoint(Convert.FromHexString(hex));

    public static byte[] Encode(ECPoint point) => point.Normalize().GetEncoded(false);

    public static BigInteger ToScalar(ReadOnlySpan<byte> bigEndian) => new(1, bigEndian.ToArray());

    /// <summary>Exactly 32 big-endian bytes, leading zeros kept (a short w0 here is the classic bug).</summary>
    public static byte[] ScalarBytes(BigInteger scalar) => BigIntegers.AsUnsignedByteArray(ScalarLength, scalar);

    /// <summary>A uniformly random scalar in [1, n-1], by rejection (the OS generator is thread-safe).</summary>
    public static BigInteger RandomScalar()
    {
        Span<byte> bytes = stackalloc byte[ScalarLength];
        while (true)
        {
            System.Security.Cryptography.RandomNumberGenerator.Fill(bytes);
            var scalar = ToScalar(bytes);
            if (scalar.SignValue > 0 && scalar.CompareTo(N) < 0)
            {
                return scalar;
            }
        }
    }
}
