using System.Security.Cryptography;

namespace CommissioningActors.Simulator.Matter;

/// <summary>
/// What a simulated device attests with: its DAC (and key), the PAI, and the certification declaration. The
/// shipped set is public test data (connectedhomeip's test DAC for vendor 0xFFF1 / product 0x8000, chained to the
/// development PAA the service trusts, and the published test declaration for that product; plus connectedhomeip's
/// second test declaration, vendor 0xFFF2 / products 0x8001, 0x8002 with DAC origin 0xFFF1 / 0x8000, which lets
/// the same DAC attest those products).
/// </summary>
public sealed class DeviceAttestationCredentials : IDisposable
{
    public const ushort TestVendorId = 0xFFF1;
    public const ushort TestProductId = 0x8000;

    /// <summary>The vendor whose products 0x8001 and 0x8002 the second test declaration covers with the test DAC.</summary>
    public const ushort OriginTestVendorId = 0xFFF2;
    private const string Prefix = "SimAttestation/";

    private static readonly Lazy<(byte[] Dac, byte[] Pai, byte[] Cd, byte[] Key)> Shipped = new(() => (
        Resource("Chip-Test-DAC-FFF1-8000-0000-Cert.der"),
        Resource("Matter-Test-PAI-FFF1-8000-Cert.der"),
        Resource("Chip-Test-CD-FFF1-8000.cms"),
        Resource("Chip-Test-DAC-FFF1-8000-0000-Key.pk8")));

    private static readonly Lazy<byte[]> OriginCd = new(() => Resource("Chip-Test-CD-FFF2-8001-8002-Origin-FFF1-8000.cms"));

    private readonly ECDsa _dacKey;

    public DeviceAttestationCredentials(byte[] dac, byte[] pai, byte[] certificationDeclaration, ECDsa dacKey)
    {
        Dac = dac;
        Pai = pai;
        CertificationDeclaration = certificationDeclaration;
        _dacKey = dacKey;
    }

    public byte[] Dac { get; }
    public byte[] Pai { get; }
    public byte[] CertificationDeclaration { get; }

    /// <summary>The shipped test credentials (vendor 0xFFF1, product 0x8000); each call owns its key.</summary>
    public static DeviceAttestationCredentials Test() => For(TestVendorId, TestProductId);

    /// <summary>
    /// The shipped credentials for a device reporting <paramref name="vendorId"/> / <paramref name="productId"/>:
    /// the declaration that covers them if one ships, else the 0xFFF1 / 0x8000 set. The device still reports its
    /// configured ids, so a commissioner's identity check refuses a device no shipped DAC matches. Each call owns its key.
    /// </summary>
    public static DeviceAttestationCredentials For(ushort vendorId, ushort productId)
    {
        var shipped = Shipped.Value;
        var cd = vendorId == OriginTestVendorId && productId is 0x8001 or 0x8002 ? OriginCd.Value : shipped.Cd;
        var key = ECDsa.Create();
        key.ImportPkcs8PrivateKey(shipped.Key, out _);
        return new DeviceAttestationCredentials(shipped.Dac, shipped.Pai, cd, key);
    }

    /// <summary>ECDSA P-256 / SHA-256 over <paramref name="message"/> with the DAC key, raw r || s.</summary>
    public byte[] Sign(ReadOnlySpan<byte> message) =>
        _dacKey.SignData(message, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    public void Dispose() => _dacKey.Dispose();

    private static byte[] Resource(string name)
    {
        using var stream = typeof(DeviceAttestationCredentials).Assembly.GetManifestResourceStream(Prefix + name)
            ?? throw new InvalidOperationException($"missing embedded attestation resource {name}");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }
}
