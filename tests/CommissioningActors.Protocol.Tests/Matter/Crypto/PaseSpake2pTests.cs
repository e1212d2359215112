using CommissioningActors.Protocol.Matter.Crypto;
using static CommissioningActors.Protocol.Tests.Matter.Crypto.Spake2pRfcVectorTests;
using BigInteger = Org.BouncyCastle.Math.BigInteger;

namespace CommissioningActors.Protocol.Tests.Matter.Crypto;

/// <summary>
/// PASE as Matter runs it, against matter.js's published exchanges (packages/general/test/crypto/Spake2pTest.ts
/// and packages/protocol/test/session/secure/PasePairingTest.ts, captured from connectedhomeip peers).
/// </summary>
public sealed class PaseSpake2pTests
{
    private const uint TestPasscode = 20202021;

    [Fact]
    public void Context_hash_covers_the_prefix_and_both_pbkdf_messages()
    {
        var request = Bytes(
            "15300120b2901e92036f7bca007a3a1bf24bd71f18772105e83479c92b7a8af35e8182742502498d240300280435052501881325022c011818");
        var response = Bytes(
            "15300120b2901e92036f7bca007a3a1bf24bd71f18772105e83479c92b7a8af35e81827430022008070f685f2077779b824adf91e4bab6253b9d1a3c0f6615c6d447780f0feef325039c8d35042501e803300220163f8501fbbc0e6a8f69a9b999d038ca388ecffccc18fe259c4253f26e494dda1835052501881325022c011818");

        Assert.Equal("c49718b0275b6f81fd6a081f6c34c5833382b75b3bd997895d13a51c71a02855", Hex(PaseKeys.ContextHash(request, response)));
    }

    /// <summary>w0 here starts with a zero byte: a transcript that writes it as 31 bytes gets a wrong cB.</summary>
    [Fact]
    public void A_w0_with_a_leading_zero_byte_is_kept_at_32_bytes_in_the_transcript()
    {
        var secrets = Derive("03959ebc20b8fcbda262d97f9a7a9e76e32d7a1b9c5166b6a3721e88acad8808");
        Assert.Equal("00177867f1e564cc4d9f347edfc28263ee5a50f1e21177cfb9a7dc2504437ccb", Hex(secrets.W0));
        Assert.Equal(
            "04cf26d253cae2dd44c6954d443c7badc1e8811b8484eaae2d7bf43ec2f7e3173527877ea4a554513063036f55d2871e87e294dfdc18cd39edd6519fb4dfcde976",
            Hex(secrets.ComputeL()));

        var context = PaseKeys.ContextHash(
            Bytes("1530012094eab5c37d101df5ef01b2c8ecada03a7c3b0cf5e26a08feda72617f9cd391a6240247240300280418"),
            Bytes("1530012094eab5c37d101df5ef01b2c8ecada03a7c3b0cf5e26a08feda72617f9cd391a630022022820a42684102fd4a92c0bad66ad1f21f3c5366f5a6d84203035e2c7caf3bae250357de35042501e80330022003959ebc20b8fcbda262d97f9a7a9e76e32d7a1b9c5166b6a3721e88acad88081818"));
        var verifier = new Spake2pVerifier(
            context, secrets.W0, secrets.ComputeL(), new BigInteger("de583b5685529de9544b92c9c8cba696751b14d65092d13458879b3bc9814b53", 16), [], []);

        Assert.Equal(
            "0404f972c7232cde8911de7d93e37ad752b90ad095888ac83da5f3a1d5a7eb063288ed6d358e9092a8606dac6cd6b8fdfc0b3960df85434ed60c6b6091d23da7bb",
            Hex(verifier.ShareY));
        var cB = verifier.Respond(Bytes(
            "04cce1e192a645d54a3ac9a3a3f0b334f37c03400b826b14d873124dfb96a35815f80202f05c72d055b6da24942d0a6cac18caf310100ecef23248ac8fd2ced196"));
        Assert.Equal("d6a13c26b6c5b7c514033a0370b1830dff5116fd53de43eb2374737e9b64e4bb", Hex(cB.Value!));
    }

    [Fact]
    public void A_captured_pase_exchange_reproduces_the_devices_confirmation()
    {
        var secrets = Derive("2bb41e9d75f30c2e6b2f059410c56965717cc2bf14ed6c73a169435326a89652");
        Assert.Equal("501f85a83d1da77983ff6f0c1f742d6d98f6d0ab0ba740a38032200099c8981f", Hex(secrets.W0));
        Assert.Equal(
            "0463e7f225296bcd9b100e605d636a3d2c84524665cbd9b8b75e737d04bca1241486b37bdba74284de76f2db9df271d2c5bda21b8e26bc0943dcbf0542665c3aa8",
            Hex(secrets.ComputeL()));

        var context = PaseKeys.ContextHash(
            Bytes("15300120913cc0622eca85f8d4c132c89663c5d7afa780667be930e5c11bec865479c6172502e68b240300280418"),
            Bytes("15300120913cc0622eca85f8d4c132c89663c5d7afa780667be930e5c11bec865479c6173002205682c0732b37c045ebeb416904c187a58b5341088e0172123becfb855f94a72c2503844235042501e8033002202bb41e9d75f30c2e6b2f059410c56965717cc2bf14ed6c73a169435326a896521818"));
        var verifier = new Spake2pVerifier(
            context, secrets.W0, secrets.ComputeL(), new BigInteger("fee695b4972a4f620951010c87390d3fe1313efce399fbc2c9c7cdc04d22b4c6", 16), [], []);

        Assert.Equal(
            "04cd3a2937c598cfd46e197e786e4194e65164ed1a0bf23f224947b4f4c140f72b4742792b86ae6c427ae9d4a6d345cd6e1f9ae0f950d5399d38c8031d7975ca82",
            Hex(verifier.ShareY));
        var cB = verifier.Respond(Bytes(
            "04db4f7c7f4dbf478440753d578825da01ae177c89dad6637f9c91ef86880e8d67571b2fdc0e0564985cd6b2cbbee82ab5655b0fbae7254ff4b13f88a30076612c"));
        Assert.Equal("52b9b5cb79dafd150b8729102ede22795d0f522ad884d29452818d8c54ca7508", Hex(cB.Value!));
    }

    [Fact]
    public void Prover_and_verifier_with_the_same_passcode_agree_on_session_keys()
    {
        var salt = Bytes("2bb41e9d75f30c2e6b2f059410c56965717cc2bf14ed6c73a169435326a89652");
        var context = PaseKeys.ContextHash([0x15, 0x18], [0x15, 0x24, 0x01, 0x00, 0x18]);
        var proverSecrets = Derive(salt);
        var deviceSecrets = Derive(salt);
        var prover = new Spake2pProver(context, proverSecrets);
        var verifier = new Spake2pVerifier(context, deviceSecrets.W0, deviceSecrets.ComputeL());

        var cB = verifier.Respond(prover.ShareX);
        var finish = prover.Finish(verifier.ShareY, cB.Value!);
        Assert.True(finish.IsOk, finish.Error?.ToString());
        var deviceKe = verifier.Confirm(finish.Value!.ConfirmationA);
        Assert.True(deviceKe.IsOk, deviceKe.Error?.ToString());

        var ours = PaseKeys.DeriveSessionKeys(finish.Value.Ke);
        var theirs = PaseKeys.DeriveSessionKeys(deviceKe.Value!);
        Assert.Equal(ours.I2RKey, theirs.I2RKey);
        Assert.Equal(ours.R2IKey, theirs.R2IKey);
        Assert.Equal(ours.AttestationChallenge, theirs.AttestationChallenge);
        Assert.Equal(16, ours.I2RKey.Length);
        Assert.Equal(16, ours.R2IKey.Length);
        Assert.Equal(16, ours.AttestationChallenge.Length);
        Assert.NotEqual(ours.I2RKey, ours.R2IKey);
        Assert.Equal("SessionKeys(redacted)", ours.ToString());
    }

    /// <summary>Many commissionings run at once: shared curve constants and the random source must cope.</summary>
    [Fact]
    public async Task Concurrent_exchanges_all_agree()
    {
        var salt = Bytes("2bb41e9d75f30c2e6b2f059410c56965717cc2bf14ed6c73a169435326a89652");
        var secrets = Derive(salt);

        var results = await Task.WhenAll(Enumerable.Range(0, 32).Select(i => Task.Run(() =>
        {
            var context = PaseKeys.ContextHash([(byte)i], [0x18]);
            var prover = new Spake2pProver(context, secrets);
            var verifier = new Spake2pVerifier(context, secrets.W0, secrets.ComputeL());
            var cB = verifier.Respond(prover.ShareX).Value!;
            var finish = prover.Finish(verifier.ShareY, cB);
            return finish.IsOk && verifier.Confirm(finish.Value!.ConfirmationA).Value!.SequenceEqual(finish.Value.Ke);
        })));

        Assert.All(results, Assert.True);
    }

    [Fact]
    public void A_wrong_passcode_fails_the_confirmation_on_both_sides()
    {
        var salt = Bytes("03959ebc20b8fcbda262d97f9a7a9e76e32d7a1b9c5166b6a3721e88acad8808");
        var context = PaseKeys.ContextHash([0x15, 0x18], [0x15, 0x18]);
        var device = Derive(salt);
        var prover = new Spake2pProver(context, Spake2p.DeriveSecrets(TestPasscode + 1, salt, 1000).Value!);
        var verifier = new Spake2pVerifier(context, device.W0, device.ComputeL());

        var cB = verifier.Respond(prover.ShareX);
        Assert.True(cB.IsOk);
        var finish = prover.Finish(verifier.ShareY, cB.Value!);
        Assert.Equal(CryptoErrorKind.ConfirmationFailed, finish.Error?.Kind);
        Assert.DoesNotContain(TestPasscode.ToString(System.Globalization.CultureInfo.InvariantCulture), finish.Error!.Message);

        // The device side, fed a confirmation from a prover with the wrong passcode, refuses it too.
        var forged = new byte[32];
        Assert.Equal(CryptoErrorKind.ConfirmationFailed, verifier.Confirm(forged).Error?.Kind);
    }

    [Fact]
    public void A_tampered_device_confirmation_is_rejected()
    {
        var salt = Bytes("03959ebc20b8fcbda262d97f9a7a9e76e32d7a1b9c5166b6a3721e88acad8808");
        var context = PaseKeys.ContextHash([0x15, 0x18], [0x15, 0x18]);
        var secrets = Derive(salt);
        var prover = new Spake2pProver(context, secrets);
        var verifier = new Spake2pVerifier(context, secrets.W0, secrets.ComputeL());
        var cB = verifier.Respond(prover.ShareX).Value!;
        cB[^1] ^= 0x01;

        Assert.Equal(CryptoErrorKind.ConfirmationFailed, prover.Finish(verifier.ShareY, cB).Error?.Kind);
        // A truncated confirmation must not be accepted as a prefix match either.
        var again = new Spake2pProver(context, secrets);
        var verifier2 = new Spake2pVerifier(context, secrets.W0, secrets.ComputeL());
        var cB2 = verifier2.Respond(again.ShareX).Value!;
        Assert.Equal(CryptoErrorKind.ConfirmationFailed, again.Finish(verifier2.ShareY, cB2[..16]).Error?.Kind);
    }

    public static TheoryData<string, string> BadShares => new()
    {
        { "empty", "" },
        { "compressed", "02886e2f97ace46e55ba9dd7242579f2993b64e16ef3dcab95afd497333d8fa12f" },
        { "identity", "00" },
        { "not on the curve", "04" + new string('1', 128) },
        { "wrong prefix", "05" + "886e2f97ace46e55ba9dd7242579f2993b64e16ef3dcab95afd497333d8fa12f" + new string('0', 64) },
        { "too long", "04a6db23d001723fb01fcfc9d08746c3c2a0a3feff8635d29cad2853e7358623425cf39712e928054561ba71e2dc11f300f1760e71eb177021a8f85e78689071cd00" },
    };

    [Theory]
    [MemberData(nameof(BadShares))]
    public void A_malformed_or_off_curve_share_is_rejected_by_both_roles(string name, string hex)
    {
        var secrets = Derive("03959ebc20b8fcbda262d97f9a7a9e76e32d7a1b9c5166b6a3721e88acad8808");
        var prover = new Spake2pProver([1], secrets);
        var verifier = new Spake2pVerifier([1], secrets.W0, secrets.ComputeL());

        Assert.Equal(CryptoErrorKind.InvalidPoint, prover.Finish(Bytes(hex), new byte[32]).Error?.Kind);
        Assert.Equal(CryptoErrorKind.InvalidPoint, verifier.Respond(Bytes(hex)).Error?.Kind);
        Assert.NotNull(name);
    }

    [Fact]
    public void A_share_equal_to_w0_times_N_is_rejected_as_degenerate()
    {
        var secrets = Derive("03959ebc20b8fcbda262d97f9a7a9e76e32d7a1b9c5166b6a3721e88acad8808");
        var prover = new Spake2pProver([1], secrets);
        var w0N = Spake2p.N.Multiply(new BigInteger(1, secrets.W0)).Normalize().GetEncoded(false);

        Assert.Equal(CryptoErrorKind.InvalidPoint, prover.Finish(w0N, new byte[32]).Error?.Kind);
    }

    [Fact]
    public void Each_role_refuses_a_step_out_of_order()
    {
        var secrets = Derive("03959ebc20b8fcbda262d97f9a7a9e76e32d7a1b9c5166b6a3721e88acad8808");
        var prover = new Spake2pProver([1], secrets);
        var verifier = new Spake2pVerifier([1], secrets.W0, secrets.ComputeL());

        Assert.Equal(CryptoErrorKind.WrongState, verifier.Confirm(new byte[32]).Error?.Kind);
        var cB = verifier.Respond(prover.ShareX).Value!;
        Assert.Equal(CryptoErrorKind.WrongState, verifier.Respond(prover.ShareX).Error?.Kind);
        Assert.True(prover.Finish(verifier.ShareY, cB).IsOk);
        Assert.Equal(CryptoErrorKind.WrongState, prover.Finish(verifier.ShareY, cB).Error?.Kind);
    }

    [Theory]
    [InlineData(15, 1000u)]
    [InlineData(33, 1000u)]
    [InlineData(16, 999u)]
    [InlineData(32, 100_001u)]
    public void Pbkdf_parameters_outside_the_spec_are_refused(int saltLength, uint iterations)
    {
        var result = Spake2p.DeriveSecrets(TestPasscode, new byte[saltLength], iterations);

        Assert.Equal(CryptoErrorKind.InvalidParameter, result.Error?.Kind);
        Assert.DoesNotContain("20202021", result.Error!.Message);
    }

    private static Spake2pSecrets Derive(string salt) => Derive(Bytes(salt));

    private static Spake2pSecrets Derive(byte[] salt)
    {
        var result = Spake2p.DeriveSecrets(TestPasscode, salt, 1000);
        Assert.True(result.IsOk, result.Error?.ToString());
        return result.Value!;
    }
}
