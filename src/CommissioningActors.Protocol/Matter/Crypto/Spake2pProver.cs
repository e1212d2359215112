using Org.BouncyCastle.Math;

namespace CommissioningActors.Protocol.Matter.Crypto;

/// <summary>
/// The SPAKE2+ prover (PASE initiator, our commissioner): sends X = x*G + w0*M in Pake1, receives Y and
/// the verifier's confirmation cB in Pake2, answers with cA in Pake3. One instance per attempt.
/// </summary>
public sealed class Spake2pProver
{
    private readonly Spake2pExchange _exchange;
    private readonly BigInteger _w1;
    private bool _finished;

    /// <param name="context">The PASE context hash (see <see cref="PaseKeys.ContextHash"/>).</param>
    public Spake2pProver(ReadOnlySpan<byte> context, Spake2pSecrets secrets)
        : this(context, secrets.W0, secrets.W1, P256.RandomScalar(), [], [])
    {
    }

    /// <summary>With a fixed x and identities: for published test vectors only.</summary>
    internal Spake2pProver(
        ReadOnlySpan<byte> context,
        ReadOnlySpan<byte> w0,
        ReadOnlySpan<byte> w1,
        BigInteger x,
        ReadOnlySpan<byte> proverIdentity,
        ReadOnlySpan<byte> verifierIdentity)
    {
        _exchange = new Spake2pExchange(isProver: true, context, w0, x, proverIdentity, verifierIdentity);
        _w1 = Spake2p.ScalarOrThrow(w1, nameof(w1));
    }

    /// <summary>pA, the 65-byte share for Pake1.</summary>
    public byte[] ShareX => _exchange.OwnShare;

    /// <summary>
    /// Takes Pake2 (pB, cB): validates Y, derives the keys, checks cB in constant time. On success returns
    /// cA for Pake3 and Ke for the session keys. A wrong passcode shows up here as ConfirmationFailed.
    /// </summary>
    public CryptoResult<Spake2pProverFinish> Finish(ReadOnlySpan<byte> shareY, ReadOnlySpan<byte> confirmationB)
    {
        if (_finished)
        {
            return CryptoResult<Spake2pProverFinish>.Fail(CryptoErrorKind.WrongState, "the SPAKE2+ prover has already finished");
        }

        _finished = true;
        var round = ComputeRound(shareY);
        if (!round.IsOk)
        {
            return round.Error!;
        }

        var keys = round.Value!.Keys;
        if (!Spake2p.ConfirmationMatches(keys.CB, confirmationB))
        {
            return CryptoResult<Spake2pProverFinish>.Fail(
                CryptoErrorKind.ConfirmationFailed,
                "the device's key confirmation (cB) does not match: wrong passcode or tampered exchange");
        }

        return CryptoResult<Spake2pProverFinish>.Ok(new Spake2pProverFinish(keys.CA, keys.Ke));
    }

    /// <summary>Z = x*(Y - w0*N), V = w1*(Y - w0*N), then the transcript keys.</summary>
    internal CryptoResult<Spake2pRound> ComputeRound(ReadOnlySpan<byte> shareY) =>
        _exchange.Round(shareY, "the device's share pB", (unblinded, _) => unblinded.Multiply(_w1));

    public override string ToString() => "Spake2pProver(redacted)";
}

/// <summary>What the prover keeps after a successful Pake2: cA to send in Pake3, Ke for the session keys.</summary>
public sealed class Spake2pProverFinish(byte[] confirmationA, byte[] ke)
{
    public byte[] ConfirmationA { get; } = confirmationA;
    public byte[] Ke { get; } = ke;

    public override string ToString() => "Spake2pProverFinish(redacted)";
}

/// <summary>The shared points and transcript keys of one exchange (exposed to tests for vectors).</summary>
internal sealed record Spake2pRound(byte[] Z, byte[] V, Spake2pTranscriptKeys Keys);
