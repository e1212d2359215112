using CommissioningActors.Protocol.Matter.Certificates;
using CommissioningActors.Protocol.Matter.Crypto;
using static CommissioningActors.Protocol.Tests.Matter.Certificates.MatterCertificateTlvVectors;

namespace CommissioningActors.Protocol.Tests.Matter.Certificates;

public sealed class MatterCertificateValidatorTests : IDisposable
{
    private static readonly TimeProvider In2025 = new FixedTime(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly FabricAuthority _fabric = FabricAuthority.Create(0xFAB1, 1);

    public void Dispose() => _fabric.Dispose();

    private static byte[] H(string hex) => Convert.FromHexString(hex);

    private static MatterCertificate Cert(string hex) => MatterCertificateTlv.Decode(H(hex)).Value!;

    [Fact]
    public void A_noc_we_issued_validates_and_gives_the_peer_key_and_node_id()
    {
        using var deviceKey = EcdsaP256.CreateKey();
        var publicKey = EcdsaP256.PublicKeyOf(deviceKey);
        var noc = MatterCertificateTlv.Encode(_fabric.IssueNoc(publicKey, 0x1234));

        var result = MatterCertificateValidator.For(_fabric).AsDelegate()(noc, null);

        Assert.True(result.IsOk, result.Error?.ToString());
        Assert.Equal(publicKey, result.Value!.PublicKey);
        Assert.Equal(0x1234ul, result.Value.NodeId);
        Assert.Equal(0xFAB1ul, result.Value.FabricId);
    }

    [Theory]
    [InlineData(SpecRoot, SpecIcac, SpecNoc, 0xFAB000000000001Dul, 0xDEDEDEDE00010001ul)]
    [InlineData(GoogleRoot, GoogleIcac, GoogleNoc, 0x16cd77ed6c2be7b9ul, 0x6d707ef1ul)]
    [InlineData(AmazonRoot, AmazonIcac, AmazonNoc, 0x00a71929b019c122ul, 0x02f9f2aac75f15f0ul)]
    public void Published_chains_with_an_icac_validate(string root, string icac, string noc, ulong fabricId, ulong nodeId)
    {
        var validator = new MatterCertificateValidator(Cert(root), fabricId, In2025);

        var result = validator.Validate(H(noc), H(icac));

        Assert.True(result.IsOk, result.Error?.ToString());
        Assert.Equal(nodeId, result.Value!.NodeId);
        Assert.Equal(Cert(noc).PublicKey, result.Value.PublicKey);
    }

    [Fact]
    public void A_noc_of_another_fabric_id_under_the_same_root_is_refused()
    {
        using var deviceKey = EcdsaP256.CreateKey();
        var noc = MatterCertificateTlv.Encode(_fabric.IssueNoc(EcdsaP256.PublicKeyOf(deviceKey), 5));

        var result = new MatterCertificateValidator(_fabric.RootCertificate, 0xFAB2).Validate(noc, null);

        Assert.Equal(CryptoErrorKind.UntrustedChain, result.Error!.Kind);
        Assert.Contains("fabric", result.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_noc_from_another_root_is_refused()
    {
        using var other = FabricAuthority.Create(0xFAB1, 1);
        using var deviceKey = EcdsaP256.CreateKey();
        var noc = MatterCertificateTlv.Encode(other.IssueNoc(EcdsaP256.PublicKeyOf(deviceKey), 5));

        var result = MatterCertificateValidator.For(_fabric).Validate(noc, null);

        Assert.Equal(CryptoErrorKind.InvalidSignature, result.Error!.Kind);
    }

    [Fact]
    public void A_chain_missing_its_icac_or_with_the_wrong_one_is_refused()
    {
        var validator = new MatterCertificateValidator(Cert(SpecRoot), 0xFAB000000000001D, In2025);

        Assert.False(validator.Validate(H(SpecNoc), null).IsOk);
        Assert.False(validator.Validate(H(SpecNoc), H(GoogleIcac)).IsOk);
        Assert.False(validator.Validate(H(SpecIcac), null).IsOk); // a CA is not a NOC
    }

    [Fact]
    public void An_expired_noc_is_refused()
    {
        var validator = new MatterCertificateValidator(Cert(SpecRoot), 0xFAB000000000001D,
            new FixedTime(new DateTimeOffset(2041, 1, 1, 0, 0, 0, TimeSpan.Zero)));

        var result = validator.Validate(H(SpecNoc), H(SpecIcac));

        Assert.Contains("expired", result.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Garbage_is_malformed_not_an_exception()
    {
        var result = MatterCertificateValidator.For(_fabric).Validate(H("1518"), null);

        Assert.Equal(CryptoErrorKind.Malformed, result.Error!.Kind);
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
