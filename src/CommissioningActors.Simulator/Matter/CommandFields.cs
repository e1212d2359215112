using CommissioningActors.Protocol.Matter.InteractionModel;
using CommissioningActors.Protocol.Matter.Tlv;

namespace CommissioningActors.Simulator.Matter;

/// <summary>A peer's command fields were missing, mistyped or out of range: the command answers with <see cref="Status"/>.</summary>
internal sealed class CommandFieldException(ImStatusCode status, string message) : Exception(message)
{
    public ImStatusCode Status { get; } = status;
}

/// <summary>Strict access to a command's fields structure: wrong type = INVALID_COMMAND, out of range = CONSTRAINT_ERROR.</summary>
internal readonly struct CommandFields(TlvElement fields)
{
    private readonly IReadOnlyList<TlvElement> _members = fields.AsContainer() ?? [];

    public TlvElement? Member(byte tag) => _members.FirstOrDefault(m => m.Tag.IsContext(tag));

    public ulong Unsigned(byte tag, ulong max) =>
        OptionalUnsigned(tag, max) ?? throw Invalid($"field {tag} is missing");

    public ulong? OptionalUnsigned(byte tag, ulong max)
    {
        var member = Member(tag);
        if (member is null)
        {
            return null;
        }

        var value = member.Value is TlvUnsigned u ? u.Value : throw Invalid($"field {tag} must be an unsigned integer");
        return value <= max ? value : throw Constraint($"field {tag} is above {max}");
    }

    public byte[] Bytes(byte tag, int min, int max) => OptionalBytes(tag, min, max) ?? throw Invalid($"field {tag} is missing");

    public byte[]? OptionalBytes(byte tag, int min, int max)
    {
        var member = Member(tag);
        if (member is null || member.IsNull)
        {
            return null;
        }

        var bytes = member.AsBytes() ?? throw Invalid($"field {tag} must be a byte string");
        return bytes.Length >= min && bytes.Length <= max ? bytes.ToArray() : throw Constraint($"field {tag} must be {min}..{max} bytes");
    }

    public string String(byte tag, int min, int max)
    {
        var member = Member(tag) ?? throw Invalid($"field {tag} is missing");
        var text = member.AsString() ?? throw Invalid($"field {tag} must be a UTF-8 string");
        return text.Length >= min && text.Length <= max ? text : throw Constraint($"field {tag} must be {min}..{max} characters");
    }

    public bool? OptionalBool(byte tag)
    {
        var member = Member(tag);
        return member is null ? null : member.AsBool() ?? throw Invalid($"field {tag} must be a boolean");
    }

    private static CommandFieldException Invalid(string message) => new(ImStatusCode.InvalidCommand, message);

    private static CommandFieldException Constraint(string message) => new(ImStatusCode.ConstraintError, message);
}
