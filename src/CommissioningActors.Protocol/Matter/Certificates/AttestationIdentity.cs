namespace CommissioningActors.Protocol.Matter.Certificates;

/// <summary>
/// Does the identity the device reports (Basic Information VendorID / ProductID) agree with its DAC and its
/// certification declaration? Core spec 6.2.3.1, as connectedhomeip's default verifier applies it: the CD's
/// vendor_id is the reported VendorID and its product_id list holds the reported ProductID; the DAC's VID/PID
/// are the CD's (or its dac_origin_vendor_id / dac_origin_product_id when present). Without a DAC origin the
/// DAC also carries the reported VID/PID themselves, so a device cannot claim another product than the one its
/// DAC was issued for. Vendor and product ids are not secrets: the reasons name both values in hex.
/// </summary>
public static class AttestationIdentity
{
    /// <summary>Null when everything agrees, else why not. <paramref name="reported"/> null: only the DAC against the CD.</summary>
    public static string? Check(DeviceBasicInformation? reported, ushort dacVendorId, ushort dacProductId, CertificationDeclaration cd)
    {
        var products = Hex(cd.ProductIds);
        if (reported is { } basic)
        {
            // With a DAC origin the DAC legitimately belongs to another vendor's product line (the CD says which).
            if (cd.DacOriginVendorId is null && basic.VendorId != dacVendorId)
            {
                return $"VendorID mismatch: the device reports 0x{basic.VendorId:X4} in Basic Information but its DAC carries 0x{dacVendorId:X4}";
            }

            if (cd.DacOriginVendorId is null && basic.ProductId != dacProductId)
            {
                return $"ProductID mismatch: the device reports 0x{basic.ProductId:X4} in Basic Information but its DAC carries 0x{dacProductId:X4}";
            }

            if (basic.VendorId != cd.VendorId)
            {
                return $"VendorID mismatch: the device reports 0x{basic.VendorId:X4} in Basic Information but its certification declaration's vendor_id is 0x{cd.VendorId:X4}";
            }

            if (!cd.ProductIds.Contains(basic.ProductId))
            {
                return $"ProductID mismatch: the device reports 0x{basic.ProductId:X4} in Basic Information, not in its certification declaration's product_id list [{products}]";
            }
        }

        if (cd is { DacOriginVendorId: { } originVendor, DacOriginProductId: { } originProduct })
        {
            return dacVendorId != originVendor
                ? $"VendorID mismatch: the DAC carries 0x{dacVendorId:X4} but the certification declaration's dac_origin_vendor_id is 0x{originVendor:X4}"
                : dacProductId != originProduct
                    ? $"ProductID mismatch: the DAC carries 0x{dacProductId:X4} but the certification declaration's dac_origin_product_id is 0x{originProduct:X4}"
                    : null;
        }

        return dacVendorId != cd.VendorId
            ? $"VendorID mismatch: the DAC carries 0x{dacVendorId:X4} but the certification declaration's vendor_id is 0x{cd.VendorId:X4}"
            : !cd.ProductIds.Contains(dacProductId)
                ? $"ProductID mismatch: the DAC carries 0x{dacProductId:X4}, not in the certification declaration's product_id list [{products}]"
                : null;
    }

    /// <summary>The CD may list up to 100 products: the reason names the first few.</summary>
    private static string Hex(IReadOnlyList<ushort> ids) =>
        string.Join(", ", ids.Take(8).Select(id => $"0x{id:X4}")) + (ids.Count > 8 ? $", ... ({ids.Count} in all)" : "");
}
