using System.Security.Cryptography;
using CommissioningActors.Protocol.Matter.Certificates;
using CommissioningActors.Protocol.Matter.InteractionModel;
using CommissioningActors.Simulator.Matter;

namespace CommissioningActors.Simulator.Tests.Matter;

/// <summary>GeneralCommissioning and OperationalCredentials semantics: the fail-safe and what it takes back.</summary>
public sealed class CommissioningClusterTests : IDisposable
{
    private readonly DeviceHarness _device = new();

    public void Dispose() => _device.Dispose();

    [Fact]
    public void A_fabric_added_under_the_fail_safe_is_removed_by_ArmFailSafe_0_with_its_root_NOC_and_ACL()
    {
        Assert.Equal(0UL, DeviceHarness.Code(_device.Arm()));
        var noc = _device.JoinFabric();
        Assert.Equal((ulong)NodeOperationalCertStatus.Ok, DeviceHarness.Code(noc));
        Assert.Single(_device.State.Fabrics);
        Assert.Single(_device.State.Acl);
        Assert.Single(_device.Read(0, ClusterIds.OperationalCredentials, 4).AsContainer()!);

        Assert.Equal(0UL, DeviceHarness.Code(_device.Arm(0)));

        Assert.Empty(_device.State.Fabrics);
        Assert.Empty(_device.State.Acl);
        Assert.Empty(_device.Read(0, ClusterIds.OperationalCredentials, 4).AsContainer()!);
        Assert.False(_device.State.FailSafe.IsArmed);
        Assert.Equal(0UL, _device.Read(0, ClusterIds.GeneralCommissioning, 0).AsUnsigned());
    }

    [Fact]
    public void Fail_safe_expiry_reverts_an_uncommitted_fabric_and_a_pending_root()
    {
        _device.Arm(30);
        _device.JoinFabric();
        _device.Time.Advance(TimeSpan.FromSeconds(29));
        _device.State.CheckFailSafe();
        Assert.Single(_device.State.Fabrics);

        _device.Time.Advance(TimeSpan.FromSeconds(2));
        _device.State.CheckFailSafe();

        Assert.Empty(_device.State.Fabrics);
        Assert.Null(_device.State.PendingRoot);
        Assert.False(_device.State.FailSafe.IsArmed);
    }

    [Fact]
    public void Re_arming_extends_the_fail_safe_but_never_past_the_cumulative_maximum()
    {
        _device.Arm(60);
        for (var i = 0; i < 17; i++)
        {
            _device.Time.Advance(TimeSpan.FromSeconds(50));
            _device.State.CheckFailSafe();
            _device.Arm(60);
        }

        Assert.True(_device.State.FailSafe.IsArmed);
        // 850 s in, asking for 60 more: capped at 900 s after the first arming.
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 15, 0, TimeSpan.Zero), _device.State.FailSafe.Expiry);
    }

    [Fact]
    public void CommissioningComplete_from_the_new_fabric_commits_it_so_a_later_expiry_keeps_it()
    {
        _device.Arm();
        _device.JoinFabric();
        var fabric = _device.Context.FabricIndex;
        Assert.NotEqual(0, fabric);

        Assert.Equal(0UL, DeviceHarness.Code(_device.Invoke(GeneralCommissioningCommands.CommissioningComplete())));
        _device.Time.Advance(TimeSpan.FromMinutes(30));
        _device.State.CheckFailSafe();

        Assert.True(Assert.Single(_device.State.Fabrics).Committed);
        Assert.Equal(fabric, _device.Read(0, ClusterIds.OperationalCredentials, 5).AsUnsigned());
        Assert.Single(_device.Read(0, ClusterIds.OperationalCredentials, 1).AsContainer()!);
    }

    [Fact]
    public void CommissioningComplete_needs_an_armed_fail_safe_and_the_fabric_that_armed_it()
    {
        Assert.Equal((ulong)CommissioningError.NoFailSafe, DeviceHarness.Code(_device.Invoke(GeneralCommissioningCommands.CommissioningComplete())));
        _device.Arm();
        Assert.Equal((ulong)CommissioningError.InvalidAuthentication, DeviceHarness.Code(_device.Invoke(GeneralCommissioningCommands.CommissioningComplete())));
    }

    [Fact]
    public void Certificate_commands_without_an_armed_fail_safe_answer_FAILSAFE_REQUIRED()
    {
        Assert.Equal(ImStatusCode.FailsafeRequired, _device.Invoke(OperationalCredentialsCommands.CsrRequest(new byte[32])).Status.Status);
        Assert.Equal(ImStatusCode.FailsafeRequired, _device.Invoke(OperationalCredentialsCommands.AddTrustedRootCertificate(
            CommissioningCredentials.BuildAddTrustedRoot(_device.Authority))).Status.Status);
    }

    [Fact]
    public void AddNOC_is_refused_without_a_CSR_for_another_key_and_for_a_NOC_of_another_root()
    {
        _device.Arm();
        using var other = FabricAuthority.Create(0x1234, 2);
        using var stranger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var foreignKeyNoc = MatterCertificateTlv.Encode(_device.Authority.IssueNoc(Protocol.Matter.Crypto.EcdsaP256.PublicKeyOf(stranger), 5));
        Assert.Equal((ulong)NodeOperationalCertStatus.MissingCsr,
            DeviceHarness.Code(_device.Invoke(OperationalCredentialsCommands.AddNoc(foreignKeyNoc, [], _device.Ipk, 0x99, 0xFFF1))));

        _device.Invoke(OperationalCredentialsCommands.CsrRequest(new byte[32]));
        _device.Invoke(OperationalCredentialsCommands.AddTrustedRootCertificate(CommissioningCredentials.BuildAddTrustedRoot(_device.Authority)));
        Assert.Equal((ulong)NodeOperationalCertStatus.InvalidPublicKey,
            DeviceHarness.Code(_device.Invoke(OperationalCredentialsCommands.AddNoc(foreignKeyNoc, [], _device.Ipk, 0x99, 0xFFF1))));
        var otherRootNoc = MatterCertificateTlv.Encode(other.IssueNoc(Protocol.Matter.Crypto.EcdsaP256.PublicKeyOf(stranger), 5));
        Assert.Equal((ulong)NodeOperationalCertStatus.InvalidNoc,
            DeviceHarness.Code(_device.Invoke(OperationalCredentialsCommands.AddNoc(otherRootNoc, [], _device.Ipk, 0x99, 0xFFF1))));
        Assert.Empty(_device.State.Fabrics);
    }

    [Fact]
    public void Malformed_root_certificate_and_short_nonce_get_failing_statuses()
    {
        _device.Arm();
        Assert.Equal(ImStatusCode.InvalidCommand, _device.Invoke(OperationalCredentialsCommands.AddTrustedRootCertificate([1, 2, 3])).Status.Status);
        var shortNonce = OperationalCredentialsCommands.CsrRequest(new byte[32]) with
        {
            Fields = Tlv.Struct(Tlv.Bytes(new byte[5], 0)),
        };
        Assert.Throws<CommandFieldException>(() => _device.Invoke(shortNonce));
    }

    [Fact]
    public void RemoveFabric_removes_a_committed_fabric_and_its_ACL()
    {
        _device.Arm();
        _device.JoinFabric();
        _device.Invoke(GeneralCommissioningCommands.CommissioningComplete());
        var index = _device.Context.FabricIndex;

        Assert.Equal((ulong)NodeOperationalCertStatus.InvalidFabricIndex, DeviceHarness.Code(_device.Invoke(OperationalCredentialsCommands.RemoveFabric(77))));
        Assert.Equal((ulong)NodeOperationalCertStatus.Ok, DeviceHarness.Code(_device.Invoke(OperationalCredentialsCommands.RemoveFabric(index))));
        Assert.Empty(_device.State.Fabrics);
        Assert.Empty(_device.State.Acl);
    }

    [Fact]
    public void The_attestation_response_and_certificate_chain_pass_the_services_own_verifier()
    {
        var result = Attest(_device);

        Assert.True(result.IsOk, result.Error?.Message);
        Assert.True(result.Value!.IsDevelopmentDevice);
        Assert.Equal((ushort)0xFFF1, result.Value.VendorId);
    }

    public static TheoryData<int> DefaultDeviceIndexes => [0, 1, 2];

    [Theory]
    [MemberData(nameof(DefaultDeviceIndexes))]
    public void Every_default_device_reports_ids_its_attestation_covers(int index)
    {
        var radio = DefaultDevices.All[index];
        using var device = new DeviceHarness(new SimulatedDeviceOptions { VendorId = radio.VendorId, ProductId = radio.ProductId });

        var result = Attest(device);

        Assert.True(result.IsOk, result.Error?.Message);
    }

    [Fact]
    public void A_device_configured_for_a_product_no_shipped_dac_carries_still_reports_it_and_fails_the_identity_check()
    {
        using var device = new DeviceHarness(new SimulatedDeviceOptions { ProductId = 0x8001 });

        Assert.Equal(0x8001UL, device.Read(0, 0x28, 4).AsUnsigned());
        var result = Attest(device);

        Assert.Equal("ProductID mismatch: the device reports 0x8001 in Basic Information but its DAC carries 0x8000", result.Error?.Message);
    }

    /// <summary>The device's DAC, PAI and attestation response through the service's verifier, with the ids it reports.</summary>
    private static Protocol.Matter.Crypto.CryptoResult<AttestationResult> Attest(DeviceHarness device)
    {
        var nonce = RandomNumberGenerator.GetBytes(32);
        var dac = device.Invoke(OperationalCredentialsCommands.CertificateChainRequest(CertificateChainType.Dac)).Fields!.AsContainer()![0].AsBytes()!.Value;
        var pai = device.Invoke(OperationalCredentialsCommands.CertificateChainRequest(CertificateChainType.Pai)).Fields!.AsContainer()![0].AsBytes()!.Value;
        var response = AttestationResponse.Parse(device.Invoke(OperationalCredentialsCommands.AttestationRequest(nonce)).Fields!);
        Assert.True(response.IsOk);
        var vendor = (ushort)device.Read(0, 0x28, 2).AsUnsigned()!.Value;
        var product = (ushort)device.Read(0, 0x28, 4).AsUnsigned()!.Value;
        using var paas = PaaTrustStore.Load();

        return AttestationVerifier.Verify(paas, CertificationDeclarationSigners.Default, dac.Span, pai.Span,
            response.Value!.AttestationElements.Span, response.Value.AttestationSignature.Span, DeviceHarness.Challenge, nonce,
            new DeviceBasicInformation(vendor, product), device.Time.GetUtcNow());
    }

    [Theory]
    [InlineData(DeviceFaultStep.ArmFailSafe)]
    [InlineData(DeviceFaultStep.AddNoc)]
    [InlineData(DeviceFaultStep.CsrRequest)]
    public void The_fault_knob_fails_the_chosen_step(DeviceFaultStep step)
    {
        using var device = new DeviceHarness(new SimulatedDeviceOptions { Fault = step });
        var armed = device.Arm();
        if (step == DeviceFaultStep.ArmFailSafe)
        {
            Assert.Equal((ulong)CommissioningError.BusyWithOtherAdmin, DeviceHarness.Code(armed));
            return;
        }

        Assert.Equal(0UL, DeviceHarness.Code(armed));
        if (step == DeviceFaultStep.CsrRequest)
        {
            Assert.Equal(ImStatusCode.Failure, device.Invoke(OperationalCredentialsCommands.CsrRequest(new byte[32])).Status.Status);
            return;
        }

        var nonce = new byte[32];
        var csr = device.Invoke(OperationalCredentialsCommands.CsrRequest(nonce)).Fields!.AsContainer()!;
        var issued = CommissioningCredentials.IssueNocFor(csr[0].AsBytes()!.Value.Span, csr[1].AsBytes()!.Value.Span, 5, device.Authority, device.Ipk,
            nonce, DeviceHarness.Challenge, device.State.Attestation.Dac);
        device.Invoke(OperationalCredentialsCommands.AddTrustedRootCertificate(CommissioningCredentials.BuildAddTrustedRoot(device.Authority)));
        Assert.Equal((ulong)NodeOperationalCertStatus.InvalidNoc,
            DeviceHarness.Code(device.Invoke(OperationalCredentialsCommands.AddNoc(issued.Value!.NocTlv, [], device.Ipk, 0x99, 0xFFF1))));
        Assert.Empty(device.State.Fabrics);
    }
}
