using CommissioningActors.Protocol.Matter.Crypto;
using CommissioningActors.Protocol.Matter.Tlv;

namespace CommissioningActors.Protocol.Matter.Certificates;

/// <summary>
/// Reads the TLV certificate structure into the model. Fields must come in spec order (1..11) because the DER,
/// which the signature covers, is rebuilt in that order. Throws <see cref="FormatException"/> with a message
/// naming the field (never the peer's bytes).
/// </summary>
internal static class MatterCertificateTlvReader
{
    public static MatterCertificate Read(TlvElement root)
    {
        if (!root.Tag.IsAnonymous || root.Value is not TlvContainer { Kind: TlvContainerKind.Structure } structure)
        {
            throw new FormatException("must be one anonymous structure");
        }

        var fields = structure.Members;
        var expected = new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 };
        if (fields.Count != expected.Length)
        {
            throw new FormatException($"has {fields.Count} fields; a certificate has {expected.Length}");
        }

        for (var i = 0; i < expected.Length; i++)
        {
            if (!fields[i].Tag.IsContext(expected[i]))
            {
                throw new FormatException($"field {i + 1} has tag {fields[i].Tag}; expected context tag {expected[i]}");
            }
        }

        var serial = Bytes(fields[0], "serial number", 1, MatterCertificate.MaxSerialNumberLength);
        Expect(fields[1], "signature algorithm", 1);
        var issuer = Dn(fields[2], "issuer");
        var notBefore = Unsigned(fields[3], "not-before", uint.MaxValue);
        var notAfter = Unsigned(fields[4], "not-after", uint.MaxValue);
        var subject = Dn(fields[5], "subject");
        Expect(fields[6], "public key algorithm", 1);
        Expect(fields[7], "elliptic curve", 1);
        var publicKey = Bytes(fields[8], "public key", 65, 65);
        if (!P256.DecodePeerPoint(publicKey, "the public key").IsOk)
        {
            throw new FormatException("the public key is not a valid uncompressed P-256 point");
        }

        var extensions = Extensions(fields[9]);
        var signature = Bytes(fields[10], "signature", 64, 64);
        return new MatterCertificate(
            serial, issuer, MatterCertificate.MatterEpoch.AddSeconds(notBefore),
            MatterCertificate.FromMatterEpochSeconds((uint)notAfter), subject, publicKey, extensions, signature);
    }

    private static List<DnAttribute> Dn(TlvElement element, string name)
    {
        var members = Container(element, TlvContainerKind.List, name);
        if (members.Count == 0)
        {
            throw new FormatException($"{name} has no attributes");
        }

        var dn = new List<DnAttribute>(members.Count);
        foreach (var member in members)
        {
            var attribute = MatterCertificateTlv.AttributeOf(member.Tag)
                ?? throw new FormatException($"{name} has an unknown attribute tag {member.Tag}");
            var (type, printable) = attribute;
            if (type >= DnAttributeType.MatterNodeId)
            {
                var max = type == DnAttributeType.MatterCaseAuthenticatedTag ? uint.MaxValue : ulong.MaxValue;
                dn.Add(new DnAttribute(type, Unsigned(member, $"{name} {type}", max)));
            }
            else
            {
                var text = member.AsString() ?? throw new FormatException($"{name} {type} must be a UTF-8 string");
                dn.Add(DnAttribute.Standard(type, text, printable));
            }
        }

        return dn;
    }

    private static List<CertificateExtension> Extensions(TlvElement element)
    {
        var members = Container(element, TlvContainerKind.List, "extensions");
        var extensions = new List<CertificateExtension>(members.Count);
        var seen = new HashSet<uint>();
        foreach (var member in members)
        {
            if (member.Tag.Form != TlvTagForm.Context || (member.Tag.Number != 6 && !seen.Add(member.Tag.Number)))
            {
                throw new FormatException($"extension tag {member.Tag} is unknown or repeated");
            }

            extensions.Add(member.Tag.Number switch
            {
                1 => BasicConstraints(member),
                2 => new KeyUsageExtension((KeyUsages)Unsigned(member, "key usage", 0x1FF)),
                3 => new ExtendedKeyUsageExtension(Container(member, TlvContainerKind.Array, "extended key usage")
                    .Select(p => Purpose(p)).ToList()),
                4 => new SubjectKeyIdExtension(Bytes(member, "subject key id", 20, 20)),
                5 => new AuthorityKeyIdExtension(Bytes(member, "authority key id", 20, 20)),
                6 => new FutureExtension(Bytes(member, "future extension", 1, MatterCertificateTlv.MaxTlvLength)),
                _ => throw new FormatException($"extension tag {member.Tag} is unknown"),
            });
        }

        return extensions;
    }

    private static BasicConstraintsExtension BasicConstraints(TlvElement element)
    {
        var members = Container(element, TlvContainerKind.Structure, "basic constraints");
        if (members.Count is 0 or > 2 || !members[0].Tag.IsContext(1) || members[0].AsBool() is not { } isCa
            || (members.Count == 2 && !members[1].Tag.IsContext(2)))
        {
            throw new FormatException("basic constraints must be {1 isCA, optional 2 path length}");
        }

        byte? pathLength = members.Count == 2 ? (byte)Unsigned(members[1], "path length", byte.MaxValue) : null;
        return new BasicConstraintsExtension(isCa, pathLength);
    }

    private static KeyPurpose Purpose(TlvElement element)
    {
        var value = (KeyPurpose)Unsigned(element, "key purpose", byte.MaxValue);
        return Enum.IsDefined(value) && element.Tag.IsAnonymous ? value : throw new FormatException("unknown key purpose");
    }

    private static IReadOnlyList<TlvElement> Container(TlvElement element, TlvContainerKind kind, string name) =>
        element.Value is TlvContainer container && container.Kind == kind
            ? container.Members
            : throw new FormatException($"{name} must be a TLV {kind}");

    private static byte[] Bytes(TlvElement element, string name, int min, int max)
    {
        if (element.Value is not TlvBytes { Value: var bytes })
        {
            throw new FormatException($"{name} must be a byte string");
        }

        return bytes.Length >= min && bytes.Length <= max
            ? bytes.ToArray()
            : throw new FormatException($"{name} must be {min}..{max} bytes, got {bytes.Length}");
    }

    private static ulong Unsigned(TlvElement element, string name, ulong max) =>
        element.Value is TlvUnsigned { Value: var value } && value <= max
            ? value
            : throw new FormatException($"{name} must be an unsigned integer up to {max}");

    private static void Expect(TlvElement element, string name, ulong value)
    {
        if (Unsigned(element, name, ulong.MaxValue) != value)
        {
            throw new FormatException($"{name} must be {value}");
        }
    }
}
