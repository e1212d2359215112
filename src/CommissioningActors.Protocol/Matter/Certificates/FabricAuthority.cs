using System.Security.Cryptography;
using CommissioningActors.Protocol.Matter.Crypto;

namespace CommissioningActors.Protocol.Matter.Certificates;

/// <summary>
/// Our fabric's root CA: its key pair and RCAC, issuing NOCs straight from the root (no ICAC) for devices
/// (from their CSR) and for our own controller. The root key is a secret: persist it with
/// <see cref="ExportRootKeyPkcs8"/> under owner-only permissions, never log it. Not thread-safe: one owner
/// (the fabric registry) issues at a time.
/// </summary>
public sealed class FabricAuthority : IDisposable
{
    public const ulong MaxOperationalNodeId = 0xFFFF_FFEF_FFFF_FFFF;
    public const int MaxCaseAuthenticatedTags = 3;

    /// <summary>Back-dated like matter.js does, so a device whose clock runs behind still accepts them.</summary>
    private static readonly TimeSpan Backdate = TimeSpan.FromDays(365);

    private readonly ECDsa _rootKey;
    private readonly TimeProvider _time;

    private FabricAuthority(ulong fabricId, ECDsa rootKey, MatterCertificate root, TimeProvider time)
    {
        FabricId = fabricId;
        _rootKey = rootKey;
        RootCertificate = root;
        _time = time;
    }

    public ulong FabricId { get; }
    public MatterCertificate RootCertificate { get; }
    public ulong RcacId => RootCertificate.SubjectId(DnAttributeType.MatterRcacId)!.Value;

    /// <summary>A new fabric: a fresh P-256 root key and a self-signed RCAC with no expiration.</summary>
    public static FabricAuthority Create(ulong fabricId, ulong rcacId, TimeProvider? time = null)
    {
        RequireFabricId(fabricId);
        time ??= TimeProvider.System;
        var key = EcdsaP256.CreateKey();
        var publicKey = EcdsaP256.PublicKeyOf(key);
        var keyId = KeyIdOf(publicKey);
        IReadOnlyList<DnAttribute> dn = [DnAttribute.RcacId(rcacId)];
        var root = new MatterCertificate(
            NewSerialNumber(), dn, NotBefore(time), null, dn, publicKey,
            [
                new BasicConstraintsExtension(IsCa: true),
                new KeyUsageExtension(KeyUsages.KeyCertSign | KeyUsages.CrlSign),
                new SubjectKeyIdExtension(keyId),
                new AuthorityKeyIdExtension(keyId),
            ]).SignWith(key);
        return new FabricAuthority(fabricId, key, root, time);
    }

    /// <summary>Reloads a persisted fabric, checking that the key and the RCAC belong together.</summary>
    public static CryptoResult<FabricAuthority> Restore(
        ulong fabricId, ReadOnlySpan<byte> rootKeyPkcs8, ReadOnlySpan<byte> rootCertificateDer, TimeProvider? time = null)
    {
        var root = MatterCertificateDerReader.Decode(rootCertificateDer);
        if (!root.IsOk)
        {
            return root.Error!;
        }

        var key = EcdsaP256.CreateKey();
        try
        {
            key.ImportPkcs8PrivateKey(rootKeyPkcs8, out _);
        }
        catch (CryptographicException)
        {
            key.Dispose();
            return CryptoResult<FabricAuthority>.Fail(CryptoErrorKind.Malformed, "the stored root key is not a PKCS#8 P-256 key");
        }

        var certificate = root.Value!;
        if (!EcdsaP256.PublicKeyOf(key).AsSpan().SequenceEqual(certificate.PublicKey) ||
            !certificate.IsSignedBy(certificate.PublicKey) ||
            certificate.SubjectId(DnAttributeType.MatterRcacId) is null)
        {
            key.Dispose();
            return CryptoResult<FabricAuthority>.Fail(CryptoErrorKind.InvalidSignature, "the stored root key and RCAC do not belong together");
        }

        return CryptoResult<FabricAuthority>.Ok(new FabricAuthority(fabricId, key, certificate, time ?? TimeProvider.System));
    }

    /// <summary>The root private key for storage. Secret.</summary>
    public byte[] ExportRootKeyPkcs8() => _rootKey.ExportPkcs8PrivateKey();

    /// <summary>Verifies a device's CSR and issues its NOC for the key the CSR proves it holds.</summary>
    public CryptoResult<MatterCertificate> IssueNocFromCsr(ReadOnlySpan<byte> csr, ulong nodeId, IReadOnlyList<uint>? caseAuthenticatedTags = null)
    {
        var publicKey = CertificateSigningRequest.VerifyAndGetPublicKey(csr);
        return publicKey.IsOk
            ? CryptoResult<MatterCertificate>.Ok(IssueNoc(publicKey.Value!, nodeId, caseAuthenticatedTags))
            : publicKey.Error!;
    }

    /// <summary>A NOC for a public key: subject node id, fabric id and CATs, issued by the root.</summary>
    public MatterCertificate IssueNoc(ReadOnlySpan<byte> publicKey, ulong nodeId, IReadOnlyList<uint>? caseAuthenticatedTags = null)
    {
        RequireNodeId(nodeId);
        var cats = caseAuthenticatedTags ?? [];
        RequireCats(cats);
        if (!P256.DecodePeerPoint(publicKey, "the NOC public key").IsOk)
        {
            throw new ArgumentException("the NOC public key must be a valid uncompressed P-256 point", nameof(publicKey));
        }

        var key = publicKey.ToArray();
        List<DnAttribute> subject = [DnAttribute.NodeId(nodeId), DnAttribute.FabricId(FabricId)];
        subject.AddRange(cats.Select(DnAttribute.CaseAuthenticatedTag));
        return new MatterCertificate(
            NewSerialNumber(), RootCertificate.Subject, NotBefore(_time), null, subject, key,
            [
                new BasicConstraintsExtension(IsCa: false),
                new KeyUsageExtension(KeyUsages.DigitalSignature),
                new ExtendedKeyUsageExtension([KeyPurpose.ClientAuth, KeyPurpose.ServerAuth]),
                new SubjectKeyIdExtension(KeyIdOf(key)),
                new AuthorityKeyIdExtension(RootCertificate.SubjectKeyId!),
            ]).SignWith(_rootKey);
    }

    /// <summary>Our controller's own operational identity: a new key pair and its NOC.</summary>
    public OperationalIdentity IssueControllerIdentity(ulong nodeId, IReadOnlyList<uint>? caseAuthenticatedTags = null)
    {
        var key = EcdsaP256.CreateKey();
        return new OperationalIdentity(key, IssueNoc(EcdsaP256.PublicKeyOf(key), nodeId, caseAuthenticatedTags));
    }

    public void Dispose() => _rootKey.Dispose();

    public override string ToString() => $"FabricAuthority(fabric {FabricId:X16}, rcac {RcacId:X16})";

    /// <summary>RFC 5280 method 1: SHA-1 over the public key bits, as connectedhomeip derives key ids.</summary>
    internal static byte[] KeyIdOf(byte[] publicKey) => SHA1.HashData(publicKey);

    private static DateTimeOffset NotBefore(TimeProvider time)
    {
        var now = time.GetUtcNow();
        return new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, now.Second, TimeSpan.Zero) - Backdate;
    }

    /// <summary>8 random bytes, positive and without a leading zero so DER and TLV agree byte for byte.</summary>
    private static byte[] NewSerialNumber()
    {
        var serial = RandomNumberGenerator.GetBytes(8);
        serial[0] = (byte)((serial[0] & 0x7F) | 0x01);
        return serial;
    }

    private static void RequireFabricId(ulong fabricId)
    {
        if (fabricId == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(fabricId), "fabric id 0 is reserved");
        }
    }

    private static void RequireNodeId(ulong nodeId)
    {
        if (nodeId is 0 or > MaxOperationalNodeId)
        {
            throw new ArgumentOutOfRangeException(nameof(nodeId), "not an operational node id");
        }
    }

    private static void RequireCats(IReadOnlyList<uint> cats)
    {
        if (cats.Count > MaxCaseAuthenticatedTags)
        {
            throw new ArgumentException($"at most {MaxCaseAuthenticatedTags} CASE Authenticated Tags", nameof(cats));
        }

        if (cats.Any(c => (c & 0xFFFF) == 0) || cats.Select(c => c >> 16).Distinct().Count() != cats.Count)
        {
            throw new ArgumentException("CASE Authenticated Tags need a non-zero version and distinct identifiers", nameof(cats));
        }
    }
}

/// <summary>An operational key pair with its NOC (our controller's identity for CASE). The key is secret.</summary>
public sealed class OperationalIdentity(ECDsa key, MatterCertificate noc) : IDisposable
{
    public ECDsa Key { get; } = key;
    public MatterCertificate Noc { get; } = noc;

    public void Dispose() => Key.Dispose();

    public override string ToString() => $"OperationalIdentity(node {Noc.SubjectId(DnAttributeType.MatterNodeId):X16})";
}
