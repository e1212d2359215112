using System.Text;
using CommissioningActors.Protocol.Matter.Crypto;
using BigInteger = Org.BouncyCastle.Math.BigInteger;

namespace CommissioningActors.Protocol.Tests.Matter.Crypto;

/// <summary>
/// The draft-bar-cfrg-spake2plus-01 vectors as published in connectedhomeip
/// src/crypto/tests/SPAKE2P_RFC_test_vectors.h (the fourth one, with empty identities, is also
/// matter.js's Spake2pTest).
/// </summary>
public sealed class Spake2pRfcVectorTests
{
    private const string Context = "SPAKE2+-P256-SHA256-HKDF draft-01";
    private const string W0 = "e6887cf9bdfb7579c69bf47928a84514b5e355ac034863f7ffaf4390e67d798c";
    private const string W1 = "24b5ae4abda868ec9336ffc3b78ee31c5755bef1759227ef5372ca139b94e512";
    private const string L =
        "0495645cfb74df6e58f9748bb83a86620bab7c82e107f57d6870da8cbcb2ff9f70" +
        "63a14b6402c62f99afcb9706a4d1a143273259fe76f1c605a3639745a92154b9";

    public sealed record Vector(
        string Name, string ProverId, string VerifierId, string X, string PointX, string Y, string PointY,
        string Z, string V, string Ka, string Ke, string KcA, string KcB, string MacA, string MacB)
    {
        public override string ToString() => Name;
    }

    public static TheoryData<Vector> Vectors =>
    [
        new Vector(
            "client/server", "client", "server",
            "8b0f3f383905cf3a3bb955ef8fb62e24849dd349a05ca79aafb18041d30cbdb6",
            "04af09987a593d3bac8694b123839422c3cc87e37d6b41c1d630f000dd64980e537ae704bcede04ea3bec9b7475b32fa2ca3b684be14d11645e38ea6609eb39e7e",
            "2e0895b0e763d6d5a9564433e64ac3cac74ff897f6c3445247ba1bab40082a91",
            "04417592620aebf9fd203616bbb9f121b730c258b286f890c5f19fea833a9c900cbe9057bc549a3e19975be9927f0e7614f08d1f0a108eede5fd7eb5624584a4f4",
            "0471a35282d2026f36bf3ceb38fcf87e3112a4452f46e9f7b47fd769cfb570145b62589c76b7aa1eb6080a832e5332c36898426912e29c40ef9e9c742eee82bf30",
            "046718981bf15bc4db538fc1f1c1d058cb0eececf1dbe1b1ea08a4e25275d382e82b348c8131d8ed669d169c2e03a858db7cf6ca2853a4071251a39fbe8cfc39bc",
            "f9cab9adcc0ed8e5a4db11a8505914b2", "801db297654816eb4f02868129b9dc89",
            "0d248d7d19234f1486b2efba5179c52d", "556291df26d705a2caedd6474dd0079b",
            "d4376f2da9c72226dd151b77c2919071155fc22a2068d90b5faa6c78c11e77dd",
            "0660a680663e8c5695956fb22dff298b1d07a526cf3cc591adfecd1f6ef6e02e"),
        new Vector(
            "client/empty", "client", "",
            "ec82d9258337f61239c9cd68e8e532a3a6b83d12d2b1ca5d543f44def17dfb8d",
            "04230779960824076d3666a7418e4d433e2fa15b06176eabdd572f43a32ecc79a192b243d2624310a7356273b86e5fd9bd627d3ade762baeff1a320d4ad7a4e47f",
            "eac3f7de4b198d5fe25c443c0cd4963807add767815dd02a6f0133b4bc2c9eb0",
            "044558642e71b616b248c9583bd6d7aa1b3952c6df6a9f7492a06035ca5d92522d84443de7aa20a59380fa4de6b7438d925dbfb7f1cfe60d79acf961ee33988c7d",
            "04b4e8770f19f58ddf83f9220c3a9305792665e0c60989e6ee9d7fa449c775d6395f6f25f307e3903ac045a013fbb5a676e872a6abfcf4d7bb5aac69efd6140eed",
            "04141db83bc7d96f41b636622e7a5c552ad83211ff55319ac25ed0a09f0818bd942e8150319bfbfa686183806dc61911183f6a0f5956156023d96e0f93d275bf50",
            "e2cbee3ae19a4dbe9f146be6bee9bfa1", "6989d8f9177ef7df67da437987f07255",
            "2f9e0bb669d2c22645bce34da04ac16a", "eb7a35168759dd8e9ce44e4dc51277ce",
            "e1b9258807ba4750dae1d7f3c3c294f13dc4fa60cde346d5de7d200e2f8fd3fc",
            "b9c39dfa49c47757de778d9bedeaca2448b905be19a43b94ee24b770208135e3"),
        new Vector(
            "empty/server", "", "server",
            "ba0f0f5b78ef23fd07868e46aeca63b51fda519a3420501acbe23d53c2918748",
            "04c14d28f4370fea20745106cea58bcfb60f2949fa4e131b9aff5ea13fd5aa79d507ae1d229e447e000f15eb78a9a32c2b88652e3411642043c1b2b7992cf2d4de",
            "39397fbe6db47e9fbd1a263d79f5d0aaa44df26ce755f78e092644b434533a42",
            "04d1bee3120fd87e86fe189cb952dc688823080e62524dd2c08dffe3d22a0a8986aa64c9fe0191033cafbc9bcaefc8e2ba8ba860cd127af9efdd7f1c3a41920fe8",
            "04aac71cf4c8df8181b867c9ecbee9d0963caf51f1534a823429c26fe5248313ffc5c5e44ea8162161ab6b3d73b87704a45889bf6343d96fa96cd1641efa71607c",
            "04c7c9505365f7ce57293c92a37f1bbdc68e0322901e61edef59fee7876b17b063e0fa4a126eae0a671b37f1464cf1ccad591c33ae944e3b1f318d76e36fea9966",
            "ec8d19b807ffb1d1eea81a93ba35cdfe", "2ea40e4badfa5452b5744dc5983e99ba",
            "66de534d9bf1e44e96a53a4b48d6b353", "4945c38bb476cb0f347f3222be9b64a2",
            "e564c93b3015efb946dc16d642bbe7d1c8da5be164ed9fc3bae4e0ff86e1bd3c",
            "072a94d9a54edc201d8891534c2317cadf3ea3792827f479e873f93e90f21552"),
        new Vector(
            "empty/empty", "", "",
            "5b478619804f4938d361fbba3a20648725222f0a54cc4c876139efe7d9a21786",
            "04a6db23d001723fb01fcfc9d08746c3c2a0a3feff8635d29cad2853e7358623425cf39712e928054561ba71e2dc11f300f1760e71eb177021a8f85e78689071cd",
            "766770dad8c8eecba936823c0aed044b8c3c4f7655e8beec44a15dcbcaf78e5e",
            "04390d29bf185c3abf99f150ae7c13388c82b6be0c07b1b8d90d26853e84374bbdc82becdb978ca3792f472424106a2578012752c11938fcf60a41df75ff7cf947",
            "040a150d9a62f514c9a1fedd782a0240a342721046cefb1111c3adb3be893ce9fcd2ffa137922fcf8a588d0f76ba9c55c85da2af3f1c789ca17976810387fb1d7e",
            "04f8e247cc263a1846272f5a3b61b68aa60a5a2665d10cd22c89cd6bad05dc0e5e650f21ff017186cc92651a4cd7e66ce88f529299f340ea80fb90a9bad094e1a6",
            "5929a3ce9822c81401bf0f764f69af08", "ea3276d68334576097e04b19ee5a3a8b",
            "7f84b939d600117256b0c8a6d40cf181", "f7d7547ced93f681e8df4c258c4516fd",
            "71d9412779b6c45a2c615c9df3f1fd93dc0aaf63104da8ece4aa1b5a3a415fea",
            "095dc0400355cc233fde7437811815b3c1524aae80fd4e6810cf531cf11d20e3"),
    ];

    [Fact]
    public void L_is_w1_times_the_generator()
    {
        Assert.Equal(L, Hex(Spake2p.ComputeL(Bytes(W1))));
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Prover_computes_X_then_Z_V_and_every_key(Vector v)
    {
        var prover = Prover(v);

        Assert.Equal(v.PointX, Hex(prover.ShareX));
        var round = prover.ComputeRound(Bytes(v.PointY));
        Assert.True(round.IsOk, round.Error?.ToString());
        AssertRound(v, round.Value!);
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Verifier_computes_Y_then_Z_V_and_every_key(Vector v)
    {
        var verifier = Verifier(v);

        Assert.Equal(v.PointY, Hex(verifier.ShareY));
        var round = verifier.ComputeRound(Bytes(v.PointX));
        Assert.True(round.IsOk, round.Error?.ToString());
        AssertRound(v, round.Value!);
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Both_roles_finish_with_the_published_confirmations(Vector v)
    {
        var prover = Prover(v);
        var verifier = Verifier(v);

        var cB = verifier.Respond(prover.ShareX);
        Assert.Equal(v.MacB, Hex(cB.Value!));
        var finish = prover.Finish(verifier.ShareY, cB.Value!);
        Assert.True(finish.IsOk, finish.Error?.ToString());
        Assert.Equal(v.MacA, Hex(finish.Value!.ConfirmationA));
        var ke = verifier.Confirm(finish.Value.ConfirmationA);
        Assert.True(ke.IsOk, ke.Error?.ToString());
        Assert.Equal(v.Ke, Hex(ke.Value!));
        Assert.Equal(v.Ke, Hex(finish.Value.Ke));
    }

    private static void AssertRound(Vector v, Spake2pRound round)
    {
        Assert.Equal(v.Z, Hex(round.Z));
        Assert.Equal(v.V, Hex(round.V));
        Assert.Equal(v.Ka, Hex(round.Keys.Ka));
        Assert.Equal(v.Ke, Hex(round.Keys.Ke));
        Assert.Equal(v.KcA, Hex(round.Keys.KcA));
        Assert.Equal(v.KcB, Hex(round.Keys.KcB));
        Assert.Equal(v.MacA, Hex(round.Keys.CA));
        Assert.Equal(v.MacB, Hex(round.Keys.CB));
    }

    private static Spake2pProver Prover(Vector v) =>
        new(Encoding.ASCII.GetBytes(Context), Bytes(W0), Bytes(W1), new BigInteger(v.X, 16),
            Encoding.ASCII.GetBytes(v.ProverId), Encoding.ASCII.GetBytes(v.VerifierId));

    private static Spake2pVerifier Verifier(Vector v) =>
        new(Encoding.ASCII.GetBytes(Context), Bytes(W0), Bytes(L), new BigInteger(v.Y, 16),
            Encoding.ASCII.GetBytes(v.ProverId), Encoding.ASCII.GetBytes(v.VerifierId));

    internal static byte[] Bytes(string hex) => Convert.FromHexString(hex);

    internal static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
