namespace CommissioningActors.Protocol.Matter.Crypto;

/// <summary>Why a cryptographic step refused its input. Messages never carry secrets.</summary>
public enum CryptoErrorKind
{
    /// <summary>A parameter from the peer is outside what the spec allows (salt size, iterations...).</summary>
    InvalidParameter,

    /// <summary>A peer's public point is malformed, not on the curve, or the point at infinity.</summary>
    InvalidPoint,

    /// <summary>A key confirmation value did not match: wrong passcode or a tampered exchange.</summary>
    ConfirmationFailed,

    /// <summary>A protocol step was called out of order.</summary>
    WrongState,

    /// <summary>A certificate, CSR or signature is not well-formed DER, or not in the shape Matter requires.</summary>
    Malformed,

    /// <summary>A signature does not verify under the key it must verify under.</summary>
    InvalidSignature,

    /// <summary>A certificate chain does not lead to a trusted root, or breaks a chain rule.</summary>
    UntrustedChain,
}

public sealed record CryptoError(CryptoErrorKind Kind, string Message)
{
    public override string ToString() => $"{Kind}: {Message}";
}

/// <summary>The outcome of a cryptographic step: exactly one of Value / Error is set.</summary>
public readonly record struct CryptoResult<T>
{
    private CryptoResult(T? value, CryptoError? error)
    {
        Value = value;
        Error = error;
    }

    public T? Value { get; }
    public CryptoError? Error { get; }
    public bool IsOk => Error is null;

    public static CryptoResult<T> Ok(T value) => new(value, null);
    public static CryptoResult<T> Fail(CryptoErrorKind kind, string message) => new(default, new CryptoError(kind, message));

    public static implicit operator CryptoResult<T>(CryptoError error) => new(default, error);
}
