namespace CommissioningActors.Protocol.Matter.Tlv;

/// <summary>Each class of bad TLV input the reader rejects.</summary>
public enum TlvErrorKind
{
    /// <summary>The input ends inside an element, or before every container is closed.</summary>
    Truncated,

    /// <summary>A string's length field claims more bytes than the input holds.</summary>
    LengthBeyondBuffer,

    /// <summary>Containers nest deeper than the reader's limit.</summary>
    TooDeep,
    InvalidUtf8,

    /// <summary>Element types 0x19..0x1F are reserved.</summary>
    UnknownElementType,

    /// <summary>Bytes follow the single top-level element.</summary>
    TrailingData,

    /// <summary>End-of-container outside any container.</summary>
    UnexpectedEndOfContainer,

    /// <summary>A tag where none may be (array member, end-of-container) or none where one must be (structure member).</summary>
    InvalidTag,

    /// <summary>Two members of one structure share a tag.</summary>
    DuplicateTag,

    /// <summary>A well-formed element is not the type or shape the caller expects.</summary>
    WrongType,
}

/// <summary>A structured TLV rejection: the class, where in the input, and a message without peer content.</summary>
public sealed record TlvError(TlvErrorKind Kind, int Offset, string Message)
{
    public ParseError ToParseError() => new(Kind switch
    {
        TlvErrorKind.Truncated or TlvErrorKind.LengthBeyondBuffer => ParseErrorKind.FrameTooShort,
        TlvErrorKind.TooDeep or TlvErrorKind.TrailingData => ParseErrorKind.FrameTooLarge,
        TlvErrorKind.UnknownElementType => ParseErrorKind.UnknownOpcode,
        TlvErrorKind.WrongType => ParseErrorKind.WrongType,
        _ => ParseErrorKind.InvalidValue,
    }, ToString());

    public override string ToString() => $"TLV {Kind} at offset {Offset}: {Message}";
}
