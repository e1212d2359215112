using System.Security.Cryptography;
using CommissioningActors.Protocol.Matter.Certificates;
using CommissioningActors.Protocol.Matter.SecureChannel;

namespace CommissioningActors.Simulator.Matter;

/// <summary>An access control entry: privilege 5 = Administer, auth mode 2 = CASE, subjects are node ids or CATs.</summary>
public sealed record AclEntry(byte FabricIndex, byte Privilege, byte AuthMode, IReadOnlyList<ulong> Subjects);

/// <summary>
/// One fabric the device joined: its root, NOC (and ICAC), IPK epoch key and operational key. Not committed
/// until CommissioningComplete; an uncommitted fabric is removed when the fail-safe expires or is disarmed.
/// </summary>
public sealed class DeviceFabric : IDisposable
{
    public DeviceFabric(byte index, MatterCertificate root, byte[] rootTlv, byte[] noc, byte[]? icac, ulong nodeId, ulong fabricId,
        byte[] ipkEpochKey, ushort vendorId, ECDsa operationalKey)
    {
        Index = index;
        Root = root;
        RootTlv = rootTlv;
        Noc = noc;
        Icac = icac;
        NodeId = nodeId;
        FabricId = fabricId;
        IpkEpochKey = ipkEpochKey;
        VendorId = vendorId;
        OperationalKey = operationalKey;
        var compressed = CaseKeySchedule.CompressedFabricId(root.PublicKey, fabricId);
        CompressedFabricId = compressed;
        Case = new CaseFabric(CaseKeySchedule.OperationalIpk(ipkEpochKey, compressed), root.PublicKey, fabricId, noc, icac, operationalKey);
    }

    public byte Index { get; }
    public MatterCertificate Root { get; }
    public byte[] RootTlv { get; }
    public byte[] Noc { get; }
    public byte[]? Icac { get; }
    public ulong NodeId { get; }
    public ulong FabricId { get; }
    public byte[] IpkEpochKey { get; }
    public ushort VendorId { get; }
    public ECDsa OperationalKey { get; }
    public byte[] CompressedFabricId { get; }
    public CaseFabric Case { get; }
    public string Label { get; set; } = "";
    public bool Committed { get; set; }

    public CaseCertificateValidator Validator(TimeProvider time) => new MatterCertificateValidator(Root, FabricId, time).AsDelegate();

    public void Dispose() => OperationalKey.Dispose();

    public override string ToString() => $"DeviceFabric(#{Index}, fabric {FabricId:X16}, node {NodeId:X16}, {(Committed ? "committed" : "pending")})";
}
