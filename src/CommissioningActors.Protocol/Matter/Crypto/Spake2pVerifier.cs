using Org.BouncyCastle.Math;
using Org.BouncyCastle.Math.EC;

namespace CommissioningActors.Protocol.Matter.Crypto;

/// <summary>
/// The SPAKE2+ verifier (PASE responder, a device; used by simulated devices): holds w0 and L = w1*G,
/// never the passcode. Receives X in Pake1, answers Y = y*G + w0*N and cB in Pake2, checks cA in Pake3.
/// </summary>
public sealed class Spake2pVerifier
{
    private readonly Spake2pExchange _exchange;
    private readonly ECPoint _l;
    private byte[]? _expectedConfirmationA;
    private byte[]? _ke;
    private State _state = State.AwaitingShare;

    public Spake2pVerifier(ReadOnlySpan<byte> context, ReadOnlySpan<byte> w0, ReadOnlySpan<byte> l)
        : this(context, w0, l, P256.RandomScalar(), [], [])
    {
    }

    /// <summary>With a fixed y and identities: for published test vectors only.</summary>
    internal Spake2pVerifier(
        ReadOnlySpan<byte> context,
        ReadOnlySpan<byte> w0,
        ReadOnlySpan<byte> l,
        BigInteger y,
        ReadOnlySpan<byte> proverIdentity,
        ReadOnlySpan<byte> verifierIdentity)
    {
        _exchange = new Spake2pExchange(isProver: false, context, w0, y, proverIdentity, verifierIdentity);
        var decodedL = P256.DecodePeerPoint(l, "L");
        _l = decodedL.IsOk ? decodedL.Value! : throw new ArgumentException(decodedL.Error!.Message, nameof(l));
    }

    private enum State
    {
        AwaitingShare,
        AwaitingConfirmation,
        Done,
    }

    /// <summary>pB, the 65-byte share for Pake2.</summary>
    public byte[] ShareY => _exchange.OwnShare;

    /// <summary>Takes pA from Pake1; returns cB to send with pB in Pake2.</summary>
    public CryptoResult<byte[]> Respond(ReadOnlySpan<byte> shareX)
    {
        if (_state != State.AwaitingShare)
        {
            return CryptoResult<byte[]>.Fail(CryptoErrorKind.WrongState, "the SPAKE2+ verifier already has the prover's share");
        }

        _state = State.Done;
        var round = ComputeRound(shareX);
        if (!round.IsOk)
        {
            return round.Error!;
        }

        _expectedConfirmationA = round.Value!.Keys.CA;
        _ke = round.Value.Keys.Ke;
        _state = State.AwaitingConfirmation;
        return CryptoResult<byte[]>.Ok(round.Value.Keys.CB);
    }

    /// <summary>Takes cA from Pake3, compared in constant time; returns Ke for the session keys.</summary>
    public CryptoResult<byte[]> Confirm(ReadOnlySpan<byte> confirmationA)
    {
        if (_state != State.AwaitingConfirmation)
        {
            return CryptoResult<byte[]>.Fail(CryptoErrorKind.WrongState, "the SPAKE2+ verifier is not awaiting a confirmation");
        }

        _state = State.Done;
        if (!Spake2p.ConfirmationMatches(_expectedConfirmationA!, confirmationA))
        {
            return CryptoResult<byte[]>.Fail(
                CryptoErrorKind.ConfirmationFailed,
                "the commissioner's key confirmation (cA) does not match: wrong passcode or tampered exchange");
        }

        return CryptoResult<byte[]>.Ok(_ke!);
    }

    /// <summary>Z = y*(X - w0*M), V = y*L, then the transcript keys.</summary>
    internal CryptoResult<Spake2pRound> ComputeRound(ReadOnlySpan<byte> shareX) =>
        _exchange.Round(shareX, "the commissioner's share pA", (_, y) => _l.Multiply(y));

    public override string ToString() => "Spake2pVerifier(redacted)";
}
