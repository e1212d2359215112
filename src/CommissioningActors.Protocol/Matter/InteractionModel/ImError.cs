namespace CommissioningActors.Protocol.Matter.InteractionModel;

public enum ImErrorKind
{
    /// <summary>The peer's message is not valid TLV or not the IB/message shape the spec defines.</summary>
    Malformed,

    /// <summary>The peer sent a message this interaction does not expect at this point.</summary>
    UnexpectedMessage,

    /// <summary>The device answered with a non-success status (see <see cref="ImError.Status"/>).</summary>
    Status,

    /// <summary>The peer exceeded a configured bound (chunks, reports, list items).</summary>
    LimitExceeded,

    /// <summary>The interaction already finished; nothing more is accepted.</summary>
    Finished,
}

/// <summary>
/// A structured Interaction Model failure. Messages never quote peer strings; the status, when the device
/// sent one, is carried as data so callers can map it (e.g. to an API error code).
/// </summary>
public sealed record ImError(ImErrorKind Kind, string Message, StatusIB? Status = null)
{
    public static ImError FromStatus(string context, StatusIB status) => new(ImErrorKind.Status, $"{context}: {status}", status);

    public override string ToString() => $"{Kind}: {Message}";
}

/// <summary>One IM message to send: its opcode and TLV payload.</summary>
public sealed record ImOutgoing(Messages.InteractionModelOpcode Opcode, byte[] Payload);
