namespace CommissioningActors.Protocol.Matter;

/// <summary>How a device expects to be put into commissioning mode.</summary>
public enum CommissioningFlow : byte
{
    Standard = 0,
    UserIntent = 1,
    Custom = 2,
}

/// <summary>Transports a device is discoverable on (QR codes only).</summary>
[Flags]
public enum RendezvousFlags : byte
{
    None = 0,
    SoftAp = 1 << 0,
    Ble = 1 << 1,
    OnNetwork = 1 << 2,
    WiFiPaf = 1 << 3,
}

/// <summary>
/// What a Matter setup code carries. Manual codes carry only the 4-bit short discriminator
/// (<see cref="IsShortDiscriminator"/> true, <see cref="Discriminator"/> 0..15) and no rendezvous information.
/// </summary>
public sealed record SetupPayload(
    uint Passcode,
    ushort Discriminator,
    bool IsShortDiscriminator,
    ushort? VendorId = null,
    ushort? ProductId = null,
    CommissioningFlow CommissioningFlow = CommissioningFlow.Standard,
    RendezvousFlags? RendezvousInformation = null,
    byte Version = 0)
{
    /// <summary>The upper 4 bits of the 12-bit discriminator, whichever form this payload holds.</summary>
    public byte ShortDiscriminator =>
        IsShortDiscriminator ? (byte)(Discriminator & 0x0F) : (byte)((Discriminator >> 8) & 0x0F);

    // The passcode is the device's secret: keep it out of logs.
    public override string ToString() =>
        $"SetupPayload {{ Passcode = <redacted>, Discriminator = {Discriminator}, IsShortDiscriminator = {IsShortDiscriminator}, "
        + $"VendorId = {VendorId}, ProductId = {ProductId}, CommissioningFlow = {CommissioningFlow}, "
        + $"RendezvousInformation = {RendezvousInformation}, Version = {Version} }}";
}
