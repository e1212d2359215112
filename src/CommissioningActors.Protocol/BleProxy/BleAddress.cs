namespace CommissioningActors.Protocol.BleProxy;

/// <summary>
/// The peripheral addresses a proxy may report: a BLE MAC (<c>AA:BB:CC:DD:EE:FF</c>, either case), or the
/// platform identifier some stacks report instead of a MAC (macOS CoreBluetooth: a UUID,
/// <c>8-4-4-4-12</c> hex digits). Anything else is a bad frame: addresses are keys in memory and appear in
/// logs, so arbitrary strings from a peer are not accepted as one.
/// </summary>
public static class BleAddress
{
    public const int MacLength = 17;
    public const int UuidLength = 36;

    public static bool IsValid(string? address) => address is not null && (IsMac(address) || IsPlatformUuid(address));

    public static bool IsMac(string address)
    {
        if (address.Length != MacLength)
        {
            return false;
        }

        for (var i = 0; i < MacLength; i++)
        {
            var ok = i % 3 == 2 ? address[i] == ':' : char.IsAsciiHexDigit(address[i]);
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    public static bool IsPlatformUuid(string address)
    {
        if (address.Length != UuidLength)
        {
            return false;
        }

        for (var i = 0; i < UuidLength; i++)
        {
            var ok = i is 8 or 13 or 18 or 23 ? address[i] == '-' : char.IsAsciiHexDigit(address[i]);
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }
}
