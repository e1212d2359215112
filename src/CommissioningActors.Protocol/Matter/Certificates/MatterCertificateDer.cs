using System.Formats.Asn1;
using CommissioningActors.Protocol.Matter.Crypto;

namespace CommissioningActors.Protocol.Matter.Certificates;

/// <summary>
/// The X.509 DER encoding Matter defines for its TLV certificates (and so the bytes every signature covers):
/// v3; ecdsa-with-SHA256 without parameters; one attribute per RDN, Matter ids as UTF8String hex;
/// UTCTime before 2050, GeneralizedTime from 2050 (and for "no expiration"); extensions in the certificate's
/// order, basic constraints, key usage and extended key usage critical; cA written only when true.
/// </summary>
public static class MatterCertificateDer
{
    private static readonly Asn1Tag Version = new(TagClass.ContextSpecific, 0, isConstructed: true);
    private static readonly Asn1Tag ExtensionsTag = new(TagClass.ContextSpecific, 3, isConstructed: true);
    private static readonly Asn1Tag KeyIdentifierTag = new(TagClass.ContextSpecific, 0);

    public static byte[] Encode(MatterCertificate certificate)
    {
        if (certificate.Signature is not { Length: EcdsaP256.RawSignatureLength })
        {
            throw new ArgumentException("the certificate has no 64-byte signature", nameof(certificate));
        }

        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteEncodedValue(EncodeTbs(certificate));
            WriteSignatureAlgorithm(writer);
            writer.WriteBitString(EcdsaP256.RawToDer(certificate.Signature));
        }

        return writer.Encode();
    }

    public static byte[] EncodeTbs(MatterCertificate certificate)
    {
        if (certificate.PublicKey.Length != EcdsaP256.PublicKeyLength)
        {
            throw new ArgumentException("the public key must be a 65-byte uncompressed P-256 point", nameof(certificate));
        }

        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            using (writer.PushSequence(Version))
            {
                writer.WriteInteger(2);
            }

            writer.WriteInteger(CanonicalInteger(certificate.SerialNumber));
            WriteSignatureAlgorithm(writer);
            WriteName(writer, certificate.Issuer);
            using (writer.PushSequence())
            {
                WriteTime(writer, certificate.NotBefore);
                WriteTime(writer, certificate.NotAfter ?? MatterCertificate.NoWellDefinedExpiration);
            }

            WriteName(writer, certificate.Subject);
            WritePublicKey(writer, certificate.PublicKey);
            using (writer.PushSequence(ExtensionsTag))
            using (writer.PushSequence())
            {
                foreach (var extension in certificate.Extensions)
                {
                    WriteExtension(writer, extension);
                }
            }
        }

        return writer.Encode();
    }

    internal static void WriteName(AsnWriter writer, IReadOnlyList<DnAttribute> name)
    {
        using (writer.PushSequence())
        {
            foreach (var attribute in name)
            {
                using (writer.PushSetOf())
                using (writer.PushSequence())
                {
                    writer.WriteObjectIdentifier(attribute.Oid);
                    var type = attribute.Type == DnAttributeType.DomainComponent
                        ? UniversalTagNumber.IA5String
                        : attribute.PrintableString ? UniversalTagNumber.PrintableString : UniversalTagNumber.UTF8String;
                    writer.WriteCharacterString(type, attribute.X509Text);
                }
            }
        }
    }

    internal static void WritePublicKey(AsnWriter writer, byte[] publicKey)
    {
        using (writer.PushSequence())
        {
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier(MatterOids.EcPublicKey);
                writer.WriteObjectIdentifier(MatterOids.Prime256v1);
            }

            writer.WriteBitString(publicKey);
        }
    }

    internal static void WriteSignatureAlgorithm(AsnWriter writer)
    {
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier(MatterOids.EcdsaWithSha256);
        }
    }

    /// <summary>The serial as a positive INTEGER: redundant leading zeros dropped, one added before a high bit.</summary>
    private static byte[] CanonicalInteger(byte[] unsigned)
    {
        var trimmed = unsigned.AsSpan().TrimStart((byte)0);
        if (trimmed.IsEmpty)
        {
            return [0];
        }

        return (trimmed[0] & 0x80) != 0 ? [0, .. trimmed] : trimmed.ToArray();
    }

    private static void WriteTime(AsnWriter writer, DateTimeOffset time)
    {
        var utc = time.ToUniversalTime();
        if (utc.Year is >= 1950 and < 2050)
        {
            writer.WriteUtcTime(utc);
        }
        else
        {
            writer.WriteGeneralizedTime(utc, omitFractionalSeconds: true);
        }
    }

    private static void WriteExtension(AsnWriter writer, CertificateExtension extension)
    {
        if (extension is FutureExtension future)
        {
            writer.WriteEncodedValue(future.Der);
            return;
        }

        var value = new AsnWriter(AsnEncodingRules.DER);
        string oid;
        bool critical;
        switch (extension)
        {
            case BasicConstraintsExtension basic:
                (oid, critical) = (MatterOids.BasicConstraints, true);
                using (value.PushSequence())
                {
                    if (basic.IsCa)
                    {
                        value.WriteBoolean(true);
                    }

                    if (basic.PathLength is { } pathLength)
                    {
                        value.WriteInteger(pathLength);
                    }
                }

                break;
            case KeyUsageExtension usage:
                (oid, critical) = (MatterOids.KeyUsage, true);
                WriteKeyUsage(value, usage.Usages);
                break;
            case ExtendedKeyUsageExtension extended:
                (oid, critical) = (MatterOids.ExtendedKeyUsage, true);
                using (value.PushSequence())
                {
                    foreach (var purpose in extended.Purposes)
                    {
                        value.WriteObjectIdentifier(KeyPurposeOids.Oid(purpose));
                    }
                }

                break;
            case SubjectKeyIdExtension subject:
                (oid, critical) = (MatterOids.SubjectKeyIdentifier, false);
                value.WriteOctetString(subject.KeyId);
                break;
            case AuthorityKeyIdExtension authority:
                (oid, critical) = (MatterOids.AuthorityKeyIdentifier, false);
                using (value.PushSequence())
                {
                    value.WriteOctetString(authority.KeyId, KeyIdentifierTag);
                }

                break;
            default:
                throw new ArgumentException($"unknown extension {extension.GetType().Name}", nameof(extension));
        }

        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier(oid);
            if (critical)
            {
                writer.WriteBoolean(true);
            }

            writer.WriteOctetString(value.Encode());
        }
    }

    /// <summary>A named bit list: bit 0 is the first byte's most significant bit; trailing zero bits dropped.</summary>
    private static void WriteKeyUsage(AsnWriter writer, KeyUsages usages)
    {
        var bits = (int)usages;
        if (bits == 0)
        {
            writer.WriteBitString([]);
            return;
        }

        var highest = 31 - int.LeadingZeroCount(bits);
        var bytes = new byte[(highest / 8) + 1];
        for (var bit = 0; bit <= highest; bit++)
        {
            if ((bits & (1 << bit)) != 0)
            {
                bytes[bit / 8] |= (byte)(0x80 >> (bit % 8));
            }
        }

        writer.WriteBitString(bytes, unusedBitCount: 7 - (highest % 8));
    }
}
