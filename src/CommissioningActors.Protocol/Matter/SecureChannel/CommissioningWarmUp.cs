using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CommissioningActors.Protocol.Matter.Certificates;
using CommissioningActors.Protocol.Matter.Messages;

namespace CommissioningActors.Protocol.Matter.SecureChannel;

/// <summary>
/// Pays a process's one-time costs of commissioning before the first device has to: the first X509 chain build
/// (OpenSSL's chain machinery, about 70 ms), the first PBKDF2 and P-256 arithmetic (BouncyCastle's tables, about
/// 60 ms), and the JIT of the PASE, TLV and AES-CCM paths. It runs one PASE handshake between our own initiator
/// and responder on a random passcode, one sealed message each way, and one chain build per trusted PAA;
/// nothing leaves the process and nothing is kept.
/// </summary>
public static class CommissioningWarmUp
{
    private const uint Spake2pIterations = 1000;

    /// <summary>True when the handshake established a session both ways and each message opened again.</summary>
    public static bool Run(PaaTrustStore trust)
    {
        var ok = Pase();
        foreach (var root in trust.Roots)
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chain.ChainPolicy.DisableCertificateDownloads = true;
            chain.ChainPolicy.CustomTrustStore.Add(root.Certificate);
            chain.Build(root.Certificate);
        }

        return ok;
    }

    private static bool Pase()
    {
        var passcode = (uint)RandomNumberGenerator.GetInt32(1, 99_999_999);
        var initiator = new PaseInitiator(passcode, 1);
        var responder = PaseResponder.FromPasscode(passcode, new PbkdfParameters(Spake2pIterations, RandomNumberGenerator.GetBytes(32)), 2);
        SessionOutcome? initiatorOutcome = null;
        SessionOutcome? responderOutcome = null;
        var toResponder = initiator.Start();
        for (var round = 0; round < 8 && toResponder is not null; round++)
        {
            var answer = responder.Receive((byte)toResponder.Opcode, toResponder.Payload);
            responderOutcome ??= answer.Outcome;
            if (answer.Send is null)
            {
                break;
            }

            var next = initiator.Receive((byte)answer.Send.Opcode, answer.Send.Payload);
            initiatorOutcome ??= next.Outcome;
            toResponder = next.Send;
        }

        return initiatorOutcome is SessionEstablished ours && responderOutcome is SessionEstablished theirs
            && RoundTrip(ours, theirs) && RoundTrip(theirs, ours);
    }

    private static bool RoundTrip(SessionEstablished from, SessionEstablished to)
    {
        using var sender = new SecureMessageCodec(from.EncryptKey, from.DecryptKey, 0, 0);
        using var receiver = new SecureMessageCodec(to.EncryptKey, to.DecryptKey, 0, 0);
        var header = new MessageHeader(from.PeerSessionId, SessionType.Unicast, 1);
        var exchange = new ExchangeHeader(0x02, 1, MatterProtocolId.InteractionModel, from.IsInitiator);
        var datagram = sender.Seal(header, exchange, [0x15, 0x18]);
        var packet = MessageCodec.DecodePacket(datagram);
        return packet.IsOk && receiver.Open(packet.Value!).IsOk;
    }
}
