using System.Security.Cryptography;
using CommissioningActors.Protocol.Matter.Certificates;

namespace CommissioningActors.Simulator.Matter;

/// <summary>A network the device knows: its id (SSID or Thread extended PAN id) and whether it is joined.</summary>
public sealed record DeviceNetwork(byte[] NetworkId, bool Connected);

/// <summary>
/// Everything the clusters share: fabrics, the fail-safe, the pending root and CSR key, networks, ACLs. Only
/// the device's single-threaded core touches it.
/// </summary>
public sealed class DeviceState : IDisposable
{
    public const int SupportedFabrics = 5;

    private readonly List<DeviceFabric> _fabrics = [];
    private readonly List<DeviceNetwork> _networks = [];
    private List<DeviceNetwork> _networksBeforeFailSafe = [];

    public DeviceState(SimulatedDeviceOptions options, DeviceAttestationCredentials attestation)
    {
        Options = options;
        Attestation = attestation;
        FailSafe = new FailSafe(options.Time);
        if (options.OnNetwork)
        {
            _networks.Add(new DeviceNetwork("sim-network"u8.ToArray(), Connected: true));
        }
    }

    public SimulatedDeviceOptions Options { get; }
    public DeviceAttestationCredentials Attestation { get; }
    public FailSafe FailSafe { get; }

    public IReadOnlyList<DeviceFabric> Fabrics => _fabrics;
    public IReadOnlyList<DeviceNetwork> Networks => _networks;
    public List<AclEntry> Acl { get; } = [];

    /// <summary>The root AddTrustedRootCertificate stored, waiting for AddNOC.</summary>
    public (MatterCertificate Certificate, byte[] Tlv)? PendingRoot { get; set; }

    /// <summary>The operational key the last CSRRequest made, waiting for AddNOC.</summary>
    public ECDsa? PendingOperationalKey { get; private set; }

    public ulong Breadcrumb { get; set; }
    public byte RegulatoryConfig { get; set; }
    public string CountryCode { get; set; } = "XX";
    public bool OnOff { get; set; }
    public ushort IdentifyTime { get; set; }
    public string NodeLabel { get; set; } = "";
    public (byte Status, byte[]? NetworkId)? LastNetworking { get; set; }

    /// <summary>Raised when the fail-safe reverts or a fabric goes: the session layer closes what depended on it.</summary>
    public event Action<byte>? FabricRemoved;

    public event Action? FailSafeExpired;

    /// <summary>ConnectNetwork succeeded: the device is on its operational network. Raised under the device's lock.</summary>
    public event Action? NetworkConnected;

    /// <summary>AddNOC made a fabric (committed or not yet). Raised under the device's lock.</summary>
    public event Action<DeviceFabric>? FabricAdded;

    public void OnNetworkConnected() => NetworkConnected?.Invoke();

    public DeviceFabric? Fabric(byte index) => _fabrics.FirstOrDefault(f => f.Index == index);

    public void NewOperationalKey()
    {
        PendingOperationalKey?.Dispose();
        PendingOperationalKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    }

    /// <summary>Takes the CSR key for a new fabric (the fabric owns it from then on).</summary>
    public ECDsa TakeOperationalKey()
    {
        var key = PendingOperationalKey ?? throw new InvalidOperationException("no CSR key");
        PendingOperationalKey = null;
        return key;
    }

    public byte NextFabricIndex()
    {
        for (byte i = 1; i < 255; i++)
        {
            if (_fabrics.All(f => f.Index != i))
            {
                return i;
            }
        }

        return 0;
    }

    public void AddFabric(DeviceFabric fabric)
    {
        _fabrics.Add(fabric);
        FabricAdded?.Invoke(fabric);
    }

    public void RemoveFabric(byte index)
    {
        var fabric = Fabric(index);
        if (fabric is null)
        {
            return;
        }

        _fabrics.Remove(fabric);
        Acl.RemoveAll(e => e.FabricIndex == index);
        fabric.Dispose();
        FabricRemoved?.Invoke(index);
    }

    public void RememberNetworksForFailSafe()
    {
        if (!FailSafe.NetworksChanged)
        {
            _networksBeforeFailSafe = [.. _networks];
            FailSafe.NetworksChanged = true;
        }
    }

    public void SetNetworks(IEnumerable<DeviceNetwork> networks)
    {
        var copy = networks.ToList();
        _networks.Clear();
        _networks.AddRange(copy);
    }

    /// <summary>
    /// Ends the fail-safe. Without <paramref name="commit"/> (expiry, ArmFailSafe 0) everything added under it
    /// goes: the pending root, the uncommitted fabric with its NOC and ACL, the CSR key, network changes.
    /// </summary>
    public void EndFailSafe(bool commit)
    {
        if (!FailSafe.IsArmed)
        {
            return;
        }

        if (!commit)
        {
            if (FailSafe.AddedFabric is { } added && Fabric(added) is { Committed: false })
            {
                RemoveFabric(added);
            }

            if (FailSafe.NetworksChanged)
            {
                SetNetworks(_networksBeforeFailSafe);
            }

            Breadcrumb = 0;
        }
        else if (FailSafe.AddedFabric is { } added && Fabric(added) is { } fabric)
        {
            fabric.Committed = true;
        }

        PendingRoot = null;
        PendingOperationalKey?.Dispose();
        PendingOperationalKey = null;
        FailSafe.Disarm();
    }

    /// <summary>Checks the fail-safe timer; on expiry reverts and tells the session layer.</summary>
    public void CheckFailSafe()
    {
        if (FailSafe.IsExpired)
        {
            EndFailSafe(commit: false);
            FailSafeExpired?.Invoke();
        }
    }

    public void Dispose()
    {
        foreach (var fabric in _fabrics)
        {
            fabric.Dispose();
        }

        PendingOperationalKey?.Dispose();
    }
}
