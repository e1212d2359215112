namespace CommissioningActors.Protocol.Tests.Matter.Certificates;

/// <summary>
/// A published test attestation chain: connectedhomeip credentials/test/attestation Chip-Test-DAC-FFF1-8000-0000
/// (certificate and key), issued by the Matter specification's example PAI (VID 0xFFF1, PID 0x8000), issued by
/// the development PAA Chip-Test-PAA-FFF1 that the service ships. Public test credentials.
/// </summary>
public static class AttestationVectors
{
    public const string DacPem = """
        -----BEGIN CERTIFICATE-----
        MIIB6TCCAY+gAwIBAgIIG9Y4GPFEp5cwCgYIKoZIzj0EAwIwRjEYMBYGA1UEAwwP
        TWF0dGVyIFRlc3QgUEFJMRQwEgYKKwYBBAGConwCAQwERkZGMTEUMBIGCisGAQQB
        gqJ8AgIMBDgwMDAwIBcNMjEwNjI4MTQyMzQzWhgPOTk5OTEyMzEyMzU5NTlaMEsx
        HTAbBgNVBAMMFE1hdHRlciBUZXN0IERBQyAwMDAwMRQwEgYKKwYBBAGConwCAQwE
        RkZGMTEUMBIGCisGAQQBgqJ8AgIMBDgwMDAwWTATBgcqhkjOPQIBBggqhkjOPQMB
        BwNCAAT8oTjJK3bhzROHPBnqGXKYSFV4wV230pjRhCX8aEPNUIAo72N0uwvdCTwq
        DUPG1tLGexArzyBwMdpswOMWT+A1o2AwXjAMBgNVHRMBAf8EAjAAMA4GA1UdDwEB
        /wQEAwIHgDAdBgNVHQ4EFgQU5XCI9Ejm/5/iAJdEUov57AgvwR8wHwYDVR0jBBgw
        FoAUr0K3CU3r1RXsbs8zuBEVIl8yUogwCgYIKoZIzj0EAwIDSAAwRQIgBW7jMFwb
        LoDiJguE1FKOUtrvC4Ab1JLoPveGT8USjEwCIQDph/Qb+Pq+SBBV253a+Kd1VSQs
        OLXNjr7WcwaNdVKy/Q==
        -----END CERTIFICATE-----
        """;

    public const string DacKeyPem = """
        -----BEGIN EC PRIVATE KEY-----
        MHcCAQEEICHy4+QgwHAXNIEEaba60VzzBngiyaSllsGG+pvvFT+hoAoGCCqGSM49
        AwEHoUQDQgAE/KE4ySt24c0ThzwZ6hlymEhVeMFdt9KY0YQl/GhDzVCAKO9jdLsL
        3Qk8Kg1DxtbSxnsQK88gcDHabMDjFk/gNQ==
        -----END EC PRIVATE KEY-----
        """;

    public const string PaiPem = """
        -----BEGIN CERTIFICATE-----
        MIIB1DCCAXqgAwIBAgIIPmzmUJrYQM0wCgYIKoZIzj0EAwIwMDEYMBYGA1UEAwwP
        TWF0dGVyIFRlc3QgUEFBMRQwEgYKKwYBBAGConwCAQwERkZGMTAgFw0yMTA2Mjgx
        NDIzNDNaGA85OTk5MTIzMTIzNTk1OVowRjEYMBYGA1UEAwwPTWF0dGVyIFRlc3Qg
        UEFJMRQwEgYKKwYBBAGConwCAQwERkZGMTEUMBIGCisGAQQBgqJ8AgIMBDgwMDAw
        WTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAASA3fEbIo8+MfY7z1eY2hRiOuu96C7z
        eO6tv7GP4avOMdCO1LIGBLbMxtm1+rZOfeEMt0vgF8nsFRYFbXDyzQsio2YwZDAS
        BgNVHRMBAf8ECDAGAQH/AgEAMA4GA1UdDwEB/wQEAwIBBjAdBgNVHQ4EFgQUr0K3
        CU3r1RXsbs8zuBEVIl8yUogwHwYDVR0jBBgwFoAUav0idx9RH+y/FkGXZxDc3DGh
        cX4wCgYIKoZIzj0EAwIDSAAwRQIhAJbJyM8uAYhgBdj1vHLAe3X9mldpWsSRETET
        i+oDPOUDAiAlVJQ75X1T1sR199I+v8/CA2zSm6Y5PsfvrYcUq3GCGQ==
        -----END CERTIFICATE-----
        """;

    /// <summary>Chip-Test-PAA-FFF1-Cert, the same certificate the service ships as a development PAA.</summary>
    public const string PaaFff1Pem = """
        -----BEGIN CERTIFICATE-----
        MIIBvTCCAWSgAwIBAgIITqjoMYLUHBwwCgYIKoZIzj0EAwIwMDEYMBYGA1UEAwwP
        TWF0dGVyIFRlc3QgUEFBMRQwEgYKKwYBBAGConwCAQwERkZGMTAgFw0yMTA2Mjgx
        NDIzNDNaGA85OTk5MTIzMTIzNTk1OVowMDEYMBYGA1UEAwwPTWF0dGVyIFRlc3Qg
        UEFBMRQwEgYKKwYBBAGConwCAQwERkZGMTBZMBMGByqGSM49AgEGCCqGSM49AwEH
        A0IABLbLY3KIfyko9brIGqnZOuJDHK2p154kL2UXfvnO2TKijs0Duq9qj8oYShpQ
        NUKWDUU/MD8fGUIddR6Pjxqam3WjZjBkMBIGA1UdEwEB/wQIMAYBAf8CAQEwDgYD
        VR0PAQH/BAQDAgEGMB0GA1UdDgQWBBRq/SJ3H1Ef7L8WQZdnENzcMaFxfjAfBgNV
        HSMEGDAWgBRq/SJ3H1Ef7L8WQZdnENzcMaFxfjAKBggqhkjOPQQDAgNHADBEAiBQ
        qoAC9NkyqaAFOPZTaK0P/8jvu8m+t9pWmDXPmqdRDgIgI7rI/g8j51RFtlM5CBpH
        mUkpxyqvChVI1A0DTVFLJd4=
        -----END CERTIFICATE-----
        """;
}
