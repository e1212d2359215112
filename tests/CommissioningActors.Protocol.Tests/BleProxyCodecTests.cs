using System.Text.Json.Nodes;
using CommissioningActors.Protocol.BleProxy;

namespace CommissioningActors.Protocol.Tests;

/// <summary>Wire shapes and round trips: each case pins the exact JSON so field names cannot drift.</summary>
public class BleProxyCodecTests
{
    private const string Fff6 = "0000fff6-0000-1000-8000-00805f9b34fb";
    private const string C1 = "18EE2EF5-263D-4559-959F-4F9C429F9D11";
    private const string C2 = "18EE2EF5-263D-4559-959F-4F9C429F9D12";
    private const string C3 = "64630238-8772-45F2-B87D-748A83218F04";

    /// <summary>Lets the wire JSON below use single quotes.</summary>
    internal static string J(string singleQuoted) => singleQuoted.Replace('\'', '"');

    private static readonly Dictionary<string, (BleCommand Command, string Wire)> Commands = new()
    {
        ["start_scan defaults"] = (new StartScan(), J("{'id':7,'command':'start_scan','args':{'allow_duplicates':true}}")),
        ["start_scan matter"] = (
            new StartScan(["fff6"], AllowDuplicates: false),
            J("{'id':7,'command':'start_scan','args':{'service_uuids':['fff6'],'allow_duplicates':false}}")),
        ["stop_scan"] = (new StopScan(), J("{'id':7,'command':'stop_scan'}")),
        ["connect"] = (
            new Connect("AA:BB:CC:DD:EE:FF", 15000),
            J("{'id':7,'command':'connect','args':{'address':'AA:BB:CC:DD:EE:FF','timeout':15000}}")),
        ["disconnect"] = (new Disconnect(3), J("{'id':7,'command':'disconnect','args':{'connection_handle':3}}")),
        ["discover_services"] = (new DiscoverServices(3), J("{'id':7,'command':'discover_services','args':{'connection_handle':3}}")),
        ["discover_characteristics"] = (
            new DiscoverCharacteristics(3, "fff6"),
            J("{'id':7,'command':'discover_characteristics','args':{'connection_handle':3,'service_uuid':'fff6'}}")),
        ["read_characteristic"] = (
            new ReadCharacteristic(3, C3),
            J($"{{'id':7,'command':'read_characteristic','args':{{'connection_handle':3,'characteristic_uuid':'{C3}'}}}}")),
        ["write_characteristic"] = (
            new WriteCharacteristic(3, C1, [1, 2, 3, 0xfb], Response: true),
            J($"{{'id':7,'command':'write_characteristic','args':{{'connection_handle':3,'characteristic_uuid':'{C1}','value':'AQID+w==','response':true}}}}")),
        ["subscribe_characteristic"] = (
            new SubscribeCharacteristic(3, C2),
            J($"{{'id':7,'command':'subscribe_characteristic','args':{{'connection_handle':3,'characteristic_uuid':'{C2}'}}}}")),
        ["write_and_subscribe"] = (
            new WriteAndSubscribe(3, C1, [0x65, 0x6c], WriteResponse: true, C2),
            J($"{{'id':7,'command':'write_and_subscribe','args':{{'connection_handle':3,'write_uuid':'{C1}','write_value':'ZWw=','write_response':true,'subscribe_uuid':'{C2}'}}}}")),
        ["unsubscribe_characteristic"] = (
            new UnsubscribeCharacteristic(3, C2),
            J($"{{'id':7,'command':'unsubscribe_characteristic','args':{{'connection_handle':3,'characteristic_uuid':'{C2}'}}}}")),
        ["request_mtu"] = (new RequestMtu(3, 247), J("{'id':7,'command':'request_mtu','args':{'connection_handle':3,'mtu':247}}")),
    };

    public static TheoryData<string> CommandCases => new(Commands.Keys);

    [Fact]
    public void Every_command_type_has_a_case()
    {
        var covered = Commands.Values.Select(c => c.Command.GetType()).ToHashSet();
        var all = typeof(BleCommand).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(BleCommand)) && !t.IsAbstract);
        Assert.All(all, t => Assert.Contains(t, covered));
        Assert.Equal(12, covered.Count);
    }

    [Theory]
    [MemberData(nameof(CommandCases))]
    public void Command_serializes_to_the_documented_wire_shape_and_parses_back(string name)
    {
        var (command, wire) = Commands[name];

        Assert.Equal(wire, BleProxyCodec.Serialize(new CommandFrame(7, command)));

        var parsed = BleProxyCodec.ParseServerMessage(wire);
        Assert.True(parsed.IsOk, parsed.Error?.ToString());
        var frame = Assert.IsType<CommandFrame>(parsed.Value);
        Assert.Equal(7, frame.Id);
        Assert.IsType(command.GetType(), frame.Command);
        Assert.Equivalent(command, frame.Command, strict: true);
        Assert.Equal(command.Name, frame.Command.Name);
    }

    [Fact]
    public void Command_defaults_apply_when_args_are_omitted()
    {
        var scan = Assert.IsType<StartScan>(Command(J("{'id':1,'command':'start_scan'}")));
        Assert.Null(scan.ServiceUuids);
        Assert.True(scan.AllowDuplicates);

        var connect = Assert.IsType<Connect>(Command(J("{'id':1,'command':'connect','args':{'address':'AA:BB'}}")));
        Assert.Equal(30000, connect.TimeoutMs);

        var write = Assert.IsType<WriteCharacteristic>(
            Command(J("{'id':1,'command':'write_characteristic','args':{'connection_handle':1,'characteristic_uuid':'fff6','value':''}}")));
        Assert.False(write.Response);
        Assert.Empty(write.Value);
    }

    [Fact]
    public void Utf8_overload_parses_the_same_command()
    {
        var (command, wire) = Commands["write_and_subscribe"];
        var parsed = BleProxyCodec.ParseServerMessage(BleProxyCodec.SerializeToUtf8Bytes(new CommandFrame(7, command)));
        Assert.True(parsed.IsOk, parsed.Error?.ToString());
        Assert.Equivalent(command, Assert.IsType<CommandFrame>(parsed.Value).Command, strict: true);
        Assert.Equal(wire, System.Text.Encoding.UTF8.GetString(BleProxyCodec.SerializeToUtf8Bytes(new CommandFrame(7, command))));
    }

    private static BleCommand Command(string wire)
    {
        var parsed = BleProxyCodec.ParseServerMessage(wire);
        Assert.True(parsed.IsOk, parsed.Error?.ToString());
        return Assert.IsType<CommandFrame>(parsed.Value).Command;
    }

    // ---- responses ----

    public static TheoryData<string> ResultCases => new(Results.Keys);

    private static readonly Dictionary<string, (BleCommand Command, BleCommandResult Result, string Wire)> Results = new()
    {
        ["connect"] = (new Connect("AA"), new ConnectResult(5, 185), J("{'id':9,'success':true,'result':{'connection_handle':5,'mtu':185}}")),
        ["discover_services"] = (
            new DiscoverServices(5),
            new ServicesResult([Fff6, "00001800-0000-1000-8000-00805f9b34fb"]),
            J($"{{'id':9,'success':true,'result':{{'services':[{{'uuid':'{Fff6}'}},{{'uuid':'00001800-0000-1000-8000-00805f9b34fb'}}]}}}}")),
        ["discover_characteristics"] = (
            new DiscoverCharacteristics(5, "fff6"),
            new CharacteristicsResult([new CharacteristicInfo(C1.ToLowerInvariant(), ["write"]), new CharacteristicInfo(C2.ToLowerInvariant(), ["read", "indicate"])]),
            J($"{{'id':9,'success':true,'result':{{'characteristics':[{{'uuid':'{C1.ToLowerInvariant()}','properties':['write']}},{{'uuid':'{C2.ToLowerInvariant()}','properties':['read','indicate']}}]}}}}")),
        ["read_characteristic value"] = (new ReadCharacteristic(5, C3), new ReadResult([0xde, 0xad]), J("{'id':9,'success':true,'result':{'value':'3q0='}}")),
        ["read_characteristic via binary"] = (new ReadCharacteristic(5, C3), new ReadResult(null), J("{'id':9,'success':true,'result':{}}")),
        ["request_mtu"] = (new RequestMtu(5, 247), new MtuResult(247), J("{'id':9,'success':true,'result':{'mtu':247}}")),
        ["empty"] = (new StopScan(), EmptyResult.Instance, J("{'id':9,'success':true,'result':{}}")),
    };

    [Theory]
    [MemberData(nameof(ResultCases))]
    public void Success_response_round_trips_with_its_typed_result(string name)
    {
        var (command, result, wire) = Results[name];

        Assert.Equal(wire, BleProxyCodec.Serialize(CommandResponse.Ok(9, result)));

        var response = Assert.IsType<CommandResponse>(ParseClient(wire));
        Assert.Equal(9, response.Id);
        Assert.True(response.Success);
        Assert.Null(response.Error);
        Assert.NotNull(response.Result);

        var decoded = BleProxyCodec.DecodeResult(command, response.Result);
        Assert.True(decoded.IsOk, decoded.Error?.ToString());
        Assert.IsType(result.GetType(), decoded.Value);
        Assert.Equivalent(result, decoded.Value, strict: true);
    }

    [Fact]
    public void Success_response_without_result_has_null_result()
    {
        var response = Assert.IsType<CommandResponse>(ParseClient(J("{'id':4,'success':true}")));
        Assert.True(response.Success);
        Assert.Null(response.Result);
        Assert.Equal(J("{'id':4,'success':true}"), BleProxyCodec.Serialize(response));
    }

    [Fact]
    public void Failure_response_round_trips()
    {
        var wire = J("{'id':12,'success':false,'error':'out_of_connection_slots','message':'no free slot (3/3)'}");
        Assert.Equal(wire, BleProxyCodec.Serialize(CommandResponse.Fail(12, BleErrorCodes.OutOfConnectionSlots, "no free slot (3/3)")));

        var response = Assert.IsType<CommandResponse>(ParseClient(wire));
        Assert.Equal(new CommandResponse(12, false, null, "out_of_connection_slots", "no free slot (3/3)"), response);
    }

    [Fact]
    public void Failure_response_without_message_gets_empty_message_and_keeps_unknown_codes()
    {
        var response = Assert.IsType<CommandResponse>(ParseClient(J("{'id':2,'success':false,'error':'some_future_code'}")));
        Assert.Equal("some_future_code", response.Error);
        Assert.Equal("", response.Message);
    }

    // ---- events ----

    [Fact]
    public void Device_discovered_round_trips_and_normalises_keys()
    {
        var wire = J("{'event':'device_discovered','data':{'address':'AA:BB:CC:DD:EE:FF','connectable':true,'name':'Matter Light','rssi':-61,"
            + "'service_data':{'FFF6':'AAECAwQFBgc='},'manufacturer_data':{'0x004C':'AQ==','65535':'Ag=='},'service_uuids':['FFF6'],'tx_power':4}}");

        var discovered = Assert.IsType<DeviceDiscovered>(ParseClient(wire));
        Assert.Equal("AA:BB:CC:DD:EE:FF", discovered.Address);
        Assert.True(discovered.Connectable);
        Assert.Equal("Matter Light", discovered.Name);
        Assert.Equal(-61, discovered.Rssi);
        Assert.Equal(new byte[] { 0, 1, 2, 3, 4, 5, 6, 7 }, Assert.Contains(Fff6, discovered.ServiceData));
        Assert.Single(discovered.ServiceData);
        Assert.Equal(new byte[] { 1 }, Assert.Contains(0x4c, discovered.ManufacturerData));
        Assert.Equal(new byte[] { 2 }, Assert.Contains(65535, discovered.ManufacturerData));
        Assert.Equal([Fff6], discovered.ServiceUuids);

        var reserialized = BleProxyCodec.Serialize(discovered);
        Assert.Equal(
            J($"{{'event':'device_discovered','data':{{'address':'AA:BB:CC:DD:EE:FF','connectable':true,'name':'Matter Light','rssi':-61,"
                + $"'service_data':{{'{Fff6}':'AAECAwQFBgc='}},'manufacturer_data':{{'76':'AQ==','65535':'Ag=='}},'service_uuids':['{Fff6}']}}}}"),
            reserialized);
        Assert.Equivalent(discovered, ParseClient(reserialized), strict: true);
    }

    [Fact]
    public void Device_discovered_with_only_required_fields_and_nulls()
    {
        var discovered = Assert.IsType<DeviceDiscovered>(
            ParseClient(J("{'event':'device_discovered','data':{'address':'AA:BB:CC:DD:EE:01','connectable':false,'name':null,'rssi':null}}")));
        Assert.Equal(new DeviceDiscovered("AA:BB:CC:DD:EE:01", false, null, null, discovered.ServiceData, discovered.ManufacturerData, discovered.ServiceUuids), discovered);
        Assert.Empty(discovered.ServiceData);
        Assert.Empty(discovered.ManufacturerData);
        Assert.Empty(discovered.ServiceUuids);
        Assert.Equal(J("{'event':'device_discovered','data':{'address':'AA:BB:CC:DD:EE:01','connectable':false}}"), BleProxyCodec.Serialize(discovered));
    }

    [Theory]
    [InlineData("{'event':'disconnected','data':{'connection_handle':4,'reason':'peer_terminated'}}")]
    [InlineData("{'event':'disconnected','data':{'connection_handle':4}}")]
    [InlineData("{'event':'scan_stopped','data':{'reason':'adapter_off'}}")]
    [InlineData("{'event':'scan_stopped','data':{}}")]
    [InlineData("{'event':'characteristic_notification','data':{'connection_handle':65535,'characteristic_uuid':'18ee2ef5-263d-4559-959f-4f9c429f9d12','value':'FWw='}}")]
    public void Event_round_trips_exactly(string singleQuoted)
    {
        var wire = J(singleQuoted);
        var message = ParseClient(wire);
        Assert.IsAssignableFrom<BleEvent>(message);
        Assert.Equal(wire, BleProxyCodec.Serialize(message));
    }

    [Fact]
    public void Event_fields_are_typed()
    {
        Assert.Equal(new Disconnected(4, "peer_terminated"), ParseClient(J("{'event':'disconnected','data':{'connection_handle':4,'reason':'peer_terminated'}}")));
        Assert.Equal(new ScanStopped("proxy_disconnected"), ParseClient(J("{'event':'scan_stopped','data':{'reason':'proxy_disconnected'}}")));
        Assert.Equal(new ScanStopped(null), ParseClient(J("{'event':'scan_stopped'}")));

        var notification = Assert.IsType<CharacteristicNotification>(
            ParseClient(J($"{{'event':'characteristic_notification','data':{{'connection_handle':2,'characteristic_uuid':'{C2}','value':'FWw='}}}}")));
        Assert.Equal(2, notification.ConnectionHandle);
        Assert.Equal(C2.ToLowerInvariant(), notification.CharacteristicUuid);
        Assert.Equal(new byte[] { 0x15, 0x6c }, notification.Value);
    }

    // ---- handshake ----

    [Fact]
    public void Hello_round_trips()
    {
        Assert.Equal(J("{'type':'hello','version':1}"), BleProxyCodec.Serialize(new Hello(1)));
        Assert.Equal(new Hello(1), ParseClient(J("{'type':'hello','version':1}")));
        Assert.Equal(new Hello(2), ParseClient(J("{'version':2,'type':'hello','client':'bleak'}")));
    }

    [Theory]
    [InlineData("{'type':'hello_response','version':1}", 1, null, null)]
    [InlineData("{'type':'hello_response','version':1,'error':'unsupported_version','message':'server speaks version 1'}", 1, "unsupported_version", "server speaks version 1")]
    public void Hello_response_round_trips(string singleQuoted, int version, string? error, string? message)
    {
        var wire = J(singleQuoted);
        var expected = new HelloResponse(version, error, message);
        Assert.Equal(wire, BleProxyCodec.Serialize(expected));
        var parsed = BleProxyCodec.ParseServerMessage(wire);
        Assert.True(parsed.IsOk, parsed.Error?.ToString());
        Assert.Equal(expected, parsed.Value);
    }

    // ---- binary frames ----

    [Theory]
    [InlineData(BinaryOpcode.WriteData)]
    [InlineData(BinaryOpcode.Notification)]
    [InlineData(BinaryOpcode.ReadResponse)]
    public void Binary_frame_round_trips_with_big_endian_handle(BinaryOpcode opcode)
    {
        var frame = new BinaryFrame(opcode, 0x1234, [0xaa, 0xbb]);
        var bytes = BleProxyCodec.Serialize(frame);
        Assert.Equal(new byte[] { (byte)opcode, 0x12, 0x34, 0xaa, 0xbb }, bytes);

        var parsed = BleProxyCodec.ParseBinary(bytes);
        Assert.True(parsed.IsOk, parsed.Error?.ToString());
        Assert.Equal(opcode, parsed.Value!.Opcode);
        Assert.Equal((ushort)0x1234, parsed.Value.ConnectionHandle);
        Assert.Equal(new byte[] { 0xaa, 0xbb }, parsed.Value.Payload);
    }

    [Fact]
    public void Binary_frame_with_empty_payload_is_three_bytes()
    {
        var parsed = BleProxyCodec.ParseBinary(new byte[] { 0x02, 0xff, 0x01 });
        Assert.True(parsed.IsOk);
        Assert.Equal((ushort)0xff01, parsed.Value!.ConnectionHandle);
        Assert.Empty(parsed.Value.Payload);
        Assert.Equal(new byte[] { 0x02, 0xff, 0x01 }, BleProxyCodec.Serialize(parsed.Value));
    }

    [Fact]
    public void Serializing_an_undefined_opcode_is_refused()
    {
        Assert.Throws<ArgumentException>(() => BleProxyCodec.Serialize(new BinaryFrame((BinaryOpcode)0x07, 1, [])));
    }

    internal static ClientMessage ParseClient(string wire)
    {
        var parsed = BleProxyCodec.ParseClientMessage(wire);
        Assert.True(parsed.IsOk, parsed.Error?.ToString());
        var bytesParsed = BleProxyCodec.ParseClientMessage(System.Text.Encoding.UTF8.GetBytes(wire));
        Assert.True(bytesParsed.IsOk, bytesParsed.Error?.ToString());
        Assert.Equal(parsed.Value!.GetType(), bytesParsed.Value!.GetType());
        return parsed.Value;
    }

    internal static JsonObject Obj(string singleQuoted) => JsonNode.Parse(J(singleQuoted))!.AsObject();
}
