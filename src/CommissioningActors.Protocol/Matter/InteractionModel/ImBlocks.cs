using CommissioningActors.Protocol.Matter.Tlv;

namespace CommissioningActors.Protocol.Matter.InteractionModel;

/// <summary>AttributeDataIB (structure): 0 DataVersion (u32, optional), 1 Path, 2 Data (any TLV; kept anonymous).</summary>
public sealed record AttributeDataIB(AttributePath Path, TlvElement Data, uint? DataVersion = null) : ITlvWritable
{
    public void Write(TlvWriter w, TlvTag tag)
    {
        w.StartStructure(tag);
        AttributePath.WriteOptional(w, 0, DataVersion);
        Path.Write(w, TlvTag.Context(1));
        w.WriteElement(Data with { Tag = TlvTag.Context(2) });
        w.EndContainer();
    }

    internal static AttributeDataIB Read(TlvElement element, string what)
    {
        var c = ImDecode.Container(element, TlvContainerKind.Structure, what);
        var data = ImDecode.Required(c, 2, $"{what} data");
        return new AttributeDataIB(
            AttributePath.Read(ImDecode.Required(c, 1, $"{what} path"), $"{what} path"),
            data with { Tag = TlvTag.Anonymous },
            (uint?)ImDecode.OptionalUnsigned(c, 0, uint.MaxValue, $"{what} data version"));
    }
}

/// <summary>AttributeStatusIB (structure): 0 Path, 1 Status.</summary>
public sealed record AttributeStatusIB(AttributePath Path, StatusIB Status) : ITlvWritable
{
    public void Write(TlvWriter w, TlvTag tag)
    {
        w.StartStructure(tag);
        Path.Write(w, TlvTag.Context(0));
        ImDecode.WriteStatus(w, TlvTag.Context(1), Status);
        w.EndContainer();
    }

    internal static AttributeStatusIB Read(TlvElement element, string what)
    {
        var c = ImDecode.Container(element, TlvContainerKind.Structure, what);
        return new AttributeStatusIB(
            AttributePath.Read(ImDecode.Required(c, 0, $"{what} path"), $"{what} path"),
            ImDecode.Status(ImDecode.Required(c, 1, $"{what} status"), $"{what} status"));
    }
}

/// <summary>AttributeReportIB (structure): exactly one of 0 AttributeStatus, 1 AttributeData.</summary>
public sealed record AttributeReportIB : ITlvWritable
{
    private AttributeReportIB(AttributeStatusIB? status, AttributeDataIB? data)
    {
        Status = status;
        Data = data;
    }

    public AttributeStatusIB? Status { get; }
    public AttributeDataIB? Data { get; }

    public static AttributeReportIB Of(AttributeDataIB data) => new(null, data);

    public static AttributeReportIB Of(AttributeStatusIB status) => new(status, null);

    public void Write(TlvWriter w, TlvTag tag)
    {
        w.StartStructure(tag);
        Status?.Write(w, TlvTag.Context(0));
        Data?.Write(w, TlvTag.Context(1));
        w.EndContainer();
    }

    internal static AttributeReportIB Read(TlvElement element, string what)
    {
        var c = ImDecode.Container(element, TlvContainerKind.Structure, what);
        var status = c.Member(0);
        var data = c.Member(1);
        return (status, data) switch
        {
            ({ } s, null) => Of(AttributeStatusIB.Read(s, $"{what} status")),
            (null, { } d) => Of(AttributeDataIB.Read(d, $"{what} data")),
            _ => throw new ImDecodeException($"{what} must hold exactly one of status (0) and data (1)"),
        };
    }
}

/// <summary>CommandDataIB (structure): 0 CommandPath, 1 CommandFields (structure), 2 CommandRef (u16, optional).</summary>
public sealed record CommandDataIB(CommandPath Path, TlvElement? Fields, ushort? CommandRef = null) : ITlvWritable
{
    /// <summary>Leaves the fields out: some commands carry secrets (Wi-Fi credentials, IPK, Thread datasets).</summary>
    public override string ToString() => $"CommandDataIB({Path}, {Fields?.AsContainer()?.Count ?? 0} field(s))";

    public void Write(TlvWriter w, TlvTag tag)
    {
        w.StartStructure(tag);
        Path.Write(w, TlvTag.Context(0));
        if (Fields is not null)
        {
            w.WriteElement(Fields with { Tag = TlvTag.Context(1) });
        }
        else
        {
            w.StartStructure(TlvTag.Context(1)).EndContainer();
        }

        AttributePath.WriteOptional(w, 2, CommandRef);
        w.EndContainer();
    }

    internal static CommandDataIB Read(TlvElement element, string what)
    {
        var c = ImDecode.Container(element, TlvContainerKind.Structure, what);
        var fields = c.Member(1);
        if (fields is not null)
        {
            ImDecode.Container(fields, TlvContainerKind.Structure, $"{what} fields");
        }

        return new CommandDataIB(
            CommandPath.Read(ImDecode.Required(c, 0, $"{what} path"), $"{what} path"),
            fields is null ? null : fields with { Tag = TlvTag.Anonymous },
            (ushort?)ImDecode.OptionalUnsigned(c, 2, ushort.MaxValue, $"{what} command ref"));
    }
}

/// <summary>CommandStatusIB (structure): 0 CommandPath, 1 Status, 2 CommandRef (optional).</summary>
public sealed record CommandStatusIB(CommandPath Path, StatusIB Status, ushort? CommandRef = null) : ITlvWritable
{
    public void Write(TlvWriter w, TlvTag tag)
    {
        w.StartStructure(tag);
        Path.Write(w, TlvTag.Context(0));
        ImDecode.WriteStatus(w, TlvTag.Context(1), Status);
        AttributePath.WriteOptional(w, 2, CommandRef);
        w.EndContainer();
    }

    internal static CommandStatusIB Read(TlvElement element, string what)
    {
        var c = ImDecode.Container(element, TlvContainerKind.Structure, what);
        return new CommandStatusIB(
            CommandPath.Read(ImDecode.Required(c, 0, $"{what} path"), $"{what} path"),
            ImDecode.Status(ImDecode.Required(c, 1, $"{what} status"), $"{what} status"),
            (ushort?)ImDecode.OptionalUnsigned(c, 2, ushort.MaxValue, $"{what} command ref"));
    }
}

/// <summary>InvokeResponseIB (structure): exactly one of 0 Command (CommandDataIB), 1 Status (CommandStatusIB).</summary>
public sealed record InvokeResponseIB : ITlvWritable
{
    private InvokeResponseIB(CommandDataIB? command, CommandStatusIB? status)
    {
        Command = command;
        Status = status;
    }

    public CommandDataIB? Command { get; }
    public CommandStatusIB? Status { get; }

    public CommandPath Path => Command?.Path ?? Status!.Path;

    public static InvokeResponseIB Of(CommandDataIB command) => new(command, null);

    public static InvokeResponseIB Of(CommandStatusIB status) => new(null, status);

    public void Write(TlvWriter w, TlvTag tag)
    {
        w.StartStructure(tag);
        Command?.Write(w, TlvTag.Context(0));
        Status?.Write(w, TlvTag.Context(1));
        w.EndContainer();
    }

    internal static InvokeResponseIB Read(TlvElement element, string what)
    {
        var c = ImDecode.Container(element, TlvContainerKind.Structure, what);
        return (c.Member(0), c.Member(1)) switch
        {
            ({ } command, null) => Of(CommandDataIB.Read(command, $"{what} command")),
            (null, { } status) => Of(CommandStatusIB.Read(status, $"{what} status")),
            _ => throw new ImDecodeException($"{what} must hold exactly one of command (0) and status (1)"),
        };
    }
}
