using System.Collections.Frozen;
using System.Text.Json;
using static CommissioningActors.Protocol.BleProxy.StrictJson;

namespace CommissioningActors.Protocol.BleProxy;

/// <summary>
/// How one command travels: its wire name, how its args are read (from a server frame) and written, and how its
/// success result is read. A new command is a record in BleCommands.cs plus one entry here.
/// </summary>
/// <param name="WriteArgs">Writes the properties inside "args"; null = the command sends no "args" at all.</param>
/// <param name="ReadResult">Reads a success result; null = the result is {} (EmptyResult), whatever arrives.</param>
/// <param name="ResultWhenAbsent">The result when a success carries none; null = a result is required.</param>
internal sealed record BleCommandEntry(
    string Name,
    Type CommandType,
    Func<JsonElement, string, BleCommand> ReadArgs,
    Action<Utf8JsonWriter, BleCommand>? WriteArgs,
    Func<JsonElement, string, BleCommandResult>? ReadResult = null,
    BleCommandResult? ResultWhenAbsent = null);

internal static class BleCommandTable
{
    /// <summary>Connect timeout when the args carry none, in milliseconds.</summary>
    private const int DefaultConnectTimeoutMs = 30000;

    // Defaults are written explicitly so third-party clients need not know them.
    public static readonly IReadOnlyList<BleCommandEntry> All =
    [
        Entry<StartScan>("start_scan",
            (args, path) => new StartScan(
                OptionalUuidArray(args, "service_uuids", path, normalize: false),
                OptionalBool(args, "allow_duplicates", path) ?? true),
            (w, c) =>
            {
                if (c.ServiceUuids is not null)
                {
                    WriteStringArray(w, "service_uuids", c.ServiceUuids);
                }

                w.WriteBoolean("allow_duplicates", c.AllowDuplicates);
            }),
        Entry<StopScan>("stop_scan", (_, _) => new StopScan(), write: null),
        Entry<Connect>("connect",
            (args, path) => new Connect(
                RequiredNonEmptyString(args, "address", path),
                OptionalPositiveInt(args, "timeout", path) ?? DefaultConnectTimeoutMs),
            (w, c) =>
            {
                w.WriteString("address", c.Address);
                w.WriteNumber("timeout", c.TimeoutMs);
            },
            (result, path) => new ConnectResult(
                RequiredHandle(result, path), OptionalPositiveInt(result, "mtu", path) ?? BleProxyCodec.DefaultAttMtu)),
        Entry<Disconnect>("disconnect",
            (args, path) => new Disconnect(RequiredHandle(args, path)),
            (w, c) => WriteHandle(w, c.ConnectionHandle)),
        Entry<DiscoverServices>("discover_services",
            (args, path) => new DiscoverServices(RequiredHandle(args, path)),
            (w, c) => WriteHandle(w, c.ConnectionHandle),
            (result, path) => new ServicesResult(ReadServices(result, path))),
        Entry<DiscoverCharacteristics>("discover_characteristics",
            (args, path) => new DiscoverCharacteristics(RequiredHandle(args, path), RequiredUuid(args, "service_uuid", path)),
            (w, c) =>
            {
                WriteHandle(w, c.ConnectionHandle);
                w.WriteString("service_uuid", c.ServiceUuid);
            },
            (result, path) => new CharacteristicsResult(ReadCharacteristics(result, path))),
        Entry<ReadCharacteristic>("read_characteristic",
            (args, path) => new ReadCharacteristic(RequiredHandle(args, path), RequiredCharacteristic(args, path)),
            (w, c) => WriteHandleAndCharacteristic(w, c.ConnectionHandle, c.CharacteristicUuid),
            (result, path) => new ReadResult(OptionalBase64(result, "value", path)),
            resultWhenAbsent: new ReadResult(null)),
        Entry<WriteCharacteristic>("write_characteristic",
            (args, path) => new WriteCharacteristic(
                RequiredHandle(args, path),
                RequiredCharacteristic(args, path),
                RequiredBase64(args, "value", path),
                OptionalBool(args, "response", path) ?? false),
            (w, c) =>
            {
                WriteHandleAndCharacteristic(w, c.ConnectionHandle, c.CharacteristicUuid);
                w.WriteBase64String("value", c.Value);
                w.WriteBoolean("response", c.Response);
            }),
        Entry<SubscribeCharacteristic>("subscribe_characteristic",
            (args, path) => new SubscribeCharacteristic(RequiredHandle(args, path), RequiredCharacteristic(args, path)),
            (w, c) => WriteHandleAndCharacteristic(w, c.ConnectionHandle, c.CharacteristicUuid)),
        Entry<WriteAndSubscribe>("write_and_subscribe",
            (args, path) => new WriteAndSubscribe(
                RequiredHandle(args, path),
                RequiredUuid(args, "write_uuid", path),
                RequiredBase64(args, "write_value", path),
                RequiredBool(args, "write_response", path),
                RequiredUuid(args, "subscribe_uuid", path)),
            (w, c) =>
            {
                WriteHandle(w, c.ConnectionHandle);
                w.WriteString("write_uuid", c.WriteUuid);
                w.WriteBase64String("write_value", c.WriteValue);
                w.WriteBoolean("write_response", c.WriteResponse);
                w.WriteString("subscribe_uuid", c.SubscribeUuid);
            }),
        Entry<UnsubscribeCharacteristic>("unsubscribe_characteristic",
            (args, path) => new UnsubscribeCharacteristic(RequiredHandle(args, path), RequiredCharacteristic(args, path)),
            (w, c) => WriteHandleAndCharacteristic(w, c.ConnectionHandle, c.CharacteristicUuid)),
        Entry<RequestMtu>("request_mtu",
            (args, path) => new RequestMtu(RequiredHandle(args, path), RequiredPositiveInt(args, "mtu", path)),
            (w, c) =>
            {
                WriteHandle(w, c.ConnectionHandle);
                w.WriteNumber("mtu", c.Mtu);
            },
            (result, path) => new MtuResult(RequiredPositiveInt(result, "mtu", path))),
    ];

    private static readonly FrozenDictionary<string, BleCommandEntry> ByName =
        All.ToFrozenDictionary(e => e.Name, StringComparer.Ordinal);

    private static readonly FrozenDictionary<Type, BleCommandEntry> ByType = All.ToFrozenDictionary(e => e.CommandType);

    public static BleCommandEntry? Find(string name) => ByName.GetValueOrDefault(name);

    public static BleCommandEntry? Find(BleCommand command) => ByType.GetValueOrDefault(command.GetType());

    private static BleCommandEntry Entry<T>(
        string name,
        Func<JsonElement, string, T> read,
        Action<Utf8JsonWriter, T>? write,
        Func<JsonElement, string, BleCommandResult>? readResult = null,
        BleCommandResult? resultWhenAbsent = null)
        where T : BleCommand =>
        new(name, typeof(T), read, write is null ? null : (w, c) => write(w, (T)c), readResult, resultWhenAbsent);

    private static string RequiredCharacteristic(JsonElement args, string path) => RequiredUuid(args, "characteristic_uuid", path);

    private static void WriteHandle(Utf8JsonWriter w, int handle) => w.WriteNumber("connection_handle", handle);

    private static void WriteHandleAndCharacteristic(Utf8JsonWriter w, int handle, string characteristicUuid)
    {
        WriteHandle(w, handle);
        w.WriteString("characteristic_uuid", characteristicUuid);
    }

    internal static void WriteStringArray(Utf8JsonWriter w, string name, IReadOnlyList<string> values)
    {
        w.WriteStartArray(name);
        foreach (var value in values)
        {
            w.WriteStringValue(value);
        }

        w.WriteEndArray();
    }

    private static List<string> ReadServices(JsonElement result, string path) =>
        RequiredObjectArray(result, "services", path, (item, itemPath) => BleUuid.Normalize(RequiredUuid(item, "uuid", itemPath)));

    private static List<CharacteristicInfo> ReadCharacteristics(JsonElement result, string path) =>
        RequiredObjectArray(result, "characteristics", path, (item, itemPath) => new CharacteristicInfo(
            BleUuid.Normalize(RequiredUuid(item, "uuid", itemPath)),
            OptionalStringArray(item, "properties", itemPath) ?? []));
}
