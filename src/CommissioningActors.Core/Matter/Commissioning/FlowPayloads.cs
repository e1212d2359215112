using CommissioningActors.Protocol.Matter.InteractionModel;
using CommissioningActors.Protocol.Matter.Tlv;

namespace CommissioningActors.Core.Matter.Commissioning;

/// <summary>What the initial read told us.</summary>
public sealed record InitialData(ushort? VendorId, ushort? ProductId, ushort FailSafeSeconds, ulong? CommissionedFabrics)
{
    /// <summary>BasicCommissioningInfo.MaxCumulativeFailsafeSeconds: no re-arm may reach past it.</summary>
    public ushort? MaxCumulativeFailSafeSeconds { get; init; }

    /// <summary>GeneralCommissioning LocationCapability (0 indoor, 1 outdoor, 2 either).</summary>
    public byte? LocationCapability { get; init; }

    /// <summary>The root NetworkCommissioning FeatureMap (Wi-Fi 0x1, Thread 0x2, Ethernet 0x4); null when the device has none.</summary>
    public uint? NetworkFeatures { get; init; }
}

/// <summary>The Interaction Model payloads of the flow: built and parsed here, pure, so the actor only sequences.</summary>
public static partial class FlowPayloads
{
    public const uint GeneralCommissioning = 0x30;
    public const uint OperationalCredentials = 0x3E;
    public const uint BasicInformation = 0x28;
    public const ushort DefaultFailSafeSeconds = 60;

    public static byte[] ReadInitialData() => new ReadRequestMessage(
        [
            new AttributePath(0, BasicInformation, 2),
            new AttributePath(0, BasicInformation, 4),
            new AttributePath(0, GeneralCommissioning, 1),
            new AttributePath(0, GeneralCommissioning, 3),
            new AttributePath(0, OperationalCredentials, 3),
            new AttributePath(0, NetworkCommissioning, FeatureMapAttribute),
        ],
        FabricFiltered: true).Encode();

    public static (InitialData? Data, string? Error) ParseInitialData(ReadOnlyMemory<byte> payload)
    {
        var report = ReportDataMessage.Decode(payload.Span);
        if (!report.IsOk)
        {
            return (null, $"the initial read's answer is malformed: {report.Error}");
        }

        ushort? vendor = null, product = null;
        ushort failSafe = DefaultFailSafeSeconds;
        ulong? fabrics = null;
        ushort? maxCumulative = null;
        byte? location = null;
        uint? features = null;
        foreach (var data in report.Value!.AttributeReports.Select(r => r.Data).OfType<AttributeDataIB>())
        {
            switch ((data.Path.Cluster, data.Path.Attribute))
            {
                case (BasicInformation, 2):
                    vendor = (ushort?)data.Data.AsUnsigned();
                    break;
                case (BasicInformation, 4):
                    product = (ushort?)data.Data.AsUnsigned();
                    break;
                case (GeneralCommissioning, 1) when data.Data[0]?.AsUnsigned() is { } seconds and > 0 and <= ushort.MaxValue:
                    failSafe = (ushort)seconds;
                    maxCumulative = data.Data[1]?.AsUnsigned() is { } max and > 0 and <= ushort.MaxValue ? (ushort)max : null;
                    break;
                case (GeneralCommissioning, 3) when data.Data.AsUnsigned() is { } capability and <= 2:
                    location = (byte)capability;
                    break;
                case (NetworkCommissioning, FeatureMapAttribute) when data.Data.AsUnsigned() is { } map and <= uint.MaxValue:
                    features = (uint)map;
                    break;
                case (OperationalCredentials, 3):
                    fabrics = data.Data.AsUnsigned();
                    break;
            }
        }

        return (new InitialData(vendor, product, failSafe, fabrics)
        {
            MaxCumulativeFailSafeSeconds = maxCumulative,
            LocationCapability = location,
            NetworkFeatures = features,
        }, null);
    }

    public static byte[] Invoke(uint cluster, uint command, params (byte Tag, TlvValue Value)[] fields) =>
        new InvokeRequestMessage([new CommandDataIB(new CommandPath(0, cluster, command),
            TlvElement.Structure(TlvTag.Anonymous, [.. fields.Select(f => new TlvElement(TlvTag.Context(f.Tag), f.Value))]))]).Encode();

    public static byte[] ArmFailSafe(ushort seconds) =>
        Invoke(GeneralCommissioning, 0, (0, new TlvUnsigned(seconds)), (1, new TlvUnsigned(1)));

    /// <summary>The response command's fields, or why there is none (the device's status, or a wrong command).</summary>
    public static (TlvElement? Fields, string? Error) ParseInvoke(ReadOnlyMemory<byte> payload, uint cluster, uint responseCommand)
    {
        var response = InvokeResponseMessage.Decode(payload.Span);
        if (!response.IsOk)
        {
            return (null, $"the answer is malformed: {response.Error}");
        }

        var first = response.Value!.Responses.FirstOrDefault();
        if (first?.Status is { } status)
        {
            return status.Status.Status == ImStatusCode.Success
                ? (TlvElement.Structure(TlvTag.Anonymous), null)
                : (null, $"the device answered status {status.Status}");
        }

        if (first?.Command is not { } command || command.Path.Cluster != cluster || command.Path.Command != responseCommand)
        {
            return (null, $"the device did not answer with command 0x{cluster:X2}/0x{responseCommand:X2}");
        }

        return (command.Fields ?? TlvElement.Structure(TlvTag.Anonymous), null);
    }

    /// <summary>ArmFailSafeResponse / CommissioningCompleteResponse: {0 errorCode, 1 debugText}; error when nonzero.</summary>
    public static string? CommissioningError(TlvElement fields)
    {
        var code = fields[0]?.AsUnsigned();
        return code is null ? "the answer has no error code"
            : code == 0 ? null
            : $"the device answered error code {code} ({Name(code.Value)})";
    }

    /// <summary>AddNOC {0 NOC, 1 ICAC (none: empty), 2 IPK epoch key, 3 CaseAdminSubject, 4 AdminVendorId}.</summary>
    public static byte[] AddNoc(byte[] noc, byte[] ipkEpochKey, ulong caseAdminSubject, ushort adminVendorId) =>
        Invoke(OperationalCredentials, 6, (0, new TlvBytes(noc)), (1, new TlvBytes(Array.Empty<byte>())),
            (2, new TlvBytes(ipkEpochKey)), (3, new TlvUnsigned(caseAdminSubject)), (4, new TlvUnsigned(adminVendorId)));

    /// <summary>NOCResponse {0 statusCode, 1 fabricIndex, 2 debugText}: null when Ok, else the status named.</summary>
    public static string? NocError(TlvElement fields)
    {
        var code = fields[0]?.AsUnsigned();
        return code is null ? "the NOCResponse has no status code"
            : code == 0 ? null
            : $"the device answered NOC status {code} ({NocStatusName(code.Value)})";
    }

    private static string NocStatusName(ulong code) => code switch
    {
        1 => "InvalidPublicKey",
        2 => "InvalidNodeOpId",
        3 => "InvalidNOC",
        4 => "MissingCsr",
        5 => "TableFull",
        6 => "InvalidAdminSubject",
        9 => "FabricConflict",
        10 => "LabelConflict",
        11 => "InvalidFabricIndex",
        _ => "unknown",
    };

    private static string Name(ulong code) => code switch
    {
        1 => "ValueOutsideRange",
        2 => "InvalidAuthentication",
        3 => "NoFailSafe",
        4 => "BusyWithOtherAdmin",
        _ => "unknown",
    };
}
