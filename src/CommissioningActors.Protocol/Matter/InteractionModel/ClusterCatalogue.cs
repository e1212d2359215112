namespace CommissioningActors.Protocol.Matter.InteractionModel;

/// <summary>The TLV shape of one command field, as far as the JSON payload conversion needs it.</summary>
public enum FieldType
{
    UInt8,
    UInt16,
    UInt32,
    UInt64,
    Int32,
    Bool,
    Utf8,
    Bytes,
}

/// <summary>
/// One command field: context tag, the matter.js (camelCase) name used as the JSON key, type, bounds.
/// <see cref="Secret"/> fields (Wi-Fi credentials, Thread datasets) are never echoed in errors or JSON.
/// </summary>
public sealed record FieldSpec(byte Tag, string Name, FieldType Type, bool Optional = false, int MaxLength = int.MaxValue,
    bool Nullable = false, bool Secret = false, int MinLength = 0);

public sealed record CommandSpec(uint Cluster, uint Id, string Name, IReadOnlyList<FieldSpec> Fields, uint? ResponseId = null,
    IReadOnlyList<FieldSpec>? ResponseFields = null, bool Timed = false);

public sealed record ClusterSpec(uint Id, string Name, IReadOnlyDictionary<uint, string> Attributes, IReadOnlyList<CommandSpec> Commands);

public static class ClusterIds
{
    public const uint Identify = 0x0003;
    public const uint OnOff = 0x0006;
    public const uint Descriptor = 0x001D;
    public const uint AccessControl = 0x001F;
    public const uint BasicInformation = 0x0028;
    public const uint GeneralCommissioning = 0x0030;
    public const uint NetworkCommissioning = 0x0031;
    public const uint AdministratorCommissioning = 0x003C;
    public const uint OperationalCredentials = 0x003E;
}

/// <summary>Global attributes every cluster has (core spec 7.13).</summary>
public static class GlobalAttributes
{
    public const uint GeneratedCommandList = 0xFFF8;
    public const uint AcceptedCommandList = 0xFFF9;
    public const uint AttributeList = 0xFFFB;
    public const uint FeatureMap = 0xFFFC;
    public const uint ClusterRevision = 0xFFFD;
}

/// <summary>
/// The clusters commissioning and the controller API use, with field tags checked against matter.js's
/// generated cluster definitions (packages/types/src/clusters).
/// </summary>
public static class ClusterCatalogue
{
    private static FieldSpec F(byte tag, string name, FieldType type) => new(tag, name, type);

    private static readonly FieldSpec Breadcrumb = new(1, "breadcrumb", FieldType.UInt64);

    private static readonly FieldSpec[] CommissioningResponse =
        [F(0, "errorCode", FieldType.UInt8), new(1, "debugText", FieldType.Utf8, Optional: true, MaxLength: 128)];

    private static readonly FieldSpec[] NetworkConfigResponseFields =
    [
        F(0, "networkingStatus", FieldType.UInt8), new(1, "debugText", FieldType.Utf8, Optional: true, MaxLength: 512),
        new(2, "networkIndex", FieldType.UInt8, Optional: true),
    ];

    // Declared before the clusters that use it: static fields initialise in textual order.
    private static readonly FieldSpec[] NocResponseFields =
    [
        F(0, "statusCode", FieldType.UInt8), new(1, "fabricIndex", FieldType.UInt8, Optional: true),
        new(2, "debugText", FieldType.Utf8, Optional: true, MaxLength: 128),
    ];

    public static readonly ClusterSpec Identify = new(ClusterIds.Identify, "Identify",
        Attrs((0, "identifyTime"), (1, "identifyType")),
        [
            new(ClusterIds.Identify, 0x00, "Identify", [F(0, "identifyTime", FieldType.UInt16)]),
            new(ClusterIds.Identify, 0x40, "TriggerEffect", [F(0, "effectIdentifier", FieldType.UInt8), F(1, "effectVariant", FieldType.UInt8)]),
        ]);

    public static readonly ClusterSpec OnOff = new(ClusterIds.OnOff, "OnOff",
        Attrs((0, "onOff"), (0x4000, "globalSceneControl"), (0x4001, "onTime"), (0x4002, "offWaitTime"), (0x4003, "startUpOnOff")),
        [
            new(ClusterIds.OnOff, 0x00, "Off", []),
            new(ClusterIds.OnOff, 0x01, "On", []),
            new(ClusterIds.OnOff, 0x02, "Toggle", []),
            new(ClusterIds.OnOff, 0x40, "OffWithEffect", [F(0, "effectIdentifier", FieldType.UInt8), F(1, "effectVariant", FieldType.UInt8)]),
            new(ClusterIds.OnOff, 0x41, "OnWithRecallGlobalScene", []),
            new(ClusterIds.OnOff, 0x42, "OnWithTimedOff",
                [F(0, "onOffControl", FieldType.UInt8), F(1, "onTime", FieldType.UInt16), F(2, "offWaitTime", FieldType.UInt16)]),
        ]);

    public static readonly ClusterSpec Descriptor = new(ClusterIds.Descriptor, "Descriptor",
        Attrs((0, "deviceTypeList"), (1, "serverList"), (2, "clientList"), (3, "partsList"), (4, "tagList")), []);

    public static readonly ClusterSpec AccessControl = new(ClusterIds.AccessControl, "AccessControl",
        Attrs((0, "acl"), (1, "extension"), (2, "subjectsPerAccessControlEntry"), (3, "targetsPerAccessControlEntry"),
            (4, "accessControlEntriesPerFabric")), []);

    public static readonly ClusterSpec BasicInformation = new(ClusterIds.BasicInformation, "BasicInformation",
        Attrs((0, "dataModelRevision"), (1, "vendorName"), (2, "vendorId"), (3, "productName"), (4, "productId"), (5, "nodeLabel"),
            (6, "location"), (7, "hardwareVersion"), (8, "hardwareVersionString"), (9, "softwareVersion"), (10, "softwareVersionString"),
            (0x0F, "serialNumber"), (0x12, "uniqueId")), []);

    public static readonly ClusterSpec GeneralCommissioning = new(ClusterIds.GeneralCommissioning, "GeneralCommissioning",
        Attrs((0, "breadcrumb"), (1, "basicCommissioningInfo"), (2, "regulatoryConfig"), (3, "locationCapability"),
            (4, "supportsConcurrentConnection")),
        [
            new(ClusterIds.GeneralCommissioning, 0x00, "ArmFailSafe", [F(0, "expiryLengthSeconds", FieldType.UInt16), Breadcrumb],
                0x01, CommissioningResponse),
            new(ClusterIds.GeneralCommissioning, 0x02, "SetRegulatoryConfig",
                [F(0, "newRegulatoryConfig", FieldType.UInt8), new(1, "countryCode", FieldType.Utf8, MinLength: 2, MaxLength: 2),
                    new(2, "breadcrumb", FieldType.UInt64)], 0x03, CommissioningResponse),
            new(ClusterIds.GeneralCommissioning, 0x04, "CommissioningComplete", [], 0x05, CommissioningResponse),
        ]);

    public static readonly ClusterSpec NetworkCommissioning = new(ClusterIds.NetworkCommissioning, "NetworkCommissioning",
        Attrs((0, "maxNetworks"), (1, "networks"), (2, "scanMaxTimeSeconds"), (3, "connectMaxTimeSeconds"), (4, "interfaceEnabled"),
            (5, "lastNetworkingStatus"), (6, "lastNetworkId"), (7, "lastConnectErrorValue")),
        [
            new(ClusterIds.NetworkCommissioning, 0x02, "AddOrUpdateWiFiNetwork",
                [new(0, "ssid", FieldType.Bytes, MaxLength: 32), new(1, "credentials", FieldType.Bytes, MaxLength: 64, Secret: true),
                    new(2, "breadcrumb", FieldType.UInt64, Optional: true)], 0x05, NetworkConfigResponseFields),
            new(ClusterIds.NetworkCommissioning, 0x03, "AddOrUpdateThreadNetwork",
                [new(0, "operationalDataset", FieldType.Bytes, MaxLength: 254, Secret: true), new(1, "breadcrumb", FieldType.UInt64, Optional: true)],
                0x05, NetworkConfigResponseFields),
            new(ClusterIds.NetworkCommissioning, 0x04, "RemoveNetwork",
                [new(0, "networkId", FieldType.Bytes, MinLength: 1, MaxLength: 32), new(1, "breadcrumb", FieldType.UInt64, Optional: true)],
                0x05, NetworkConfigResponseFields),
            new(ClusterIds.NetworkCommissioning, 0x06, "ConnectNetwork",
                [new(0, "networkId", FieldType.Bytes, MinLength: 1, MaxLength: 32), new(1, "breadcrumb", FieldType.UInt64, Optional: true)],
                0x07,
                [F(0, "networkingStatus", FieldType.UInt8), new(1, "debugText", FieldType.Utf8, Optional: true, MaxLength: 512),
                    new(2, "errorValue", FieldType.Int32, Nullable: true)]),
        ]);

    // Every command of this cluster must be invoked timed (core spec 11.19.8).
    public static readonly ClusterSpec AdministratorCommissioning = new(ClusterIds.AdministratorCommissioning, "AdministratorCommissioning",
        Attrs((0, "windowStatus"), (1, "adminFabricIndex"), (2, "adminVendorId")),
        [
            new(ClusterIds.AdministratorCommissioning, 0x00, "OpenCommissioningWindow",
                [F(0, "commissioningTimeout", FieldType.UInt16), new(1, "pakePasscodeVerifier", FieldType.Bytes, MinLength: 97, MaxLength: 97, Secret: true),
                    new(2, "discriminator", FieldType.UInt16), F(3, "iterations", FieldType.UInt32), new(4, "salt", FieldType.Bytes, MinLength: 16, MaxLength: 32)],
                Timed: true),
            new(ClusterIds.AdministratorCommissioning, 0x01, "OpenBasicCommissioningWindow", [F(0, "commissioningTimeout", FieldType.UInt16)], Timed: true),
            new(ClusterIds.AdministratorCommissioning, 0x02, "RevokeCommissioning", [], Timed: true),
        ]);

    public static readonly ClusterSpec OperationalCredentials = new(ClusterIds.OperationalCredentials, "OperationalCredentials",
        Attrs((0, "nocs"), (1, "fabrics"), (2, "supportedFabrics"), (3, "commissionedFabrics"), (4, "trustedRootCertificates"),
            (5, "currentFabricIndex")),
        [
            new(ClusterIds.OperationalCredentials, 0x00, "AttestationRequest",
                [new(0, "attestationNonce", FieldType.Bytes, MinLength: 32, MaxLength: 32)], 0x01,
                [new(0, "attestationElements", FieldType.Bytes, MaxLength: 900), new(1, "attestationSignature", FieldType.Bytes, MinLength: 64, MaxLength: 64)]),
            new(ClusterIds.OperationalCredentials, 0x02, "CertificateChainRequest", [F(0, "certificateType", FieldType.UInt8)], 0x03,
                [new(0, "certificate", FieldType.Bytes, MaxLength: 600)]),
            new(ClusterIds.OperationalCredentials, 0x04, "CsrRequest",
                [new(0, "csrNonce", FieldType.Bytes, MinLength: 32, MaxLength: 32), new(1, "isForUpdateNoc", FieldType.Bool, Optional: true)], 0x05,
                [new(0, "nocsrElements", FieldType.Bytes, MaxLength: 900), new(1, "attestationSignature", FieldType.Bytes, MinLength: 64, MaxLength: 64)]),
            new(ClusterIds.OperationalCredentials, 0x06, "AddNoc",
                [new(0, "nocValue", FieldType.Bytes, MaxLength: 400), new(1, "icacValue", FieldType.Bytes, Optional: true, MaxLength: 400),
                    new(2, "ipkValue", FieldType.Bytes, MinLength: 16, MaxLength: 16, Secret: true), F(3, "caseAdminSubject", FieldType.UInt64),
                    F(4, "adminVendorId", FieldType.UInt16)], 0x08, NocResponseFields),
            new(ClusterIds.OperationalCredentials, 0x07, "UpdateNoc",
                [new(0, "nocValue", FieldType.Bytes, MaxLength: 400), new(1, "icacValue", FieldType.Bytes, Optional: true, MaxLength: 400)],
                0x08, NocResponseFields),
            new(ClusterIds.OperationalCredentials, 0x09, "UpdateFabricLabel", [new(0, "label", FieldType.Utf8, MaxLength: 32)], 0x08, NocResponseFields),
            new(ClusterIds.OperationalCredentials, 0x0A, "RemoveFabric", [new(0, "fabricIndex", FieldType.UInt8)], 0x08, NocResponseFields),
            new(ClusterIds.OperationalCredentials, 0x0B, "AddTrustedRootCertificate", [new(0, "rootCaCertificate", FieldType.Bytes, MaxLength: 400)]),
        ]);

    public static IReadOnlyList<ClusterSpec> All { get; } =
        [Identify, OnOff, Descriptor, AccessControl, BasicInformation, GeneralCommissioning, NetworkCommissioning, AdministratorCommissioning,
            OperationalCredentials];

    public static ClusterSpec? FindCluster(uint id) => All.FirstOrDefault(c => c.Id == id);

    public static CommandSpec? FindCommand(uint cluster, uint commandId) =>
        FindCluster(cluster)?.Commands.FirstOrDefault(c => c.Id == commandId);

    /// <summary>By name, case-insensitively ("On", "on", "Identify").</summary>
    public static CommandSpec? FindCommand(uint cluster, string name) =>
        FindCluster(cluster)?.Commands.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));

    private static Dictionary<uint, string> Attrs(params (uint Id, string Name)[] attributes)
    {
        var map = attributes.ToDictionary(a => a.Id, a => a.Name);
        map[GlobalAttributes.GeneratedCommandList] = "generatedCommandList";
        map[GlobalAttributes.AcceptedCommandList] = "acceptedCommandList";
        map[GlobalAttributes.AttributeList] = "attributeList";
        map[GlobalAttributes.FeatureMap] = "featureMap";
        map[GlobalAttributes.ClusterRevision] = "clusterRevision";
        return map;
    }
}
