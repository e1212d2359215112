namespace CommissioningActors.Protocol.Matter;

/// <summary>Matter-over-BLE GATT constants (normalised lowercase dashed form).</summary>
public static class MatterBle
{
    public const string ServiceUuid = "0000fff6-0000-1000-8000-00805f9b34fb";
    public const string ShortServiceUuid = "fff6";
    public const string C1WriteUuid = "18ee2ef5-263d-4559-959f-4f9c429f9d11";
    public const string C2IndicateUuid = "18ee2ef5-263d-4559-959f-4f9c429f9d12";
    public const string C3AdditionalDataUuid = "64630238-8772-45f2-b87d-748a83218f04";
}
