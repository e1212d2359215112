using CommissioningActors.Protocol.Matter.InteractionModel;
using CommissioningActors.Protocol.Matter.Tlv;

namespace CommissioningActors.Simulator.Matter.Clusters;

/// <summary>
/// NetworkCommissioning (0x0031) on endpoint 0 with the Wi-Fi or the Thread feature: AddOrUpdate*Network,
/// RemoveNetwork and ConnectNetwork under the fail-safe (reverted with it). Credentials are kept only as
/// "present"; they never leave this class.
/// </summary>
public sealed class NetworkCommissioningServer(DeviceState state) : ClusterServer
{
    public const int MaxNetworks = 1;
    private const byte ThreadExtendedPanIdType = 2;

    private bool IsThread => state.Options.Network == DeviceNetworkKind.Thread;

    public override uint Id => ClusterIds.NetworkCommissioning;

    public override ushort Revision => 2;

    public override uint FeatureMap => IsThread ? 0b10u : 0b01u;

    public override IReadOnlyList<uint> Attributes => IsThread ? [0, 1, 2, 3, 4, 5, 6, 7, 9, 10] : [0, 1, 2, 3, 4, 5, 6, 7, 8];

    public override IReadOnlyList<uint> AcceptedCommands => [0x00, IsThread ? 0x03u : 0x02u, 0x04, 0x06, 0x08];

    public override IReadOnlyList<uint> GeneratedCommands => [0x01, 0x05, 0x07];

    protected override AttributeRead ReadAttribute(uint attribute, InteractionContext context) => attribute switch
    {
        0 => Tlv.U(MaxNetworks),
        1 => Tlv.Array(state.Networks.Select(n => Tlv.Struct(Tlv.Bytes(n.NetworkId, 0), Tlv.B(n.Connected, 1)))),
        2 => Tlv.U(10),
        3 => Tlv.U(20),
        4 => Tlv.B(true),
        5 => state.LastNetworking is { } last ? Tlv.U(last.Status) : Tlv.Null(),
        6 => state.LastNetworking is { NetworkId: { } id } ? Tlv.Bytes(id) : Tlv.Null(),
        7 => Tlv.Null(),
        8 => Tlv.Array([Tlv.U(0)]),
        9 => Tlv.U(0),
        _ => Tlv.U(4),
    };

    public override CommandResult Invoke(uint command, TlvElement fields, InteractionContext context)
    {
        var f = new CommandFields(fields);
        return command switch
        {
            0x00 => CommandResult.Respond(0x01, Tlv.Struct(Tlv.U((byte)NetworkCommissioningStatus.Success, 0), Tlv.S("", 1))),
            0x02 when !IsThread => AddOrUpdate(f.Bytes(0, 1, 32), f.Bytes(1, 0, 64), f.OptionalUnsigned(2, ulong.MaxValue)),
            0x03 when IsThread => AddOrUpdateThread(f.Bytes(0, 1, 254), f.OptionalUnsigned(1, ulong.MaxValue)),
            0x04 => Remove(f.Bytes(0, 1, 32), f.OptionalUnsigned(1, ulong.MaxValue)),
            0x06 => Connect(f.Bytes(0, 1, 32), f.OptionalUnsigned(1, ulong.MaxValue)),
            0x08 => ConfigResponse(NetworkCommissioningStatus.OutOfRange, null, "one network only"),
            _ => base.Invoke(command, fields, context),
        };
    }

    private CommandResult AddOrUpdateThread(byte[] dataset, ulong? breadcrumb)
    {
        var panId = ExtendedPanId(dataset);
        return panId is null
            ? ConfigResponse(NetworkCommissioningStatus.OutOfRange, null, "the operational dataset has no valid extended PAN id")
            : AddOrUpdate(panId, dataset, breadcrumb);
    }

    private CommandResult AddOrUpdate(byte[] networkId, byte[] credentials, ulong? breadcrumb)
    {
        if (state.Options.Fault == DeviceFaultStep.AddOrUpdateNetwork)
        {
            return ConfigResponse(NetworkCommissioningStatus.UnknownError, null, "fault injected: AddOrUpdateNetwork");
        }

        if (!state.FailSafe.IsArmed)
        {
            return CommandResult.Fail(ImStatusCode.FailsafeRequired);
        }

        _ = credentials;
        var existing = state.Networks.ToList().FindIndex(n => n.NetworkId.AsSpan().SequenceEqual(networkId));
        if (existing < 0 && state.Networks.Count >= MaxNetworks)
        {
            return ConfigResponse(NetworkCommissioningStatus.BoundsExceeded, null, "the network list is full");
        }

        state.RememberNetworksForFailSafe();
        var networks = state.Networks.ToList();
        if (existing >= 0)
        {
            networks[existing] = new DeviceNetwork(networkId, false);
        }
        else
        {
            networks.Add(new DeviceNetwork(networkId, false));
        }

        state.SetNetworks(networks);
        SetBreadcrumb(breadcrumb);
        Changed();
        return ConfigResponse(NetworkCommissioningStatus.Success, (byte)(existing >= 0 ? existing : networks.Count - 1), "");
    }

    private CommandResult Remove(byte[] networkId, ulong? breadcrumb)
    {
        if (!state.FailSafe.IsArmed)
        {
            return CommandResult.Fail(ImStatusCode.FailsafeRequired);
        }

        var index = state.Networks.ToList().FindIndex(n => n.NetworkId.AsSpan().SequenceEqual(networkId));
        if (index < 0)
        {
            return ConfigResponse(NetworkCommissioningStatus.NetworkIdNotFound, null, "no such network");
        }

        state.RememberNetworksForFailSafe();
        state.SetNetworks(state.Networks.Where((_, i) => i != index));
        SetBreadcrumb(breadcrumb);
        Changed();
        return ConfigResponse(NetworkCommissioningStatus.Success, (byte)index, "");
    }

    private CommandResult Connect(byte[] networkId, ulong? breadcrumb)
    {
        if (!state.FailSafe.IsArmed)
        {
            return CommandResult.Fail(ImStatusCode.FailsafeRequired);
        }

        var index = state.Networks.ToList().FindIndex(n => n.NetworkId.AsSpan().SequenceEqual(networkId));
        NetworkCommissioningStatus status;
        if (state.Options.Fault == DeviceFaultStep.ConnectNetwork)
        {
            status = NetworkCommissioningStatus.OtherConnectionFailure;
        }
        else if (index < 0)
        {
            status = NetworkCommissioningStatus.NetworkIdNotFound;
        }
        else
        {
            state.RememberNetworksForFailSafe();
            state.SetNetworks(state.Networks.Select((n, i) => n with { Connected = i == index }));
            status = NetworkCommissioningStatus.Success;
        }

        state.LastNetworking = ((byte)status, networkId);
        SetBreadcrumb(status == NetworkCommissioningStatus.Success ? breadcrumb : null);
        Changed();
        if (status == NetworkCommissioningStatus.Success)
        {
            state.OnNetworkConnected();
        }

        return CommandResult.Respond(0x07, Tlv.Struct(Tlv.U((byte)status, 0), Tlv.S("", 1), Tlv.Null(2)));
    }

    /// <summary>The dataset's Extended PAN ID TLV (type 2, 8 bytes): the Thread network id. Null when the dataset is malformed.</summary>
    public static byte[]? ExtendedPanId(ReadOnlySpan<byte> dataset)
    {
        byte[]? panId = null;
        var at = 0;
        while (at < dataset.Length)
        {
            if (at + 2 > dataset.Length || at + 2 + dataset[at + 1] > dataset.Length)
            {
                return null;
            }

            if (dataset[at] == ThreadExtendedPanIdType && dataset[at + 1] == 8)
            {
                panId = dataset.Slice(at + 2, 8).ToArray();
            }

            at += 2 + dataset[at + 1];
        }

        return panId;
    }

    private void SetBreadcrumb(ulong? breadcrumb)
    {
        if (breadcrumb is { } b)
        {
            state.Breadcrumb = b;
        }
    }

    private static CommandResult ConfigResponse(NetworkCommissioningStatus status, byte? index, string debugText)
    {
        var fields = new List<TlvElement> { Tlv.U((byte)status, 0), Tlv.S(debugText, 1) };
        if (index is { } i)
        {
            fields.Add(Tlv.U(i, 2));
        }

        return CommandResult.Respond(0x05, Tlv.Struct([.. fields]));
    }
}
