using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Math;
using ECPoint = Org.BouncyCastle.Math.EC.ECPoint;

namespace CommissioningActors.Protocol.Matter.Crypto;

/// <summary>
/// SPAKE2+ over P-256 with SHA-256, HKDF and HMAC, in the draft-01 key schedule Matter's PASE uses
/// (draft-bar-cfrg-spake2plus-01). The two roles are <see cref="Spake2pProver"/> (the commissioner) and
/// <see cref="Spake2pVerifier"/> (the device); this class holds the shared pieces.
/// </summary>
public static class Spake2p
{
    public const int PbkdfMinIterations = 1_000;
    public const int PbkdfMaxIterations = 100_000;
    public const int PbkdfMinSaltLength = 16;
    public const int PbkdfMaxSaltLength = 32;

    /// <summary>Each of w0s and w1s is 40 bytes so that reducing mod n leaves a negligible bias.</summary>
    private const int WsLength = 40;
    private const int HalfHashLength = 16;

    private static readonly byte[] ConfirmationKeysInfo = Encoding.ASCII.GetBytes("ConfirmationKeys");

    // The spec's fixed points M and N (compressed); nobody knows their discrete logs.
    internal static readonly ECPoint M = P256.DecodeConstant("02886e2f97ace46e55ba9dd7242579f2993b64e16ef3dcab95afd497333d8fa12f");
    internal static readonly ECPoint N = P256.DecodeConstant("03d8bbd6c639c62937b04d997f38c3770719c629d7014d49a24b4f98baa1292b49");

    /// <summary>
    /// The prover's secrets from a passcode: w0s || w1s = PBKDF2-HMAC-SHA256(passcode as u32 LE, salt,
    /// iterations, 80 bytes), each reduced mod n. Rejects salt sizes and iteration counts outside the spec.
    /// </summary>
    public static CryptoResult<Spake2pSecrets> DeriveSecrets(uint passcode, ReadOnlySpan<byte> salt, uint iterations)
    {
        if (salt.Length is < PbkdfMinSaltLength or > PbkdfMaxSaltLength)
        {
            return CryptoResult<Spake2pSecrets>.Fail(
                CryptoErrorKind.InvalidParameter,
                $"PBKDF salt must be {PbkdfMinSaltLength}..{PbkdfMaxSaltLength} bytes, got {salt.Length}");
        }

        if (iterations is < PbkdfMinIterations or > PbkdfMaxIterations)
        {
            return CryptoResult<Spake2pSecrets>.Fail(
                CryptoErrorKind.InvalidParameter,
                $"PBKDF iterations must be {PbkdfMinIterations}..{PbkdfMaxIterations}, got {iterations}");
        }

        Span<byte> password = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(password, passcode);
        Span<byte> ws = stackalloc byte[2 * WsLength];
        Rfc2898DeriveBytes.Pbkdf2(password, salt, ws, (int)iterations, HashAlgorithmName.SHA256);

        var w0 = P256.ScalarBytes(P256.ToScalar(ws[..WsLength]).Mod(P256.N));
        var w1 = P256.ScalarBytes(P256.ToScalar(ws[WsLength..]).Mod(P256.N));
        CryptographicOperations.ZeroMemory(ws);
        CryptographicOperations.ZeroMemory(password);
        return CryptoResult<Spake2pSecrets>.Ok(new Spake2pSecrets(w0, w1));
    }

    /// <summary>The verifier's registration record: L = w1*G (uncompressed, 65 bytes).</summary>
    public static byte[] ComputeL(ReadOnlySpan<byte> w1) => P256.Encode(P256.G.Multiply(P256.ToScalar(w1)));

    /// <summary>
    /// The key schedule from the transcript TT: every field prefixed with its length as 8 bytes little
    /// endian, points uncompressed, w0 as exactly 32 big-endian bytes. Ka || Ke = SHA-256(TT);
    /// KcA || KcB = HKDF(salt empty, Ka, "ConfirmationKeys"); cA = HMAC(KcA, Y), cB = HMAC(KcB, X).
    /// </summary>
    public static Spake2pTranscriptKeys ComputeTranscriptKeys(
        ReadOnlySpan<byte> context,
        ReadOnlySpan<byte> proverIdentity,
        ReadOnlySpan<byte> verifierIdentity,
        ReadOnlySpan<byte> x,
        ReadOnlySpan<byte> y,
        ReadOnlySpan<byte> z,
        ReadOnlySpan<byte> v,
        ReadOnlySpan<byte> w0)
    {
        using var tt = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        AppendField(tt, context);
        AppendField(tt, proverIdentity);
        AppendField(tt, verifierIdentity);
        AppendField(tt, P256.Encode(M));
        AppendField(tt, P256.Encode(N));
        AppendField(tt, x);
        AppendField(tt, y);
        AppendField(tt, z);
        AppendField(tt, v);
        AppendField(tt, P256.ScalarBytes(P256.ToScalar(w0)));
        var hash = tt.GetHashAndReset();

        var ka = hash[..HalfHashLength];
        var ke = hash[HalfHashLength..];
        var kc = HKDF.DeriveKey(HashAlgorithmName.SHA256, ka, 2 * HalfHashLength, salt: [], info: ConfirmationKeysInfo);
        var kcA = kc[..HalfHashLength];
        var kcB = kc[HalfHashLength..];
        var cA = HMACSHA256.HashData(kcA, y);
        var cB = HMACSHA256.HashData(kcB, x);
        CryptographicOperations.ZeroMemory(hash);
        CryptographicOperations.ZeroMemory(kc);
        return new Spake2pTranscriptKeys(ka, ke, kcA, kcB, cA, cB);
    }

    /// <summary>The peer's share with its blinding removed (share - w0*mask), refused when malformed or degenerate.</summary>
    internal static CryptoResult<ECPoint> Unblind(ReadOnlySpan<byte> share, ECPoint mask, BigInteger w0, string what)
    {
        var point = P256.DecodePeerPoint(share, what);
        if (!point.IsOk)
        {
            return point.Error!;
        }

        var unblinded = point.Value!.Subtract(mask.Multiply(w0)).Normalize();
        return unblinded.IsInfinity
            ? CryptoResult<ECPoint>.Fail(CryptoErrorKind.InvalidPoint, $"{what} is degenerate")
            : CryptoResult<ECPoint>.Ok(unblinded);
    }

    /// <summary>Constant-time comparison of a received confirmation with the expected one.</summary>
    internal static bool ConfirmationMatches(ReadOnlySpan<byte> expected, ReadOnlySpan<byte> received) =>
        received.Length == expected.Length && CryptographicOperations.FixedTimeEquals(expected, received);

    internal static BigInteger ScalarOrThrow(ReadOnlySpan<byte> value, string name)
    {
        if (value.Length != P256.ScalarLength)
        {
            throw new ArgumentException($"{name} must be {P256.ScalarLength} bytes", name);
        }

        var scalar = P256.ToScalar(value);
        if (scalar.SignValue == 0 || scalar.CompareTo(P256.N) >= 0)
        {
            throw new ArgumentException($"{name} must be in [1, n-1]", name);
        }

        return scalar;
    }

    private static void AppendField(IncrementalHash hash, ReadOnlySpan<byte> field)
    {
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)field.Length);
        hash.AppendData(length);
        hash.AppendData(field);
    }
}

/// <summary>The prover's w0 and w1, 32 big-endian bytes each. Secret: never log.</summary>
public sealed class Spake2pSecrets(byte[] w0, byte[] w1)
{
    public byte[] W0 { get; } = w0;
    public byte[] W1 { get; } = w1;

    /// <summary>What the verifier (device) stores instead of the passcode: w0 and L = w1*G.</summary>
    public byte[] ComputeL() => Spake2p.ComputeL(W1);

    public override string ToString() => "Spake2pSecrets(redacted)";
}

/// <summary>Every value derived from the transcript (exposed for test vectors). Secret: never log.</summary>
public sealed class Spake2pTranscriptKeys(byte[] ka, byte[] ke, byte[] kcA, byte[] kcB, byte[] cA, byte[] cB)
{
    public byte[] Ka { get; } = ka;
    public byte[] Ke { get; } = ke;
    public byte[] KcA { get; } = kcA;
    public byte[] KcB { get; } = kcB;

    /// <summary>The prover's confirmation, HMAC(KcA, Y): sent in Pake3.</summary>
    public byte[] CA { get; } = cA;

    /// <summary>The verifier's confirmation, HMAC(KcB, X): sent in Pake2.</summary>
    public byte[] CB { get; } = cB;

    public override string ToString() => "Spake2pTranscriptKeys(redacted)";
}
