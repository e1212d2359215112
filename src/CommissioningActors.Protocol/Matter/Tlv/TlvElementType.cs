namespace CommissioningActors.Protocol.Matter.Tlv;

/// <summary>Control-byte layout of Matter TLV: tag control in the top 3 bits, element type in the low 5.</summary>
internal static class TlvControl
{
    public const byte SignedInt1 = 0x00;
    public const byte UnsignedInt1 = 0x04;
    public const byte False = 0x08;
    public const byte True = 0x09;
    public const byte Float = 0x0A;
    public const byte Double = 0x0B;
    public const byte Utf8Length1 = 0x0C;
    public const byte BytesLength1 = 0x10;
    public const byte Null = 0x14;
    public const byte Structure = 0x15;
    public const byte Array = 0x16;
    public const byte List = 0x17;
    public const byte EndOfContainer = 0x18;

    public const byte TypeMask = 0x1F;
    public const int TagControlShift = 5;

    // Tag control values (top 3 bits).
    public const byte TagAnonymous = 0;
    public const byte TagContext = 1;
    public const byte TagCommon2 = 2;
    public const byte TagCommon4 = 3;
    public const byte TagImplicit2 = 4;
    public const byte TagImplicit4 = 5;
    public const byte TagFullyQualified6 = 6;
    public const byte TagFullyQualified8 = 7;

    /// <summary>0 → 1 byte, 1 → 2, 2 → 4, 3 → 8: the width code in the low two bits of ints and strings.</summary>
    public static int Width(int code) => 1 << code;

    public static int WidthCode(ulong value) => value switch
    {
        <= byte.MaxValue => 0,
        <= ushort.MaxValue => 1,
        <= uint.MaxValue => 2,
        _ => 3,
    };

    public static int WidthCode(long value) => value switch
    {
        >= sbyte.MinValue and <= sbyte.MaxValue => 0,
        >= short.MinValue and <= short.MaxValue => 1,
        >= int.MinValue and <= int.MaxValue => 2,
        _ => 3,
    };
}
