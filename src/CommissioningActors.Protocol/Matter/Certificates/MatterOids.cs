namespace CommissioningActors.Protocol.Matter.Certificates;

/// <summary>Object identifiers Matter certificates use (Matter core spec, appendix on certificates).</summary>
public static class MatterOids
{
    // 1.3.6.1.4.1.37244.1.x: operational certificate DN attributes.
    public const string NodeId = "1.3.6.1.4.1.37244.1.1";
    public const string FirmwareSigningId = "1.3.6.1.4.1.37244.1.2";
    public const string IcacId = "1.3.6.1.4.1.37244.1.3";
    public const string RcacId = "1.3.6.1.4.1.37244.1.4";
    public const string FabricId = "1.3.6.1.4.1.37244.1.5";
    public const string CaseAuthenticatedTag = "1.3.6.1.4.1.37244.1.6";

    // 1.3.6.1.4.1.37244.2.x: attestation certificate DN attributes.
    public const string VendorId = "1.3.6.1.4.1.37244.2.1";
    public const string ProductId = "1.3.6.1.4.1.37244.2.2";

    public const string EcPublicKey = "1.2.840.10045.2.1";
    public const string Prime256v1 = "1.2.840.10045.3.1.7";
    public const string EcdsaWithSha256 = "1.2.840.10045.4.3.2";

    public const string BasicConstraints = "2.5.29.19";
    public const string KeyUsage = "2.5.29.15";
    public const string ExtendedKeyUsage = "2.5.29.37";
    public const string SubjectKeyIdentifier = "2.5.29.14";
    public const string AuthorityKeyIdentifier = "2.5.29.35";

    public const string DomainComponent = "0.9.2342.19200300.100.1.25";
}
