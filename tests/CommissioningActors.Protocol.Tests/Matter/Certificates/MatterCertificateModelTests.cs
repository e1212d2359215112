using System.Security.Cryptography.X509Certificates;
using CommissioningActors.Protocol.Matter.Certificates;
using CommissioningActors.Protocol.Matter.Crypto;

namespace CommissioningActors.Protocol.Tests.Matter.Certificates;

/// <summary>The model's encoder and reader agree over the whole space Matter allows, not only the vectors.</summary>
public sealed class MatterCertificateModelTests
{
    private static readonly byte[] PublicKey = Convert.FromHexString(MatterCertificateVectors.GeneralRootPublicKey);

    public static TheoryData<int> AllKeyUsages()
    {
        var data = new TheoryData<int>();
        for (var usages = 0; usages <= 0x1FF; usages += 7)
        {
            data.Add(usages);
        }

        data.Add(0x1FF);
        data.Add(0x100);
        return data;
    }

    [Theory]
    [MemberData(nameof(AllKeyUsages))]
    public void Every_key_usage_survives_encode_and_decode(int usages)
    {
        var certificate = Certificate() with
        {
            Extensions = [new BasicConstraintsExtension(false), new KeyUsageExtension((KeyUsages)usages)],
        };

        var decoded = MatterCertificateDerReader.DecodeTbs(certificate.ToTbsDer());

        Assert.True(decoded.IsOk, decoded.Error?.ToString());
        Assert.Equal((KeyUsages)usages, decoded.Value!.KeyUsage);
    }

    [Theory]
    [InlineData("2049-12-31T23:59:59Z", (byte)0x17)]
    [InlineData("2050-01-01T00:00:00Z", (byte)0x18)]
    [InlineData("2000-01-01T00:00:01Z", (byte)0x17)]
    public void Validity_uses_utctime_before_2050_and_generalizedtime_from_2050(string notAfter, byte tag)
    {
        var time = DateTimeOffset.Parse(notAfter, System.Globalization.CultureInfo.InvariantCulture);
        using var key = EcdsaP256.CreateKey();
        var certificate = (Certificate() with { NotAfter = time, PublicKey = EcdsaP256.PublicKeyOf(key) }).SignWith(key);

        var tbs = certificate.ToTbsDer();
        var decoded = MatterCertificateDerReader.DecodeTbs(tbs).Value!;
        using var x509 = X509CertificateLoader.LoadCertificate(certificate.ToDer());

        Assert.Equal(time, decoded.NotAfter);
        Assert.Equal(time.UtcDateTime, x509.NotAfter.ToUniversalTime());
        Assert.Equal(tag, NotAfterTag(tbs));
    }

    [Fact]
    public void Matter_epoch_seconds_match_the_published_tlv_fields()
    {
        // matter.js "General Test Certificates" root: TLV notBefore 0x28541280, DER 210610000000Z.
        Assert.Equal(new DateTimeOffset(2021, 6, 10, 0, 0, 0, TimeSpan.Zero), MatterCertificate.FromMatterEpochSeconds(0x28541280));
        // The Matter specification's RCAC: TLV notBefore 0x271b17ef, DER 201015142343Z.
        Assert.Equal(0x271b17efu, MatterCertificate.ToMatterEpochSeconds(new DateTimeOffset(2020, 10, 15, 14, 23, 43, TimeSpan.Zero)));
        Assert.Null(MatterCertificate.FromMatterEpochSeconds(0));
        Assert.Equal(0u, MatterCertificate.ToMatterEpochSeconds(null));
    }

    [Fact]
    public void Every_dn_attribute_type_survives_encode_and_decode_in_order()
    {
        List<DnAttribute> subject = [.. Enum.GetValues<DnAttributeType>().Select(type => type switch
        {
            DnAttributeType.MatterCaseAuthenticatedTag => DnAttribute.CaseAuthenticatedTag(0xABCD_0001),
            >= DnAttributeType.MatterNodeId => new DnAttribute(type, 0xFEDC_BA98_7654_3210),
            DnAttributeType.CountryName => DnAttribute.Standard(type, "CH", printable: true),
            DnAttributeType.DomainComponent => DnAttribute.Standard(type, "example"),
            _ => DnAttribute.Standard(type, $"value {type} \u00e9"),
        })];
        var certificate = Certificate() with { Subject = subject };

        var decoded = MatterCertificateDerReader.DecodeTbs(certificate.ToTbsDer());

        Assert.True(decoded.IsOk, decoded.Error?.ToString());
        Assert.Equal(subject, decoded.Value!.Subject);
    }

    [Fact]
    public void Future_extensions_are_kept_verbatim_in_their_place()
    {
        // A CRL distribution point extension, as attestation certificates carry, between key usage and SKID.
        var crlDistribution = Convert.FromHexString(
            "302c0603551d1f042530233021a01fa01d861b68747470733a2f2f6578616d706c652e636f6d2f63726c2e70656d");
        var certificate = Certificate() with
        {
            Extensions =
            [
                new BasicConstraintsExtension(true, 0), new KeyUsageExtension(KeyUsages.KeyCertSign),
                new FutureExtension(crlDistribution), new SubjectKeyIdExtension(new byte[20]),
            ],
        };

        var decoded = MatterCertificateDerReader.DecodeTbs(certificate.ToTbsDer()).Value!;

        Assert.Equal(crlDistribution, Assert.IsType<FutureExtension>(decoded.Extensions[2]).Der);
        Assert.Equal(new BasicConstraintsExtension(true, 0), decoded.BasicConstraints);
    }

    /// <summary>TBS = SEQUENCE { [0] version, serial, algorithm, issuer, validity { notBefore, notAfter }, ... }.</summary>
    private static byte NotAfterTag(byte[] tbs)
    {
        var reader = new System.Formats.Asn1.AsnReader(tbs, System.Formats.Asn1.AsnEncodingRules.DER).ReadSequence();
        for (var skip = 0; skip < 4; skip++)
        {
            reader.ReadEncodedValue();
        }

        var validity = reader.ReadSequence();
        validity.ReadEncodedValue();
        return validity.ReadEncodedValue().Span[0];
    }

    private static MatterCertificate Certificate() => new(
        [0x01],
        [DnAttribute.RcacId(1)],
        new DateTimeOffset(2021, 1, 1, 0, 0, 0, TimeSpan.Zero),
        null,
        [DnAttribute.NodeId(2), DnAttribute.FabricId(3)],
        PublicKey,
        [new BasicConstraintsExtension(false)]);
}
