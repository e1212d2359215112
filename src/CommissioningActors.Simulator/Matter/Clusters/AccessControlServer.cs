using CommissioningActors.Protocol.Matter.InteractionModel;
using CommissioningActors.Protocol.Matter.Tlv;

namespace CommissioningActors.Simulator.Matter.Clusters;

/// <summary>
/// AccessControl (0x001F) on endpoint 0, enough for commissioning: AddNOC's admin entry shows in the fabric-scoped
/// ACL; a write replaces the writer's fabric's entries (privilege 1..5, auth mode 1..3, at most 4 subjects each).
/// </summary>
public sealed class AccessControlServer(DeviceState state) : ClusterServer
{
    public const int EntriesPerFabric = 4;
    public const int SubjectsPerEntry = 4;
    private const byte FabricIndexTag = 0xFE;

    public override uint Id => ClusterIds.AccessControl;

    public override ushort Revision => 2;

    public override IReadOnlyList<uint> Attributes => [0, 2, 3, 4];

    protected override AttributeRead ReadAttribute(uint attribute, InteractionContext context) => attribute switch
    {
        0 => Tlv.Array(state.Acl.Where(e => !context.FabricFiltered || e.FabricIndex == context.FabricIndex).Select(e => Tlv.Struct(
            Tlv.U(e.Privilege, 1), Tlv.U(e.AuthMode, 2),
            TlvElement.Array(TlvTag.Context(3), [.. e.Subjects.Select(s => Tlv.U(s))]),
            Tlv.Null(4), Tlv.U(e.FabricIndex, FabricIndexTag)))),
        2 => Tlv.U(SubjectsPerEntry),
        3 => Tlv.U(3),
        _ => Tlv.U(EntriesPerFabric),
    };

    public override ImStatusCode Write(uint attribute, TlvElement value, InteractionContext context)
    {
        if (attribute != 0)
        {
            return base.Write(attribute, value, context);
        }

        if (context.FabricIndex == 0)
        {
            return ImStatusCode.UnsupportedAccess;
        }

        if (value.Value is not TlvContainer { Kind: TlvContainerKind.Array } list || list.Members.Count > EntriesPerFabric)
        {
            return ImStatusCode.ConstraintError;
        }

        var entries = new List<AclEntry>();
        foreach (var member in list.Members)
        {
            var f = new CommandFields(member);
            try
            {
                var privilege = (byte)f.Unsigned(1, 5);
                var authMode = (byte)f.Unsigned(2, 3);
                var subjects = f.Member(3) is { IsNull: false } s ? s.AsContainer() ?? throw new CommandFieldException(ImStatusCode.ConstraintError, "subjects") : [];
                if (privilege == 0 || authMode == 0 || subjects.Count > SubjectsPerEntry || subjects.Any(x => x.AsUnsigned() is null))
                {
                    return ImStatusCode.ConstraintError;
                }

                entries.Add(new AclEntry(context.FabricIndex, privilege, authMode, [.. subjects.Select(x => x.AsUnsigned()!.Value)]));
            }
            catch (CommandFieldException)
            {
                return ImStatusCode.ConstraintError;
            }
        }

        state.Acl.RemoveAll(e => e.FabricIndex == context.FabricIndex);
        state.Acl.AddRange(entries);
        Changed();
        return ImStatusCode.Success;
    }
}
