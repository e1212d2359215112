using System.Security.Cryptography.X509Certificates;
using CommissioningActors.Protocol.Matter.Certificates;
using CommissioningActors.Protocol.Matter.Crypto;
using static CommissioningActors.Protocol.Tests.Matter.Certificates.MatterCertificateVectors;

namespace CommissioningActors.Protocol.Tests.Matter.Certificates;

public sealed class MatterCertificateDerTests
{
    public static TheoryData<SignedTbs> SignedVectors => [.. Signed];

    /// <summary>Decoding to the model and encoding again gives the bytes other ecosystems signed.</summary>
    [Theory]
    [MemberData(nameof(SignedVectors))]
    public void Published_certificates_re_encode_to_the_signed_bytes(SignedTbs vector)
    {
        var decoded = MatterCertificateDerReader.DecodeTbs(Convert.FromHexString(vector.Tbs));
        Assert.True(decoded.IsOk, decoded.Error?.ToString());

        var signed = decoded.Value! with { Signature = Convert.FromHexString(vector.Signature) };
        Assert.Equal(vector.Tbs, Convert.ToHexStringLower(signed.ToTbsDer()));
        Assert.True(signed.IsSignedBy(Convert.FromHexString(vector.IssuerPublicKey)));

        // The full certificate is ordinary X.509 to .NET as well.
        using var x509 = X509CertificateLoader.LoadCertificate(signed.ToDer());
        Assert.Equal(3, x509.Version);
    }

    [Fact]
    public void The_general_noc_carries_its_matter_ids_key_usage_and_extension_order()
    {
        var noc = MatterCertificateDerReader.DecodeTbs(Convert.FromHexString(GeneralNocTbs)).Value!;

        Assert.Equal(0xDAul, noc.SubjectId(DnAttributeType.MatterNodeId));
        Assert.Equal(1ul, noc.SubjectId(DnAttributeType.MatterFabricId));
        Assert.Equal(0ul, noc.IssuerId(DnAttributeType.MatterRcacId));
        Assert.Equal(KeyUsages.DigitalSignature, noc.KeyUsage);
        Assert.False(noc.BasicConstraints!.IsCa);
        Assert.Equal(
            [typeof(BasicConstraintsExtension), typeof(KeyUsageExtension), typeof(ExtendedKeyUsageExtension),
                typeof(SubjectKeyIdExtension), typeof(AuthorityKeyIdExtension)],
            noc.Extensions.Select(e => e.GetType()));
        Assert.Equal([KeyPurpose.ClientAuth, KeyPurpose.ServerAuth], noc.Extensions.OfType<ExtendedKeyUsageExtension>().Single().Purposes);
        Assert.Equal(new DateTimeOffset(2031, 6, 8, 0, 0, 0, TimeSpan.Zero), noc.NotAfter);
    }

    [Fact]
    public void Case_authenticated_tags_are_eight_hex_digits_each_in_their_own_rdn()
    {
        var noc = MatterCertificateDerReader.DecodeTbs(Convert.FromHexString(NocWithCatsTbs));

        Assert.True(noc.IsOk, noc.Error?.ToString());
        Assert.Equal(
            [0x12345678ul, 0x56789012ul, 0x90123456ul],
            noc.Value!.Subject.Where(a => a.Type == DnAttributeType.MatterCaseAuthenticatedTag).Select(a => a.Id));
        Assert.Equal(NocWithCatsTbs, Convert.ToHexStringLower(noc.Value.ToTbsDer()));
    }

    [Fact]
    public void Standard_attributes_keep_their_string_type_and_no_expiration_maps_to_null()
    {
        var google = MatterCertificateDerReader.DecodeTbs(Convert.FromHexString(Signed[4].Tbs)).Value!;
        var apple = MatterCertificateDerReader.DecodeTbs(Convert.FromHexString(Signed[2].Tbs)).Value!;

        Assert.Equal(DnAttribute.Standard(DnAttributeType.CountryName, "US", printable: true), google.Subject[0]);
        Assert.Equal(DnAttribute.Standard(DnAttributeType.OrganizationName, "Google"), google.Subject[1]);
        Assert.Equal(new BasicConstraintsExtension(true, 1), google.BasicConstraints);
        Assert.Equal(new DateTimeOffset(2121, 12, 8, 20, 30, 55, TimeSpan.Zero), google.NotAfter);
        Assert.Null(apple.NotAfter);
    }

    [Fact]
    public void The_spec_example_chain_round_trips_and_verifies_link_by_link()
    {
        var rcac = Decode(SpecRcacPem);
        var icac = Decode(SpecIcacPem);
        var noc = Decode(SpecNocPem);

        Assert.True(rcac.IsSignedBy(rcac.PublicKey));
        Assert.True(icac.IsSignedBy(rcac.PublicKey));
        Assert.True(noc.IsSignedBy(icac.PublicKey));
        Assert.False(noc.IsSignedBy(rcac.PublicKey));
        Assert.Equal(0xDEDEDEDE00010001ul, noc.SubjectId(DnAttributeType.MatterNodeId));
        Assert.Equal(0xFAB000000000001Dul, noc.SubjectId(DnAttributeType.MatterFabricId));
        Assert.Equal(0xCACACACA00000003ul, icac.SubjectId(DnAttributeType.MatterIcacId));
    }

    public static TheoryData<string, string> Rejected => new()
    {
        { "empty", "" },
        { "garbage", "deadbeef" },
        { "truncated", GeneralRootTbs[..200] },
        { "trailing data", GeneralRootTbs + "00" },
        { "lowercase matter id", GeneralRootTbs.Replace("0c1030303030303030303030303030303030", "0c1030303030303030303030303030303061", StringComparison.Ordinal) },
        // Same length, same meaning, but a key usage bit string that keeps a trailing zero bit: it would not
        // survive TLV (which re-derives the minimal form), so the signature would break.
        { "non-minimal key usage", GeneralRootTbs.Replace("040403020106", "040403020006", StringComparison.Ordinal) },
    };

    [Theory]
    [MemberData(nameof(Rejected))]
    public void Malformed_or_non_canonical_der_is_refused_without_throwing(string name, string hex)
    {
        var result = MatterCertificateDerReader.DecodeTbs(Convert.FromHexString(hex.Length % 2 == 0 ? hex : hex + "0"));

        Assert.False(result.IsOk, name);
        Assert.Equal(CryptoErrorKind.Malformed, result.Error!.Kind);
    }

    [Fact]
    public void An_oversized_input_is_refused_before_parsing()
    {
        Assert.Equal(CryptoErrorKind.Malformed, MatterCertificateDerReader.Decode(new byte[4096]).Error?.Kind);
    }

    private static MatterCertificate Decode(string pem)
    {
        var der = Der(pem);
        var result = MatterCertificateDerReader.Decode(der);
        Assert.True(result.IsOk, result.Error?.ToString());
        Assert.Equal(der, result.Value!.ToDer());
        return result.Value;
    }
}
