namespace CommissioningActors.Protocol;

/// <summary>Why an input was rejected. Parsers return this instead of throwing.</summary>
public enum ParseErrorKind
{
    MalformedJson,
    WrongType,
    MissingField,
    InvalidValue,
    UnknownMessage,
    UnknownOpcode,
    FrameTooShort,
    FrameTooLarge,
}

public sealed record ParseError(ParseErrorKind Kind, string Message)
{
    public override string ToString() => $"{Kind}: {Message}";
}

/// <summary>A parse outcome: exactly one of Value / Error is set.</summary>
public readonly record struct Parsed<T>
{
    private Parsed(T? value, ParseError? error)
    {
        Value = value;
        Error = error;
    }

    public T? Value { get; }
    public ParseError? Error { get; }
    public bool IsOk => Error is null;

    public static Parsed<T> Ok(T value) => new(value, null);
    public static Parsed<T> Fail(ParseErrorKind kind, string message) => new(default, new ParseError(kind, message));
    public static Parsed<T> Fail(ParseError error) => new(default, error);

    public static implicit operator Parsed<T>(ParseError error) => Fail(error);
}
