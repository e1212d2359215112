using CommissioningActors.Protocol.Matter.Crypto;
using CommissioningActors.Protocol.Matter.Tlv;

namespace CommissioningActors.Protocol.Matter.Certificates;

/// <summary>
/// The Matter TLV certificate encoding (core spec 6.5) of <see cref="MatterCertificate"/>. Field by field the
/// same value as the X.509 DER, so a TLV certificate converted to DER verifies with its own signature.
/// </summary>
public static class MatterCertificateTlv
{
    /// <summary>The spec's upper bound for a TLV certificate (kMaxCHIPCertLength).</summary>
    public const int MaxTlvLength = 400;

    private const byte PrintableStringFlag = 0x80;
    private const byte EcdsaWithSha256 = 1;
    private const byte EcPublicKey = 1;
    private const byte Prime256v1 = 1;

    private static TlvTag C(byte tag) => TlvTag.Context(tag);

    /// <summary>The TLV form; the certificate must carry a signature.</summary>
    public static byte[] Encode(MatterCertificate certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var signature = certificate.Signature
            ?? throw new ArgumentException("a TLV certificate needs a signature", nameof(certificate));
        var w = new TlvWriter().StartStructure(TlvTag.Anonymous)
            .WriteBytes(C(1), certificate.SerialNumber)
            .WriteUnsigned(C(2), EcdsaWithSha256);
        WriteDn(w, 3, certificate.Issuer);
        w.WriteUnsigned(C(4), MatterCertificate.ToMatterEpochSeconds(certificate.NotBefore))
            .WriteUnsigned(C(5), MatterCertificate.ToMatterEpochSeconds(certificate.NotAfter));
        WriteDn(w, 6, certificate.Subject);
        w.WriteUnsigned(C(7), EcPublicKey)
            .WriteUnsigned(C(8), Prime256v1)
            .WriteBytes(C(9), certificate.PublicKey)
            .StartList(C(10));
        foreach (var extension in certificate.Extensions)
        {
            WriteExtension(w, extension);
        }

        return w.EndContainer().WriteBytes(C(11), signature).EndContainer().ToArray();
    }

    /// <summary>Reads a TLV certificate; anything the DER form could not carry identically is refused.</summary>
    public static CryptoResult<MatterCertificate> Decode(ReadOnlySpan<byte> tlv)
    {
        if (tlv.Length > MaxTlvLength)
        {
            return CryptoResult<MatterCertificate>.Fail(CryptoErrorKind.Malformed, $"TLV certificate is {tlv.Length} bytes; at most {MaxTlvLength}");
        }

        if (!TlvDecoder.TryDecode(tlv, out var root, out var error, maxDepth: 4))
        {
            return CryptoResult<MatterCertificate>.Fail(CryptoErrorKind.Malformed, $"TLV certificate: {error.Message}");
        }

        try
        {
            return CryptoResult<MatterCertificate>.Ok(MatterCertificateTlvReader.Read(root));
        }
        catch (FormatException e)
        {
            return CryptoResult<MatterCertificate>.Fail(CryptoErrorKind.Malformed, $"TLV certificate: {e.Message}");
        }
    }

    /// <summary>TLV to the signed X.509 DER (what the signature covers, minus the outer wrapping).</summary>
    public static CryptoResult<byte[]> ToDer(ReadOnlySpan<byte> tlv)
    {
        var certificate = Decode(tlv);
        return certificate.IsOk ? CryptoResult<byte[]>.Ok(certificate.Value!.ToDer()) : certificate.Error!;
    }

    /// <summary>A signed X.509 DER Matter certificate to TLV.</summary>
    public static CryptoResult<byte[]> FromDer(ReadOnlySpan<byte> der)
    {
        var certificate = MatterCertificateDerReader.Decode(der);
        return certificate.IsOk ? CryptoResult<byte[]>.Ok(Encode(certificate.Value!)) : certificate.Error!;
    }

    private static void WriteDn(TlvWriter w, byte tag, IReadOnlyList<DnAttribute> dn)
    {
        w.StartList(C(tag));
        foreach (var attribute in dn)
        {
            var attributeTag = (byte)attribute.Type;
            if (attribute.IsMatterId)
            {
                w.WriteUnsigned(C(attributeTag), attribute.Id);
            }
            else
            {
                w.WriteUtf8(C(attribute.PrintableString ? (byte)(attributeTag | PrintableStringFlag) : attributeTag), attribute.Text ?? "");
            }
        }

        w.EndContainer();
    }

    private static void WriteExtension(TlvWriter w, CertificateExtension extension)
    {
        switch (extension)
        {
            case BasicConstraintsExtension bc:
                w.StartStructure(C(1)).WriteBool(C(1), bc.IsCa);
                if (bc.PathLength is { } pathLength)
                {
                    w.WriteUnsigned(C(2), pathLength);
                }

                w.EndContainer();
                break;
            case KeyUsageExtension ku:
                w.WriteUnsigned(C(2), (ushort)ku.Usages);
                break;
            case ExtendedKeyUsageExtension eku:
                w.StartArray(C(3));
                foreach (var purpose in eku.Purposes)
                {
                    w.WriteUnsigned(TlvTag.Anonymous, (byte)purpose);
                }

                w.EndContainer();
                break;
            case SubjectKeyIdExtension skid:
                w.WriteBytes(C(4), skid.KeyId);
                break;
            case AuthorityKeyIdExtension akid:
                w.WriteBytes(C(5), akid.KeyId);
                break;
            case FutureExtension future:
                w.WriteBytes(C(6), future.Der);
                break;
            default:
                throw new ArgumentException($"unknown extension {extension.GetType().Name}", nameof(extension));
        }
    }

    internal static (DnAttributeType Type, bool Printable)? AttributeOf(TlvTag tag)
    {
        if (tag.Form != TlvTagForm.Context)
        {
            return null;
        }

        var number = (byte)tag.Number;
        var printable = (number & PrintableStringFlag) != 0;
        var type = (DnAttributeType)(number & ~PrintableStringFlag);
        if (!Enum.IsDefined(type) || (printable && (type >= DnAttributeType.DomainComponent)))
        {
            return null;
        }

        return (type, printable);
    }
}
