namespace CommissioningActors.Protocol.BleProxy;

/// <summary>UUID normalisation: short (fff6), 128-bit dashed (any case) and 128-bit undashed all map to lowercase dashed 128-bit.</summary>
public static class BleUuid
{
    public static bool TryNormalize(string? uuid, out string normalized) => throw new NotImplementedException();

    /// <summary>Throws ArgumentException for input that is not a UUID in any accepted form.</summary>
    public static string Normalize(string uuid) => throw new NotImplementedException();

    public static bool AreEqual(string? a, string? b) => throw new NotImplementedException();
}
