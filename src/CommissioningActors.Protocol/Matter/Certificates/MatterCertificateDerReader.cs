using System.Formats.Asn1;
using System.Globalization;
using CommissioningActors.Protocol.Matter.Crypto;

namespace CommissioningActors.Protocol.Matter.Certificates;

/// <summary>
/// Reads an X.509 DER certificate into a <see cref="MatterCertificate"/>, accepting only what Matter's
/// encoding can express: anything that would not re-encode to the same bytes (and so could not survive the
/// TLV form with its signature intact) is refused. Never throws on bad input.
/// </summary>
public static class MatterCertificateDerReader
{
    /// <summary>Matter caps DER certificates at 600 bytes; leave room, but bound the work.</summary>
    public const int MaxDerLength = 1024;

    private const int AllKeyUsageBits = 0x1FF;

    private static readonly Asn1Tag Version = new(TagClass.ContextSpecific, 0, isConstructed: true);
    private static readonly Asn1Tag ExtensionsTag = new(TagClass.ContextSpecific, 3, isConstructed: true);
    private static readonly Asn1Tag KeyIdentifierTag = new(TagClass.ContextSpecific, 0);

    /// <summary>A signed certificate.</summary>
    public static CryptoResult<MatterCertificate> Decode(ReadOnlySpan<byte> der) => Guard(der.ToArray(), bytes =>
    {
        var reader = new AsnReader(bytes, AsnEncodingRules.DER);
        var certificate = reader.ReadSequence();
        NoTrailingData(reader, "certificate");
        var tbs = certificate.ReadEncodedValue().ToArray();
        ReadSignatureAlgorithm(certificate);
        var signatureDer = certificate.ReadBitString(out var unused);
        NoTrailingData(certificate, "certificate");
        var signature = unused == 0 ? EcdsaP256.DerToRaw(signatureDer) : null;
        return ReadTbs(tbs) with { Signature = signature ?? throw new FormatException("the signature is not a P-256 ECDSA value") };
    });

    /// <summary>An unsigned to-be-signed certificate (as published test vectors give them).</summary>
    public static CryptoResult<MatterCertificate> DecodeTbs(ReadOnlySpan<byte> tbs) => Guard(tbs.ToArray(), ReadTbs);

    private static CryptoResult<MatterCertificate> Guard(byte[] input, Func<byte[], MatterCertificate> read)
    {
        if (input.Length > MaxDerLength)
        {
            return CryptoResult<MatterCertificate>.Fail(CryptoErrorKind.Malformed, $"certificate is {input.Length} bytes; at most {MaxDerLength}");
        }

        try
        {
            return CryptoResult<MatterCertificate>.Ok(read(input));
        }
        catch (Exception e) when (e is AsnContentException or FormatException or ArgumentException or OverflowException)
        {
            return CryptoResult<MatterCertificate>.Fail(CryptoErrorKind.Malformed, $"not a Matter certificate: {e.Message}");
        }
    }

    private static MatterCertificate ReadTbs(byte[] tbs)
    {
        var outer = new AsnReader(tbs, AsnEncodingRules.DER);
        var reader = outer.ReadSequence();
        NoTrailingData(outer, "TBS certificate");

        var version = reader.ReadSequence(Version);
        if (!version.TryReadInt32(out var v) || v != 2 || version.HasData)
        {
            throw new FormatException("only X.509 v3 certificates are Matter certificates");
        }

        var serial = reader.ReadIntegerBytes().ToArray();
        if (serial.Length > MatterCertificate.MaxSerialNumberLength || (serial[0] & 0x80) != 0)
        {
            throw new FormatException("the serial number must be positive and at most 20 bytes");
        }

        ReadSignatureAlgorithm(reader);
        var issuer = ReadName(reader);
        var validity = reader.ReadSequence();
        var notBefore = ReadTime(validity);
        var notAfter = ReadTime(validity);
        NoTrailingData(validity, "validity");
        var subject = ReadName(reader);
        var publicKey = ReadPublicKey(reader);
        var extensions = ReadExtensions(reader.ReadSequence(ExtensionsTag));
        NoTrailingData(reader, "TBS certificate");

        var certificate = new MatterCertificate(
            serial, issuer, notBefore, notAfter == MatterCertificate.NoWellDefinedExpiration ? null : notAfter,
            subject, publicKey, extensions);
        if (!MatterCertificateDer.EncodeTbs(certificate).AsSpan().SequenceEqual(tbs))
        {
            throw new FormatException("the certificate does not use Matter's canonical encoding");
        }

        return certificate;
    }

    private static List<DnAttribute> ReadName(AsnReader reader)
    {
        var name = reader.ReadSequence();
        var attributes = new List<DnAttribute>();
        while (name.HasData)
        {
            var rdn = name.ReadSetOf();
            var pair = rdn.ReadSequence();
            NoTrailingData(rdn, "RDN (Matter uses one attribute per RDN)");
            var oid = pair.ReadObjectIdentifier();
            var type = DnAttribute.TypeOf(oid) ?? throw new FormatException($"unsupported DN attribute {oid}");
            var tag = pair.PeekTag();
            var text = pair.ReadCharacterString(StringType(tag));
            NoTrailingData(pair, "DN attribute");
            attributes.Add(ToAttribute(type, tag, text));
        }

        return attributes;
    }

    private static UniversalTagNumber StringType(Asn1Tag tag) =>
        tag.TagClass == TagClass.Universal && tag.TagValue is (int)UniversalTagNumber.UTF8String
            or (int)UniversalTagNumber.PrintableString or (int)UniversalTagNumber.IA5String
            ? (UniversalTagNumber)tag.TagValue
            : throw new FormatException("DN values must be UTF8String, PrintableString or IA5String");

    private static DnAttribute ToAttribute(DnAttributeType type, Asn1Tag tag, string text)
    {
        var printable = tag.TagValue == (int)UniversalTagNumber.PrintableString;
        if (type < DnAttributeType.MatterNodeId)
        {
            return DnAttribute.Standard(type, text, printable);
        }

        var digits = type == DnAttributeType.MatterCaseAuthenticatedTag ? 8 : 16;
        if (printable || text.Length != digits || !text.All(char.IsAsciiHexDigitUpper))
        {
            throw new FormatException($"a Matter {type} must be {digits} uppercase hex digits");
        }

        return new DnAttribute(type, ulong.Parse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture));
    }

    private static DateTimeOffset ReadTime(AsnReader reader) =>
        reader.PeekTag().HasSameClassAndValue(new Asn1Tag(UniversalTagNumber.UtcTime))
            ? reader.ReadUtcTime()
            : reader.ReadGeneralizedTime();

    private static byte[] ReadPublicKey(AsnReader reader)
    {
        var info = reader.ReadSequence();
        var algorithm = info.ReadSequence();
        if (algorithm.ReadObjectIdentifier() != MatterOids.EcPublicKey || algorithm.ReadObjectIdentifier() != MatterOids.Prime256v1)
        {
            throw new FormatException("the public key must be an EC P-256 key");
        }

        NoTrailingData(algorithm, "public key algorithm");
        var key = info.ReadBitString(out var unused);
        NoTrailingData(info, "public key");
        if (unused != 0 || !P256.DecodePeerPoint(key, "the public key").IsOk)
        {
            throw new FormatException("the public key is not a valid uncompressed P-256 point");
        }

        return key;
    }

    private static void ReadSignatureAlgorithm(AsnReader reader)
    {
        var algorithm = reader.ReadSequence();
        if (algorithm.ReadObjectIdentifier() != MatterOids.EcdsaWithSha256 || algorithm.HasData)
        {
            throw new FormatException("the signature algorithm must be ecdsa-with-SHA256 without parameters");
        }
    }

    private static List<CertificateExtension> ReadExtensions(AsnReader tagged)
    {
        var list = tagged.ReadSequence();
        NoTrailingData(tagged, "extensions");
        var extensions = new List<CertificateExtension>();
        while (list.HasData)
        {
            var encoded = list.ReadEncodedValue().ToArray();
            var extension = new AsnReader(encoded, AsnEncodingRules.DER).ReadSequence();
            var oid = extension.ReadObjectIdentifier();
            if (extension.PeekTag().HasSameClassAndValue(Asn1Tag.Boolean))
            {
                extension.ReadBoolean();
            }

            var value = new AsnReader(extension.ReadOctetString(), AsnEncodingRules.DER);
            NoTrailingData(extension, "extension");
            extensions.Add(oid switch
            {
                MatterOids.BasicConstraints => ReadBasicConstraints(value),
                MatterOids.KeyUsage => new KeyUsageExtension(ReadKeyUsage(value)),
                MatterOids.ExtendedKeyUsage => ReadExtendedKeyUsage(value),
                MatterOids.SubjectKeyIdentifier => new SubjectKeyIdExtension(value.ReadOctetString()),
                MatterOids.AuthorityKeyIdentifier => ReadAuthorityKeyId(value),
                _ => new FutureExtension(encoded),
            });
            if (extensions[^1] is not FutureExtension)
            {
                NoTrailingData(value, oid);
            }
        }

        return extensions;
    }

    private static BasicConstraintsExtension ReadBasicConstraints(AsnReader value)
    {
        var sequence = value.ReadSequence();
        var isCa = sequence.HasData && sequence.PeekTag().HasSameClassAndValue(Asn1Tag.Boolean) && sequence.ReadBoolean();
        byte? pathLength = null;
        if (sequence.HasData)
        {
            pathLength = sequence.TryReadInt32(out var length) && length is >= 0 and <= byte.MaxValue
                ? (byte)length
                : throw new FormatException("basic constraints path length out of range");
        }

        NoTrailingData(sequence, "basic constraints");
        return new BasicConstraintsExtension(isCa, pathLength);
    }

    private static KeyUsages ReadKeyUsage(AsnReader value)
    {
        var bytes = value.ReadBitString(out _);
        if (bytes.Length > 2)
        {
            throw new FormatException("key usage has more bits than X.509 defines");
        }

        var usages = 0;
        for (var bit = 0; bit < bytes.Length * 8; bit++)
        {
            if ((bytes[bit / 8] & (0x80 >> (bit % 8))) != 0)
            {
                usages |= 1 << bit;
            }
        }

        return usages <= AllKeyUsageBits
            ? (KeyUsages)usages
            : throw new FormatException("key usage has more bits than X.509 defines");
    }

    private static ExtendedKeyUsageExtension ReadExtendedKeyUsage(AsnReader value)
    {
        var sequence = value.ReadSequence();
        var purposes = new List<KeyPurpose>();
        while (sequence.HasData)
        {
            var oid = sequence.ReadObjectIdentifier();
            purposes.Add(KeyPurposeOids.FromOid(oid) ?? throw new FormatException($"unsupported key purpose {oid}"));
        }

        return new ExtendedKeyUsageExtension(purposes);
    }

    private static AuthorityKeyIdExtension ReadAuthorityKeyId(AsnReader value)
    {
        var sequence = value.ReadSequence();
        var keyId = sequence.ReadOctetString(KeyIdentifierTag);
        NoTrailingData(sequence, "authority key identifier (Matter carries only the key id)");
        return new AuthorityKeyIdExtension(keyId);
    }

    private static void NoTrailingData(AsnReader reader, string what)
    {
        if (reader.HasData)
        {
            throw new FormatException($"unexpected data after the {what}");
        }
    }
}
