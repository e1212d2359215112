using CommissioningActors.Protocol.Matter.SecureChannel;

namespace CommissioningActors.Protocol.Tests.Matter.SecureChannel;

/// <summary>
/// The CASE key schedule against published numbers: the spec's compressed fabric id example (also in
/// connectedhomeip TestCHIPCryptoPAL), the operational group key of connectedhomeip TestGroupDataProvider, and
/// the destination ids of matter.js packages/protocol/test/fabric/FabricTest.ts.
/// </summary>
public sealed class CaseKeyScheduleTests
{
    private const string SpecRootPublicKey =
        "044a9f42b1ca4840d37292bbc7f6a7e11e22200c976fc900dbc98a7a383a641cb8254a2e56d4e295a847943b4e3897c4a773e930277b4d9fbede8a052686bfacfa";

    [Fact]
    public void Compressed_fabric_id_matches_the_spec_example()
    {
        var id = CaseKeySchedule.CompressedFabricId(Convert.FromHexString(SpecRootPublicKey), 0x2906C908D115D362);
        Assert.Equal("87e1b004e235a130", Convert.ToHexStringLower(id));
    }

    [Fact]
    public void Operational_ipk_of_an_epoch_key_matches_connectedhomeip()
    {
        var ipk = CaseKeySchedule.OperationalIpk(
            Convert.FromHexString("235bf7e62823d358dca4ba50b1535f4b"), Convert.FromHexString("87e1b004e235a130"));
        Assert.Equal("a6f5306baf6d050af23ba4bd6b9dd960", Convert.ToHexStringLower(ipk));
    }

    [Theory]
    [InlineData("9bc61cd9c62a2df6d64dfcaa9dc472d4", "7e171231568dfa17206b3accf8faec2f4d21b580113196f47c7c4deb810a73dc",
        SpecRootPublicKey, 0x2906c908d115d362UL, 0xcd5544aa7b13ef14UL,
        "dc35dd5fc9134cc5544538c9c3fc4297c1ec3370c839136a80e10796451d4c53")]
    [InlineData("6624ed691e9b53b1f286d98117918c3a", "0b2a71876d3d090d37cb5286168ab9be0d2e7e0ccbedc1f55331b8a8051ee02f",
        "04d89eb7e3f3226d0918f4b85832457bb9981bca7aaef58c18fb5ec07525e472b2bd1617fb75ee41bd388f94ae6a6070efc896777516a5c54aff74ec0804cdde9d",
        0x1UL, 0x55UL, "b1ce1a45fd930831203024286cd609ec4f9bbe71ed8e10c2c4cab0be49a87e8a")]
    public void Destination_id_matches_matter_js(string ipk, string random, string rootKey, ulong fabricId, ulong nodeId, string expected)
    {
        var id = CaseKeySchedule.DestinationId(
            Convert.FromHexString(ipk), Convert.FromHexString(random), Convert.FromHexString(rootKey), fabricId, nodeId);
        Assert.Equal(expected, Convert.ToHexStringLower(id));
    }

    [Fact]
    public void Tbe_data_seals_and_opens_and_a_flipped_bit_does_not_open()
    {
        var key = new byte[16];
        key[0] = 7;
        var sealedData = CaseKeySchedule.Encrypt(key, CaseKeySchedule.Sigma2Nonce, "hello"u8);
        Assert.Equal("hello"u8.ToArray(), CaseKeySchedule.Decrypt(key, CaseKeySchedule.Sigma2Nonce, sealedData));
        Assert.Null(CaseKeySchedule.Decrypt(key, CaseKeySchedule.Sigma3Nonce, sealedData));
        sealedData[0] ^= 1;
        Assert.Null(CaseKeySchedule.Decrypt(key, CaseKeySchedule.Sigma2Nonce, sealedData));
        Assert.Null(CaseKeySchedule.Decrypt(key, CaseKeySchedule.Sigma2Nonce, new byte[3]));
    }
}
