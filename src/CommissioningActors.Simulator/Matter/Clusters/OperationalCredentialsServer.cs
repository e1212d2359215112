using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CommissioningActors.Protocol.Matter.Certificates;
using CommissioningActors.Protocol.Matter.InteractionModel;
using CommissioningActors.Protocol.Matter.Tlv;

namespace CommissioningActors.Simulator.Matter.Clusters;

/// <summary>
/// OperationalCredentials (0x003E) on endpoint 0: attestation (DAC/PAI, attestation elements signed with the DAC
/// key over the session's challenge), CSR with a fresh P-256 key, AddTrustedRootCertificate and AddNOC under the
/// fail-safe, RemoveFabric, UpdateFabricLabel, and the fabric-scoped attributes.
/// </summary>
public sealed class OperationalCredentialsServer(DeviceState state) : ClusterServer
{
    public const int NonceLength = 32;
    public const int IpkLength = 16;
    private const byte FabricIndexTag = 0xFE;

    public override uint Id => ClusterIds.OperationalCredentials;

    public override IReadOnlyList<uint> Attributes => [0, 1, 2, 3, 4, 5];

    public override IReadOnlyList<uint> AcceptedCommands => [0x00, 0x02, 0x04, 0x06, 0x09, 0x0A, 0x0B];

    public override IReadOnlyList<uint> GeneratedCommands => [0x01, 0x03, 0x05, 0x08];

    protected override AttributeRead ReadAttribute(uint attribute, InteractionContext context) => attribute switch
    {
        0 => Tlv.Array(Visible(context).Select(f => Tlv.Struct(
            Tlv.Bytes(f.Noc, 1), f.Icac is null ? Tlv.Null(2) : Tlv.Bytes(f.Icac, 2), Tlv.U(f.Index, FabricIndexTag)))),
        1 => Tlv.Array(Visible(context).Select(f => Tlv.Struct(
            Tlv.Bytes(f.Root.PublicKey, 1), Tlv.U(f.VendorId, 2), Tlv.U(f.FabricId, 3), Tlv.U(f.NodeId, 4),
            Tlv.S(f.Label, 5), Tlv.U(f.Index, FabricIndexTag)))),
        2 => Tlv.U(DeviceState.SupportedFabrics),
        3 => Tlv.U((ulong)state.Fabrics.Count),
        4 => Tlv.Array(state.Fabrics.Select(f => Tlv.Bytes(f.RootTlv))
            .Concat(state.PendingRoot is { } pending ? [Tlv.Bytes(pending.Tlv)] : [])),
        _ => Tlv.U(context.FabricIndex),
    };

    private IEnumerable<DeviceFabric> Visible(InteractionContext context) =>
        context.FabricFiltered ? state.Fabrics.Where(f => f.Index == context.FabricIndex) : state.Fabrics;

    public override CommandResult Invoke(uint command, TlvElement fields, InteractionContext context)
    {
        var f = new CommandFields(fields);
        return command switch
        {
            0x00 => Attestation(f.Bytes(0, NonceLength, NonceLength), context),
            0x02 => CertificateChain((byte)f.Unsigned(0, byte.MaxValue)),
            0x04 => Csr(f.Bytes(0, NonceLength, NonceLength), f.OptionalBool(1) ?? false, context),
            0x06 => AddNoc(f, context),
            0x09 => UpdateLabel(f.String(0, 0, 32), context),
            0x0A => RemoveFabric((byte)f.Unsigned(0, byte.MaxValue)),
            0x0B => AddTrustedRoot(f.Bytes(0, 1, 400)),
            _ => base.Invoke(command, fields, context),
        };
    }

    private CommandResult Attestation(byte[] nonce, InteractionContext context)
    {
        if (state.Options.Fault == DeviceFaultStep.AttestationRequest)
        {
            return CommandResult.Fail(ImStatusCode.Failure);
        }

        var elements = new TlvWriter().StartStructure(TlvTag.Anonymous)
            .WriteBytes(TlvTag.Context(1), state.Attestation.CertificationDeclaration)
            .WriteBytes(TlvTag.Context(2), nonce)
            .WriteUnsigned(TlvTag.Context(3), 0)
            .EndContainer().ToArray();
        return CommandResult.Respond(0x01, Tlv.Struct(Tlv.Bytes(elements, 0), Tlv.Bytes(SignWithChallenge(elements, context), 1)));
    }

    private CommandResult CertificateChain(byte type)
    {
        if (state.Options.Fault == DeviceFaultStep.CertificateChainRequest)
        {
            return CommandResult.Fail(ImStatusCode.Failure);
        }

        return type switch
        {
            1 => CommandResult.Respond(0x03, Tlv.Struct(Tlv.Bytes(state.Attestation.Dac, 0))),
            2 => CommandResult.Respond(0x03, Tlv.Struct(Tlv.Bytes(state.Attestation.Pai, 0))),
            _ => CommandResult.Fail(ImStatusCode.InvalidCommand),
        };
    }

    private CommandResult Csr(byte[] nonce, bool forUpdate, InteractionContext context)
    {
        if (state.Options.Fault == DeviceFaultStep.CsrRequest)
        {
            return CommandResult.Fail(ImStatusCode.Failure);
        }

        if (!state.FailSafe.IsArmed)
        {
            return CommandResult.Fail(ImStatusCode.FailsafeRequired);
        }

        if (forUpdate || state.FailSafe.AddedFabric is not null)
        {
            return CommandResult.Fail(ImStatusCode.ConstraintError);
        }

        state.NewOperationalKey();
        var request = new CertificateRequest(new X500DistinguishedName("O=CSR"), state.PendingOperationalKey!, HashAlgorithmName.SHA256);
        var elements = new TlvWriter().StartStructure(TlvTag.Anonymous)
            .WriteBytes(TlvTag.Context(1), request.CreateSigningRequest())
            .WriteBytes(TlvTag.Context(2), nonce)
            .EndContainer().ToArray();
        return CommandResult.Respond(0x05, Tlv.Struct(Tlv.Bytes(elements, 0), Tlv.Bytes(SignWithChallenge(elements, context), 1)));
    }

    private CommandResult AddTrustedRoot(byte[] rcac)
    {
        if (state.Options.Fault == DeviceFaultStep.AddTrustedRootCertificate)
        {
            return CommandResult.Fail(ImStatusCode.Failure);
        }

        if (!state.FailSafe.IsArmed)
        {
            return CommandResult.Fail(ImStatusCode.FailsafeRequired);
        }

        if (state.PendingRoot is not null || state.FailSafe.AddedFabric is not null)
        {
            return CommandResult.Fail(ImStatusCode.ConstraintError);
        }

        var root = MatterCertificateTlv.Decode(rcac);
        if (!root.IsOk || root.Value!.BasicConstraints?.IsCa != true || !root.Value.IsSignedBy(root.Value.PublicKey))
        {
            return CommandResult.Fail(ImStatusCode.InvalidCommand);
        }

        state.PendingRoot = (root.Value, rcac);
        state.FailSafe.AddedRoot = true;
        Changed();
        return CommandResult.Ok;
    }

    private CommandResult AddNoc(CommandFields f, InteractionContext context)
    {
        var noc = f.Bytes(0, 1, 400);
        var icac = f.OptionalBytes(1, 0, 400) is { Length: > 0 } given ? given : null;
        var ipk = f.Bytes(2, IpkLength, IpkLength);
        var adminSubject = f.Unsigned(3, ulong.MaxValue);
        var adminVendor = (ushort)f.Unsigned(4, ushort.MaxValue);
        if (state.Options.Fault == DeviceFaultStep.AddNoc)
        {
            return NocResponse(NodeOperationalCertStatus.InvalidNoc, null, "fault injected: AddNOC");
        }

        if (!state.FailSafe.IsArmed)
        {
            return CommandResult.Fail(ImStatusCode.FailsafeRequired);
        }

        if (state.FailSafe.AddedFabric is not null)
        {
            return CommandResult.Fail(ImStatusCode.ConstraintError);
        }

        if (state.PendingOperationalKey is null)
        {
            return NocResponse(NodeOperationalCertStatus.MissingCsr, null, "no CSRRequest before AddNOC");
        }

        if (state.PendingRoot is not { } root)
        {
            return NocResponse(NodeOperationalCertStatus.InvalidNoc, null, "no trusted root was added");
        }

        var decoded = MatterCertificateTlv.Decode(noc);
        if (!decoded.IsOk || decoded.Value!.SubjectId(DnAttributeType.MatterFabricId) is not { } fabricId)
        {
            return NocResponse(NodeOperationalCertStatus.InvalidNoc, null, "the NOC does not decode or names no fabric");
        }

        var identity = new MatterCertificateValidator(root.Certificate, fabricId, state.Options.Time).Validate(noc, icac);
        if (!identity.IsOk)
        {
            return NocResponse(NodeOperationalCertStatus.InvalidNoc, null, "the NOC does not chain to the added root");
        }

        var ourKey = Protocol.Matter.Crypto.EcdsaP256.PublicKeyOf(state.PendingOperationalKey);
        if (!identity.Value!.PublicKey.AsSpan().SequenceEqual(ourKey))
        {
            return NocResponse(NodeOperationalCertStatus.InvalidPublicKey, null, "the NOC is not for our CSR key");
        }

        if (adminSubject == 0 || adminSubject > FabricAuthorityLimits.MaxSubject)
        {
            return NocResponse(NodeOperationalCertStatus.InvalidAdminSubject, null, "CaseAdminSubject is not a node id or CAT");
        }

        if (state.Fabrics.Any(x => x.FabricId == fabricId && x.Root.PublicKey.AsSpan().SequenceEqual(root.Certificate.PublicKey)))
        {
            return NocResponse(NodeOperationalCertStatus.FabricConflict, null, "already on this fabric");
        }

        var index = state.NextFabricIndex();
        if (state.Fabrics.Count >= DeviceState.SupportedFabrics || index == 0)
        {
            return NocResponse(NodeOperationalCertStatus.TableFull, null, "no free fabric slot");
        }

        var fabric = new DeviceFabric(index, root.Certificate, root.Tlv, noc, icac, identity.Value.NodeId, fabricId, ipk, adminVendor,
            state.TakeOperationalKey());
        state.AddFabric(fabric);
        state.PendingRoot = null;
        state.Acl.Add(new AclEntry(index, Privilege: 5, AuthMode: 2, [adminSubject]));
        state.FailSafe.AddedFabric = index;
        state.FailSafe.BindTo(index);
        context.BindToFabric?.Invoke(index);
        Changed();
        return NocResponse(NodeOperationalCertStatus.Ok, index, "");
    }

    private CommandResult UpdateLabel(string label, InteractionContext context)
    {
        if (state.Fabric(context.FabricIndex) is not { } fabric)
        {
            return CommandResult.Fail(ImStatusCode.UnsupportedAccess);
        }

        fabric.Label = label;
        Changed();
        return NocResponse(NodeOperationalCertStatus.Ok, fabric.Index, "");
    }

    private CommandResult RemoveFabric(byte index)
    {
        if (state.Fabric(index) is null)
        {
            return NocResponse(NodeOperationalCertStatus.InvalidFabricIndex, null, "no such fabric");
        }

        if (state.FailSafe.AddedFabric == index)
        {
            state.EndFailSafe(commit: false);
        }

        state.RemoveFabric(index);
        Changed();
        return NocResponse(NodeOperationalCertStatus.Ok, index, "");
    }

    private byte[] SignWithChallenge(byte[] elements, InteractionContext context)
    {
        var signed = new byte[elements.Length + context.AttestationChallenge.Length];
        elements.CopyTo(signed, 0);
        context.AttestationChallenge.CopyTo(signed, elements.Length);
        return state.Attestation.Sign(signed);
    }

    private static CommandResult NocResponse(NodeOperationalCertStatus status, byte? index, string debugText)
    {
        var fields = new List<TlvElement> { Tlv.U((byte)status, 0) };
        if (index is { } i)
        {
            fields.Add(Tlv.U(i, 1));
        }

        fields.Add(Tlv.S(debugText, 2));
        return CommandResult.Respond(0x08, Tlv.Struct([.. fields]));
    }
}

/// <summary>The largest CaseAdminSubject: operational node ids, then the CAT range (0xFFFF_FFFD_xxxx_xxxx).</summary>
internal static class FabricAuthorityLimits
{
    public const ulong MaxSubject = 0xFFFF_FFFD_FFFF_FFFF;
}
