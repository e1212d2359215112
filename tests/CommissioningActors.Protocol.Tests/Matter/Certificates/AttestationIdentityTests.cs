using CommissioningActors.Protocol.Matter.Certificates;

namespace CommissioningActors.Protocol.Tests.Matter.Certificates;

/// <summary>
/// The reported identity (Basic Information VendorID / ProductID) against the DAC and the certification
/// declaration: connectedhomeip's default verifier's rules, plus the DAC carrying the reported ids themselves.
/// </summary>
public sealed class AttestationIdentityTests
{
    private static CertificationDeclaration Cd(ushort vendor, ushort[] products, ushort? originVendor = null, ushort? originProduct = null) =>
        new(1, vendor, products, 0x0100, "CSA00000SWC00000-00", 0, 0, 1, 0, originVendor, originProduct, []);

    private static readonly CertificationDeclaration TestCd = Cd(0xFFF1, [0x8000]);

    [Fact]
    public void A_device_reporting_its_dacs_ids_inside_its_declaration_passes()
    {
        Assert.Null(AttestationIdentity.Check(new DeviceBasicInformation(0xFFF1, 0x8000), 0xFFF1, 0x8000, TestCd));
        Assert.Null(AttestationIdentity.Check(null, 0xFFF1, 0x8000, TestCd));
    }

    [Fact]
    public void Another_vendor_id_than_the_dacs_fails_naming_both()
    {
        Assert.Equal("VendorID mismatch: the device reports 0xFFF2 in Basic Information but its DAC carries 0xFFF1",
            AttestationIdentity.Check(new DeviceBasicInformation(0xFFF2, 0x8000), 0xFFF1, 0x8000, Cd(0xFFF2, [0x8000])));
    }

    [Fact]
    public void Another_product_id_than_the_dacs_fails_naming_both_even_when_the_declaration_lists_both()
    {
        Assert.Equal("ProductID mismatch: the device reports 0x8001 in Basic Information but its DAC carries 0x8000",
            AttestationIdentity.Check(new DeviceBasicInformation(0xFFF1, 0x8001), 0xFFF1, 0x8000, Cd(0xFFF1, [0x8000, 0x8001])));
    }

    [Fact]
    public void A_product_id_the_declaration_does_not_list_fails_naming_the_list()
    {
        Assert.Equal("ProductID mismatch: the device reports 0x8000 in Basic Information, not in its certification declaration's product_id list [0x8001, 0x8002]",
            AttestationIdentity.Check(new DeviceBasicInformation(0xFFF1, 0x8000), 0xFFF1, 0x8000, Cd(0xFFF1, [0x8001, 0x8002])));
        Assert.Equal("ProductID mismatch: the DAC carries 0x8000, not in the certification declaration's product_id list [0x8001, 0x8002]",
            AttestationIdentity.Check(null, 0xFFF1, 0x8000, Cd(0xFFF1, [0x8001, 0x8002])));
    }

    [Fact]
    public void A_vendor_id_other_than_the_declarations_fails()
    {
        Assert.Equal("VendorID mismatch: the device reports 0xFFF1 in Basic Information but its certification declaration's vendor_id is 0xFFF3",
            AttestationIdentity.Check(new DeviceBasicInformation(0xFFF1, 0x8000), 0xFFF1, 0x8000, Cd(0xFFF3, [0x8000])));
    }

    [Fact]
    public void With_a_dac_origin_the_device_reports_the_declarations_ids_and_the_dac_is_the_origins()
    {
        var origin = Cd(0xFFF2, [0x8001, 0x8002], 0xFFF1, 0x8000);

        Assert.Null(AttestationIdentity.Check(new DeviceBasicInformation(0xFFF2, 0x8002), 0xFFF1, 0x8000, origin));
        Assert.Equal("VendorID mismatch: the device reports 0xFFF1 in Basic Information but its certification declaration's vendor_id is 0xFFF2",
            AttestationIdentity.Check(new DeviceBasicInformation(0xFFF1, 0x8000), 0xFFF1, 0x8000, origin));
        Assert.Equal("ProductID mismatch: the DAC carries 0x8003 but the certification declaration's dac_origin_product_id is 0x8000",
            AttestationIdentity.Check(new DeviceBasicInformation(0xFFF2, 0x8001), 0xFFF1, 0x8003, origin));
        Assert.Equal("VendorID mismatch: the DAC carries 0xFFF3 but the certification declaration's dac_origin_vendor_id is 0xFFF1",
            AttestationIdentity.Check(new DeviceBasicInformation(0xFFF2, 0x8001), 0xFFF3, 0x8000, origin));
    }

    [Fact]
    public void A_long_product_list_is_named_by_its_first_entries()
    {
        var many = Enumerable.Range(0x9000, 100).Select(i => (ushort)i).ToArray();

        var reason = AttestationIdentity.Check(new DeviceBasicInformation(0xFFF1, 0x8000), 0xFFF1, 0x8000, Cd(0xFFF1, many));

        Assert.EndsWith("[0x9000, 0x9001, 0x9002, 0x9003, 0x9004, 0x9005, 0x9006, 0x9007, ... (100 in all)]", reason);
    }
}
