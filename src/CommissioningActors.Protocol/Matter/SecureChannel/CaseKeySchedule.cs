using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using CommissioningActors.Protocol.Matter.Crypto;

namespace CommissioningActors.Protocol.Matter.SecureChannel;

/// <summary>
/// The CASE key schedule (spec 4.14.2, 4.3.2.2, 4.15.2). Every key here is secret: never log.
/// IPK below is the operational IPK (<see cref="OperationalIpk"/>), not the epoch key sent in AddNOC.
/// </summary>
public static class CaseKeySchedule
{
    public const int KeyLength = 16;
    public const int CompressedFabricIdLength = 8;

    private static readonly byte[] CompressedFabricInfo = Encoding.ASCII.GetBytes("CompressedFabric");
    private static readonly byte[] GroupKeyInfo = Encoding.ASCII.GetBytes("GroupKey v1.0");
    private static readonly byte[] Sigma2Info = Encoding.ASCII.GetBytes("Sigma2");
    private static readonly byte[] Sigma3Info = Encoding.ASCII.GetBytes("Sigma3");
    private static readonly byte[] SessionKeysInfo = Encoding.ASCII.GetBytes("SessionKeys");

    /// <summary>AES-CCM nonces of TBEData2 and TBEData3 (13 ASCII bytes each).</summary>
    public static readonly byte[] Sigma2Nonce = Encoding.ASCII.GetBytes("NCASE_Sigma2N");
    public static readonly byte[] Sigma3Nonce = Encoding.ASCII.GetBytes("NCASE_Sigma3N");

    /// <summary>HKDF(ikm = root public key without its 0x04, salt = fabric id u64 big endian, "CompressedFabric", 8).</summary>
    public static byte[] CompressedFabricId(ReadOnlySpan<byte> rootPublicKey, ulong fabricId)
    {
        Span<byte> salt = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(salt, fabricId);
        return HKDF.DeriveKey(HashAlgorithmName.SHA256, rootPublicKey[1..].ToArray(), CompressedFabricIdLength, salt.ToArray(), CompressedFabricInfo);
    }

    /// <summary>The operational group key of an epoch key: HKDF(epoch key, salt = compressed fabric id, "GroupKey v1.0", 16).</summary>
    public static byte[] OperationalIpk(ReadOnlySpan<byte> epochKey, ReadOnlySpan<byte> compressedFabricId) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, epochKey.ToArray(), KeyLength, compressedFabricId.ToArray(), GroupKeyInfo);

    /// <summary>HMAC-SHA256(IPK, initiatorRandom || root public key || fabric id u64 LE || node id u64 LE).</summary>
    public static byte[] DestinationId(ReadOnlySpan<byte> ipk, ReadOnlySpan<byte> initiatorRandom, ReadOnlySpan<byte> rootPublicKey, ulong fabricId, ulong nodeId)
    {
        var message = new byte[initiatorRandom.Length + rootPublicKey.Length + 16];
        initiatorRandom.CopyTo(message);
        rootPublicKey.CopyTo(message.AsSpan(initiatorRandom.Length));
        BinaryPrimitives.WriteUInt64LittleEndian(message.AsSpan(initiatorRandom.Length + rootPublicKey.Length), fabricId);
        BinaryPrimitives.WriteUInt64LittleEndian(message.AsSpan(initiatorRandom.Length + rootPublicKey.Length + 8), nodeId);
        return HMACSHA256.HashData(ipk, message);
    }

    /// <summary>S2K = HKDF(shared secret, salt = IPK || responderRandom || responderEphPubKey || SHA-256(Sigma1), "Sigma2").</summary>
    public static byte[] Sigma2Key(ReadOnlySpan<byte> sharedSecret, ReadOnlySpan<byte> ipk, ReadOnlySpan<byte> responderRandom, ReadOnlySpan<byte> responderEphPubKey, ReadOnlySpan<byte> sigma1) =>
        Derive(sharedSecret, [.. ipk, .. responderRandom, .. responderEphPubKey, .. SHA256.HashData(sigma1)], Sigma2Info, KeyLength);

    /// <summary>S3K = HKDF(shared secret, salt = IPK || SHA-256(Sigma1 || Sigma2), "Sigma3").</summary>
    public static byte[] Sigma3Key(ReadOnlySpan<byte> sharedSecret, ReadOnlySpan<byte> ipk, ReadOnlySpan<byte> sigma1, ReadOnlySpan<byte> sigma2) =>
        Derive(sharedSecret, [.. ipk, .. SHA256.HashData([.. sigma1, .. sigma2])], Sigma3Info, KeyLength);

    /// <summary>I2R || R2I || AttestationChallenge = HKDF(shared secret, salt = IPK || SHA-256(Sigma1 || Sigma2 || Sigma3), "SessionKeys", 48).</summary>
    public static SessionKeys SessionKeys(ReadOnlySpan<byte> sharedSecret, ReadOnlySpan<byte> ipk, ReadOnlySpan<byte> sigma1, ReadOnlySpan<byte> sigma2, ReadOnlySpan<byte> sigma3)
    {
        var okm = Derive(sharedSecret, [.. ipk, .. SHA256.HashData([.. sigma1, .. sigma2, .. sigma3])], SessionKeysInfo, 3 * KeyLength);
        var keys = new SessionKeys(okm[..KeyLength], okm[KeyLength..(2 * KeyLength)], okm[(2 * KeyLength)..]);
        CryptographicOperations.ZeroMemory(okm);
        return keys;
    }

    /// <summary>AES-128-CCM with a 16-byte MIC appended.</summary>
    public static byte[] Encrypt(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext)
    {
        using var aes = new AesCcm(key);
        var output = new byte[plaintext.Length + CaseSizes.Mic];
        aes.Encrypt(nonce, plaintext, output.AsSpan(0, plaintext.Length), output.AsSpan(plaintext.Length));
        return output;
    }

    /// <summary>Null when the MIC does not verify (wrong key or tampered data).</summary>
    public static byte[]? Decrypt(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> sealedData)
    {
        if (sealedData.Length < CaseSizes.Mic)
        {
            return null;
        }

        using var aes = new AesCcm(key);
        var plaintext = new byte[sealedData.Length - CaseSizes.Mic];
        try
        {
            aes.Decrypt(nonce, sealedData[..plaintext.Length], sealedData[plaintext.Length..], plaintext);
            return plaintext;
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    private static byte[] Derive(ReadOnlySpan<byte> ikm, byte[] salt, byte[] info, int length) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, ikm.ToArray(), length, salt, info);
}
