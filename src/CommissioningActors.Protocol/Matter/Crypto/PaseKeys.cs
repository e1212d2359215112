using System.Security.Cryptography;
using System.Text;

namespace CommissioningActors.Protocol.Matter.Crypto;

/// <summary>The PASE-specific inputs and outputs around SPAKE2+.</summary>
public static class PaseKeys
{
    public const int SessionKeyLength = 16;
    public const int AttestationChallengeLength = 16;

    private static readonly byte[] ContextPrefix = Encoding.ASCII.GetBytes("CHIP PAKE V1 Commissioning");
    private static readonly byte[] SessionKeysInfo = Encoding.ASCII.GetBytes("SessionKeys");

    /// <summary>
    /// The SPAKE2+ context: SHA-256("CHIP PAKE V1 Commissioning" || PBKDFParamRequest || PBKDFParamResponse),
    /// over the two messages' TLV payloads exactly as sent and received.
    /// </summary>
    public static byte[] ContextHash(ReadOnlySpan<byte> pbkdfParamRequest, ReadOnlySpan<byte> pbkdfParamResponse)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(ContextPrefix);
        hash.AppendData(pbkdfParamRequest);
        hash.AppendData(pbkdfParamResponse);
        return hash.GetHashAndReset();
    }

    /// <summary>I2RKey || R2IKey || AttestationChallenge = HKDF-SHA256(Ke, salt empty, "SessionKeys", 48).</summary>
    public static SessionKeys DeriveSessionKeys(ReadOnlySpan<byte> ke)
    {
        var okm = HKDF.DeriveKey(
            HashAlgorithmName.SHA256, ke.ToArray(), 2 * SessionKeyLength + AttestationChallengeLength, salt: [], info: SessionKeysInfo);
        var keys = new SessionKeys(
            okm[..SessionKeyLength],
            okm[SessionKeyLength..(2 * SessionKeyLength)],
            okm[(2 * SessionKeyLength)..]);
        CryptographicOperations.ZeroMemory(okm);
        return keys;
    }
}

/// <summary>
/// A secure session's keys: initiator-to-responder, responder-to-initiator, and the attestation
/// challenge mixed into the device's attestation signature. Secret: never log.
/// </summary>
public sealed class SessionKeys(byte[] i2rKey, byte[] r2iKey, byte[] attestationChallenge)
{
    public byte[] I2RKey { get; } = i2rKey;
    public byte[] R2IKey { get; } = r2iKey;
    public byte[] AttestationChallenge { get; } = attestationChallenge;

    public override string ToString() => "SessionKeys(redacted)";
}
