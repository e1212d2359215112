using System.Buffers.Binary;
using System.Security.Cryptography;

namespace CommissioningActors.Protocol.Matter.Messages;

/// <summary>
/// AES-128-CCM protection of one secure session's messages (spec 4.7): a 16-byte MIC appended to the
/// encrypted exchange header and payload, the encoded message header as AAD, and a 13-byte nonce of
/// security flags || counter (u32 LE) || source node id (u64 LE). The source node id is the sender's:
/// ours when sealing, the peer's when opening (both 0 on a PASE session). Keys stay inside; nothing here
/// ever prints them.
/// </summary>
public sealed class SecureMessageCodec : IDisposable
{
    public const int KeyLength = 16;
    public const int MicLength = 16;
    public const int NonceLength = 13;

    private readonly AesCcm _encrypt;
    private readonly AesCcm _decrypt;
    private readonly ulong _localNodeId;
    private readonly ulong _peerNodeId;

    public SecureMessageCodec(ReadOnlySpan<byte> encryptKey, ReadOnlySpan<byte> decryptKey, ulong localNodeId, ulong peerNodeId)
    {
        if (encryptKey.Length != KeyLength || decryptKey.Length != KeyLength)
        {
            throw new ArgumentException($"Session keys are {KeyLength} bytes");
        }

        _encrypt = new AesCcm(encryptKey);
        _decrypt = new AesCcm(decryptKey);
        _localNodeId = localNodeId;
        _peerNodeId = peerNodeId;
    }

    public static byte[] Nonce(byte securityFlags, uint counter, ulong sourceNodeId)
    {
        var nonce = new byte[NonceLength];
        nonce[0] = securityFlags;
        BinaryPrimitives.WriteUInt32LittleEndian(nonce.AsSpan(1), counter);
        BinaryPrimitives.WriteUInt64LittleEndian(nonce.AsSpan(5), sourceNodeId);
        return nonce;
    }

    /// <summary>The whole datagram: header in clear, then the encrypted exchange header and payload, then the MIC.</summary>
    public byte[] Seal(MessageHeader header, ExchangeHeader exchange, ReadOnlySpan<byte> payload) =>
        Seal(header, MessageCodec.EncodeExchange(exchange, payload));

    public byte[] Seal(MessageHeader header, ReadOnlySpan<byte> plaintext)
    {
        var headerLength = header.EncodedLength;
        var datagram = new byte[headerLength + plaintext.Length + MicLength];
        header.WriteTo(datagram);
        var aad = datagram.AsSpan(0, headerLength);
        var nonce = Nonce(header.SecurityFlags, header.Counter, _localNodeId);
        _encrypt.Encrypt(nonce, plaintext, datagram.AsSpan(headerLength, plaintext.Length),
            datagram.AsSpan(headerLength + plaintext.Length), aad);
        return datagram;
    }

    /// <summary>Authenticates and decrypts a packet. A failure says only that: never which byte or key.</summary>
    public Parsed<MatterMessage> Open(MatterPacket packet)
    {
        if (packet.Header.IsUnsecured)
        {
            return Parsed<MatterMessage>.Fail(ParseErrorKind.InvalidValue, "an unsecured message (session 0) has no MIC to check");
        }

        var sealedPayload = packet.Payload.Span;
        if (sealedPayload.Length < MicLength)
        {
            return Parsed<MatterMessage>.Fail(ParseErrorKind.FrameTooShort,
                $"secured payload needs at least {MicLength} bytes for the MIC, got {sealedPayload.Length}");
        }

        var cipherLength = sealedPayload.Length - MicLength;
        var plaintext = new byte[cipherLength];
        var nonce = Nonce(packet.Header.SecurityFlags, packet.Header.Counter, _peerNodeId);
        try
        {
            _decrypt.Decrypt(nonce, sealedPayload[..cipherLength], sealedPayload[cipherLength..], plaintext,
                packet.HeaderBytes.Span);
        }
        catch (CryptographicException)
        {
            return Parsed<MatterMessage>.Fail(ParseErrorKind.InvalidValue,
                $"message {packet.Header.Counter} on session {packet.Header.SessionId} failed authentication");
        }

        return MessageCodec.DecodePlainPayload(packet.Header, plaintext);
    }

    public void Dispose()
    {
        _encrypt.Dispose();
        _decrypt.Dispose();
    }
}
