using CommissioningActors.Protocol.Matter.Certificates;
using CommissioningActors.Protocol.Matter.Crypto;
using static CommissioningActors.Protocol.Tests.Matter.Certificates.MatterCertificateTlvVectors;
using V = CommissioningActors.Protocol.Tests.Matter.Certificates.MatterCertificateVectors;

namespace CommissioningActors.Protocol.Tests.Matter.Certificates;

public sealed class MatterCertificateTlvTests
{
    public sealed record Vector(string Name, string Tlv, string? Tbs, string IssuerTlv)
    {
        public override string ToString() => Name;
    }

    public static TheoryData<Vector> Vectors =>
    [
        new("General RCAC", GeneralRoot, V.GeneralRootTbs, GeneralRoot),
        new("General NOC", GeneralNoc, V.GeneralNocTbs, GeneralRoot),
        new("Spec RCAC", SpecRoot, null, SpecRoot),
        new("Spec ICAC", SpecIcac, null, SpecRoot),
        new("Spec NOC", SpecNoc, null, SpecIcac),
        new("Apple RCAC", AppleRoot, V.Signed[2].Tbs, AppleRoot),
        new("Apple NOC", AppleNoc, V.Signed[3].Tbs, AppleRoot),
        new("Google RCAC (PrintableString country, path length)", GoogleRoot, V.Signed[4].Tbs, GoogleRoot),
        new("Google ICAC", GoogleIcac, null, GoogleRoot),
        new("Google NOC (16-byte serial)", GoogleNoc, null, GoogleIcac),
        new("Amazon RCAC (extension order, 17-byte serial)", AmazonRoot, V.Signed[5].Tbs, AmazonRoot),
        new("Amazon ICAC", AmazonIcac, null, AmazonRoot),
        new("Amazon NOC", AmazonNoc, V.Signed[6].Tbs, AmazonIcac),
    ];

    private static MatterCertificate Decode(string hex)
    {
        var decoded = MatterCertificateTlv.Decode(Convert.FromHexString(hex));
        Assert.True(decoded.IsOk, decoded.Error?.ToString());
        return decoded.Value!;
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Published_tlv_converts_to_the_published_der_and_back_and_verifies(Vector vector)
    {
        var certificate = Decode(vector.Tlv);

        if (vector.Tbs is not null)
        {
            Assert.Equal(vector.Tbs, Convert.ToHexStringLower(certificate.ToTbsDer()));
        }

        // The signature in the TLV is over the DER TBS we rebuilt.
        Assert.True(certificate.IsSignedBy(Decode(vector.IssuerTlv).PublicKey));

        var der = MatterCertificateTlv.ToDer(Convert.FromHexString(vector.Tlv));
        Assert.True(der.IsOk, der.Error?.ToString());
        var back = MatterCertificateTlv.FromDer(der.Value!);
        Assert.True(back.IsOk, back.Error?.ToString());
        Assert.Equal(vector.Tlv, Convert.ToHexStringLower(back.Value!));
    }

    [Theory]
    [InlineData(V.SpecRcacPem, SpecRoot)]
    [InlineData(V.SpecIcacPem, SpecIcac)]
    [InlineData(V.SpecNocPem, SpecNoc)]
    public void The_spec_chain_in_tlv_and_in_der_are_the_same_certificates(string pem, string tlv)
    {
        var der = V.Der(pem);

        Assert.Equal(der, MatterCertificateTlv.ToDer(Convert.FromHexString(tlv)).Value);
        Assert.Equal(tlv, Convert.ToHexStringLower(MatterCertificateTlv.FromDer(der).Value!));
    }

    [Fact]
    public void Tlv_fields_map_to_the_model()
    {
        var noc = Decode(SpecNoc);
        Assert.Equal(0xDEDEDEDE00010001ul, noc.SubjectId(DnAttributeType.MatterNodeId));
        Assert.Equal(0xFAB000000000001Dul, noc.SubjectId(DnAttributeType.MatterFabricId));
        Assert.Equal(0xCACACACA00000003ul, noc.IssuerId(DnAttributeType.MatterIcacId));
        Assert.Equal([KeyPurpose.ClientAuth, KeyPurpose.ServerAuth], noc.Extensions.OfType<ExtendedKeyUsageExtension>().Single().Purposes);

        var google = Decode(GoogleRoot);
        Assert.Equal(DnAttribute.Standard(DnAttributeType.CountryName, "US", printable: true), google.Subject[0]);
        Assert.Equal(DnAttribute.Standard(DnAttributeType.OrganizationName, "Google"), google.Subject[1]);
        Assert.Equal(new BasicConstraintsExtension(true, 1), google.BasicConstraints);

        var apple = Decode(AppleRoot);
        Assert.Null(apple.NotAfter);
    }

    [Fact]
    public void A_noc_we_issue_round_trips_through_tlv_and_verifies()
    {
        using var fabric = FabricAuthority.Create(0x1122334455667788, 7);
        using var deviceKey = EcdsaP256.CreateKey();
        var noc = fabric.IssueNoc(EcdsaP256.PublicKeyOf(deviceKey), 0x42, [0x00010001]);

        var tlv = MatterCertificateTlv.Encode(noc);
        var rcacTlv = MatterCertificateTlv.Encode(fabric.RootCertificate);
        var decoded = Decode(Convert.ToHexString(tlv));

        Assert.Equal(noc.ToDer(), decoded.ToDer());
        Assert.True(decoded.IsSignedBy(fabric.RootCertificate.PublicKey));
        Assert.True(Decode(Convert.ToHexString(rcacTlv)).IsSignedBy(fabric.RootCertificate.PublicKey));
        Assert.Equal(0x00010001ul, decoded.SubjectId(DnAttributeType.MatterCaseAuthenticatedTag));
    }

    public static TheoryData<string, string> Rejected => new()
    {
        { "empty", "" },
        { "garbage", "deadbeef" },
        { "truncated", GeneralRoot[..200] },
        { "trailing data", GeneralRoot + "00" },
        { "not a structure", "1618" },
        { "missing signature", GeneralRoot[..^136] + "18" },
        { "wrong signature algorithm", GeneralRoot.Replace("24020137", "24020237", StringComparison.Ordinal) },
        { "unknown dn tag", GeneralRoot.Replace("3703241400", "3703244000", StringComparison.Ordinal) },
        { "printable matter id", GeneralRoot.Replace("3703241400", "3703249400", StringComparison.Ordinal) },
        { "public key off the curve", GeneralRoot.Replace("04d89eb7e3", "04d89eb7e4", StringComparison.Ordinal) },
        { "short signature", GeneralRoot[..^136] + "300b3f" + GeneralRoot[^130..^4] + "18" },
        { "oversized", "15" + new string('0', 900) },
    };

    [Theory]
    [MemberData(nameof(Rejected))]
    public void Malformed_tlv_is_refused_without_throwing(string name, string hex)
    {
        var decoded = MatterCertificateTlv.Decode(Convert.FromHexString(hex));

        Assert.False(decoded.IsOk, name);
        Assert.Equal(CryptoErrorKind.Malformed, decoded.Error!.Kind);
    }
}
