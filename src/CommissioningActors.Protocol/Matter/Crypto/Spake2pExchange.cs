using Org.BouncyCastle.Math;
using Org.BouncyCastle.Math.EC;

namespace CommissioningActors.Protocol.Matter.Crypto;

/// <summary>
/// What both SPAKE2+ roles share: the context, identities and w0, this side's share (e*G + w0*mask) and the round
/// that unblinds the peer's share and derives the transcript keys. The prover masks its share X with M (so it
/// unblinds Y with N); the verifier masks Y with N and unblinds X with M.
/// </summary>
internal sealed class Spake2pExchange
{
    private readonly bool _isProver;
    private readonly byte[] _context;
    private readonly byte[] _proverIdentity;
    private readonly byte[] _verifierIdentity;
    private readonly BigInteger _w0;
    private readonly BigInteger _ephemeral;

    internal Spake2pExchange(
        bool isProver,
        ReadOnlySpan<byte> context,
        ReadOnlySpan<byte> w0,
        BigInteger ephemeral,
        ReadOnlySpan<byte> proverIdentity,
        ReadOnlySpan<byte> verifierIdentity)
    {
        _isProver = isProver;
        _context = context.ToArray();
        _proverIdentity = proverIdentity.ToArray();
        _verifierIdentity = verifierIdentity.ToArray();
        _w0 = Spake2p.ScalarOrThrow(w0, nameof(w0));
        _ephemeral = ephemeral;
        OwnShare = P256.Encode(ECAlgorithms.SumOfTwoMultiplies(P256.G, _ephemeral, isProver ? Spake2p.M : Spake2p.N, _w0));
    }

    /// <summary>This side's 65-byte share: pA (X) for the prover, pB (Y) for the verifier.</summary>
    internal byte[] OwnShare { get; }

    /// <summary>
    /// Z = e*(peer share - w0*peer mask), V = <paramref name="secondPoint"/>(that unblinded point, e), then the
    /// transcript keys over X and Y in protocol order.
    /// </summary>
    internal CryptoResult<Spake2pRound> Round(ReadOnlySpan<byte> peerShare, string peerShareName, Func<ECPoint, BigInteger, ECPoint> secondPoint)
    {
        var unblind = Spake2p.Unblind(peerShare, _isProver ? Spake2p.N : Spake2p.M, _w0, peerShareName);
        if (!unblind.IsOk)
        {
            return unblind.Error!;
        }

        var unblinded = unblind.Value!;
        var z = P256.Encode(unblinded.Multiply(_ephemeral));
        var v = P256.Encode(secondPoint(unblinded, _ephemeral));
        ReadOnlySpan<byte> x = _isProver ? OwnShare : peerShare;
        ReadOnlySpan<byte> y = _isProver ? peerShare : OwnShare;
        var keys = Spake2p.ComputeTranscriptKeys(_context, _proverIdentity, _verifierIdentity, x, y, z, v, P256.ScalarBytes(_w0));
        return CryptoResult<Spake2pRound>.Ok(new Spake2pRound(z, v, keys));
    }
}
