using System.Buffers.Binary;

namespace CommissioningActors.Protocol.Matter;

/// <summary>
/// Matter BLE advertisement service data (key <c>fff6</c>): opcode 0x00, discriminator (12 bit) and
/// advertisement version (4 bit) as u16 LE, vendor id u16 LE, product id u16 LE, flags.
/// </summary>
public sealed record MatterAdvertisement(
    ushort Discriminator,
    byte AdvertisementVersion,
    ushort VendorId,
    ushort ProductId,
    bool HasAdditionalData)
{
    public const int Length = 8;
    public const byte CommissionableOpcode = 0x00;
    public const ushort MaxDiscriminator = 0x0FFF;
    private const byte AdditionalDataFlag = 0x01;

    /// <summary>The upper 4 bits of the 12-bit discriminator: all a manual pairing code carries.</summary>
    public byte ShortDiscriminator => (byte)((Discriminator >> 8) & 0x0F);

    /// <summary>Whether this device is the one a setup code points at.</summary>
    public bool Matches(ushort discriminator, bool isShort) =>
        isShort ? ShortDiscriminator == discriminator : Discriminator == discriminator;

    public bool Matches(SetupPayload payload) => Matches(payload.Discriminator, payload.IsShortDiscriminator);

    public static Parsed<MatterAdvertisement> Parse(ReadOnlySpan<byte> serviceData)
    {
        if (serviceData.Length < Length)
        {
            return Parsed<MatterAdvertisement>.Fail(ParseErrorKind.FrameTooShort,
                $"Matter advertisement needs {Length} bytes, got {serviceData.Length}");
        }

        if (serviceData[0] != CommissionableOpcode)
        {
            return Parsed<MatterAdvertisement>.Fail(ParseErrorKind.UnknownOpcode,
                $"Matter advertisement opcode 0x{serviceData[0]:X2} is not commissionable (0x00)");
        }

        // Longer service data is tolerated: later spec revisions may append fields.
        var discriminatorAndVersion = BinaryPrimitives.ReadUInt16LittleEndian(serviceData[1..]);
        return Parsed<MatterAdvertisement>.Ok(new MatterAdvertisement(
            Discriminator: (ushort)(discriminatorAndVersion & MaxDiscriminator),
            AdvertisementVersion: (byte)(discriminatorAndVersion >> 12),
            VendorId: BinaryPrimitives.ReadUInt16LittleEndian(serviceData[3..]),
            ProductId: BinaryPrimitives.ReadUInt16LittleEndian(serviceData[5..]),
            HasAdditionalData: (serviceData[7] & AdditionalDataFlag) != 0));
    }

    public byte[] Encode()
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Discriminator, MaxDiscriminator, nameof(Discriminator));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(AdvertisementVersion, (byte)0x0F, nameof(AdvertisementVersion));

        var bytes = new byte[Length];
        bytes[0] = CommissionableOpcode;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(1), (ushort)(Discriminator | (AdvertisementVersion << 12)));
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(3), VendorId);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(5), ProductId);
        bytes[7] = HasAdditionalData ? AdditionalDataFlag : (byte)0;
        return bytes;
    }
}
