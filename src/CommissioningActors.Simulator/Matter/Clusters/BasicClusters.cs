using CommissioningActors.Protocol.Matter.InteractionModel;
using CommissioningActors.Protocol.Matter.Tlv;

namespace CommissioningActors.Simulator.Matter.Clusters;

/// <summary>BasicInformation (0x0028) on endpoint 0: identity from the options; NodeLabel is writable.</summary>
public sealed class BasicInformationServer(DeviceState state) : ClusterServer
{
    public const uint SpecificationVersion = 0x01040000;

    public override uint Id => ClusterIds.BasicInformation;

    public override ushort Revision => 4;

    public override IReadOnlyList<uint> Attributes => [0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0F, 0x12, 0x13, 0x15, 0x16];

    protected override AttributeRead ReadAttribute(uint attribute, InteractionContext context)
    {
        var o = state.Options;
        return attribute switch
        {
            0x00 => Tlv.U(18),
            0x01 => Tlv.S(o.VendorName),
            0x02 => Tlv.U(o.VendorId),
            0x03 => Tlv.S(o.ProductName),
            0x04 => Tlv.U(o.ProductId),
            0x05 => Tlv.S(state.NodeLabel),
            0x06 => Tlv.S(state.CountryCode),
            0x07 => Tlv.U(1),
            0x08 => Tlv.S("1"),
            0x09 => Tlv.U(1),
            0x0A => Tlv.S("1.0"),
            0x0F => Tlv.S(o.SerialNumber),
            0x12 => Tlv.S($"sim-{o.Discriminator}-{o.SerialNumber}"),
            0x13 => Tlv.Struct(Tlv.U(3, 0), Tlv.U(3, 1)),
            0x15 => Tlv.U(SpecificationVersion),
            _ => Tlv.U(1),
        };
    }

    public override ImStatusCode Write(uint attribute, TlvElement value, InteractionContext context)
    {
        if (attribute != 0x05)
        {
            return base.Write(attribute, value, context);
        }

        if (value.AsString() is not { Length: <= 32 } label)
        {
            return ImStatusCode.ConstraintError;
        }

        state.NodeLabel = label;
        Changed();
        return ImStatusCode.Success;
    }
}

/// <summary>Descriptor (0x001D): device types, server clusters and parts of one endpoint.</summary>
public sealed class DescriptorServer(uint deviceType, ushort deviceTypeRevision, Func<IEnumerable<uint>> servers, IReadOnlyList<ushort> parts) : ClusterServer
{
    public override uint Id => ClusterIds.Descriptor;

    public override ushort Revision => 2;

    public override IReadOnlyList<uint> Attributes => [0, 1, 2, 3];

    protected override AttributeRead ReadAttribute(uint attribute, InteractionContext context) => attribute switch
    {
        0 => Tlv.Array([Tlv.Struct(Tlv.U(deviceType, 0), Tlv.U(deviceTypeRevision, 1))]),
        1 => Tlv.UArray(servers()),
        2 => Tlv.Array([]),
        _ => Tlv.Array(parts.Select(p => Tlv.U(p))),
    };
}

/// <summary>OnOff (0x0006) on endpoint 1: Off, On, Toggle.</summary>
public sealed class OnOffServer(DeviceState state) : ClusterServer
{
    public override uint Id => ClusterIds.OnOff;

    public override ushort Revision => 6;

    public override IReadOnlyList<uint> Attributes => [0];

    public override IReadOnlyList<uint> AcceptedCommands => [0, 1, 2];

    protected override AttributeRead ReadAttribute(uint attribute, InteractionContext context) => Tlv.B(state.OnOff);

    public override CommandResult Invoke(uint command, TlvElement fields, InteractionContext context)
    {
        if (command > 2)
        {
            return base.Invoke(command, fields, context);
        }

        state.OnOff = command switch
        {
            0 => false,
            1 => true,
            _ => !state.OnOff,
        };
        Changed();
        return CommandResult.Ok;
    }
}

/// <summary>Identify (0x0003) on endpoint 1: IdentifyTime counts nothing down; it only records the last request.</summary>
public sealed class IdentifyServer(DeviceState state) : ClusterServer
{
    public override uint Id => ClusterIds.Identify;

    public override ushort Revision => 5;

    public override IReadOnlyList<uint> Attributes => [0, 1];

    public override IReadOnlyList<uint> AcceptedCommands => [0];

    protected override AttributeRead ReadAttribute(uint attribute, InteractionContext context) =>
        attribute == 0 ? Tlv.U(state.IdentifyTime) : Tlv.U(2);

    public override CommandResult Invoke(uint command, TlvElement fields, InteractionContext context)
    {
        if (command != 0)
        {
            return base.Invoke(command, fields, context);
        }

        state.IdentifyTime = (ushort)new CommandFields(fields).Unsigned(0, ushort.MaxValue);
        Changed();
        return CommandResult.Ok;
    }

    public override ImStatusCode Write(uint attribute, TlvElement value, InteractionContext context)
    {
        if (attribute != 0)
        {
            return base.Write(attribute, value, context);
        }

        if (value.Value is not TlvUnsigned { Value: <= ushort.MaxValue } time)
        {
            return ImStatusCode.ConstraintError;
        }

        state.IdentifyTime = (ushort)time.Value;
        Changed();
        return ImStatusCode.Success;
    }
}
