using CommissioningActors.Protocol.Matter.InteractionModel;
using CommissioningActors.Protocol.Matter.Tlv;

namespace CommissioningActors.Simulator.Matter.Clusters;

/// <summary>
/// GeneralCommissioning (0x0030) on endpoint 0: the fail-safe (ArmFailSafe, with expiry and ArmFailSafe 0
/// reverting), SetRegulatoryConfig and CommissioningComplete (which commits the fabric, only from that fabric).
/// </summary>
public sealed class GeneralCommissioningServer(DeviceState state) : ClusterServer
{
    public const byte LocationIndoorOutdoor = 2;

    public override uint Id => ClusterIds.GeneralCommissioning;

    public override IReadOnlyList<uint> Attributes => [0, 1, 2, 3, 4];

    public override IReadOnlyList<uint> AcceptedCommands => [0x00, 0x02, 0x04];

    public override IReadOnlyList<uint> GeneratedCommands => [0x01, 0x03, 0x05];

    protected override AttributeRead ReadAttribute(uint attribute, InteractionContext context) => attribute switch
    {
        0 => Tlv.U(state.Breadcrumb),
        1 => Tlv.Struct(Tlv.U(FailSafe.DefaultExpirySeconds, 0), Tlv.U(FailSafe.MaxCumulativeSeconds, 1)),
        2 => Tlv.U(state.RegulatoryConfig),
        3 => Tlv.U(LocationIndoorOutdoor),
        _ => Tlv.B(true),
    };

    public override ImStatusCode Write(uint attribute, TlvElement value, InteractionContext context)
    {
        if (attribute != 0)
        {
            return base.Write(attribute, value, context);
        }

        if (value.Value is not TlvUnsigned u)
        {
            return ImStatusCode.ConstraintError;
        }

        state.Breadcrumb = u.Value;
        Changed();
        return ImStatusCode.Success;
    }

    public override CommandResult Invoke(uint command, TlvElement fields, InteractionContext context)
    {
        var f = new CommandFields(fields);
        return command switch
        {
            0x00 => ArmFailSafe((ushort)f.Unsigned(0, ushort.MaxValue), f.Unsigned(1, ulong.MaxValue), context),
            0x02 => SetRegulatoryConfig((byte)f.Unsigned(0, byte.MaxValue), f.String(1, 2, 2), f.Unsigned(2, ulong.MaxValue)),
            0x04 => CommissioningComplete(context),
            _ => base.Invoke(command, fields, context),
        };
    }

    private CommandResult ArmFailSafe(ushort expiry, ulong breadcrumb, InteractionContext context)
    {
        if (state.Options.Fault == DeviceFaultStep.ArmFailSafe)
        {
            return Response(0x01, CommissioningError.BusyWithOtherAdmin, "fault injected: ArmFailSafe");
        }

        var fail = state.FailSafe;
        if (fail.IsArmed && fail.ArmedByFabric != context.FabricIndex && !(fail.ArmedByFabric == 0 && !context.IsCase))
        {
            return Response(0x01, CommissioningError.BusyWithOtherAdmin, "the fail-safe is armed by another administrator");
        }

        if (expiry == 0)
        {
            state.EndFailSafe(commit: false);
        }
        else
        {
            fail.Arm(expiry, context.FabricIndex);
            state.Breadcrumb = breadcrumb;
        }

        Changed();
        return Response(0x01, CommissioningError.Ok, "");
    }

    private CommandResult SetRegulatoryConfig(byte location, string country, ulong breadcrumb)
    {
        if (state.Options.Fault == DeviceFaultStep.SetRegulatoryConfig)
        {
            return Response(0x03, CommissioningError.ValueOutsideRange, "fault injected: SetRegulatoryConfig");
        }

        if (location > LocationIndoorOutdoor)
        {
            return CommandResult.Fail(ImStatusCode.ConstraintError);
        }

        state.RegulatoryConfig = location;
        state.CountryCode = country;
        state.Breadcrumb = breadcrumb;
        Changed();
        return Response(0x03, CommissioningError.Ok, "");
    }

    private CommandResult CommissioningComplete(InteractionContext context)
    {
        if (state.Options.Fault == DeviceFaultStep.CommissioningComplete)
        {
            return Response(0x05, CommissioningError.InvalidAuthentication, "fault injected: CommissioningComplete");
        }

        var fail = state.FailSafe;
        if (!fail.IsArmed)
        {
            return Response(0x05, CommissioningError.NoFailSafe, "the fail-safe is not armed");
        }

        if (context.FabricIndex == 0 || fail.AddedFabric is { } added && added != context.FabricIndex)
        {
            return Response(0x05, CommissioningError.InvalidAuthentication, "CommissioningComplete must come from the new fabric");
        }

        state.EndFailSafe(commit: true);
        state.Breadcrumb = 0;
        Changed();
        return Response(0x05, CommissioningError.Ok, "");
    }

    private static CommandResult Response(uint command, CommissioningError error, string debugText) =>
        CommandResult.Respond(command, Tlv.Struct(Tlv.U((byte)error, 0), Tlv.S(debugText, 1)));
}
