using CommissioningActors.Protocol.BleProxy;
using static CommissioningActors.Protocol.Tests.BleProxyCodecTests;

namespace CommissioningActors.Protocol.Tests;

public class BleProxyCodecDecodeResultTests
{
    private static T Decode<T>(BleCommand command, string? singleQuotedResult)
        where T : BleCommandResult
    {
        var decoded = BleProxyCodec.DecodeResult(command, singleQuotedResult is null ? null : Obj(singleQuotedResult));
        Assert.True(decoded.IsOk, decoded.Error?.ToString());
        return Assert.IsType<T>(decoded.Value);
    }

    private static ParseError DecodeFails(BleCommand command, string? singleQuotedResult)
    {
        var decoded = BleProxyCodec.DecodeResult(command, singleQuotedResult is null ? null : Obj(singleQuotedResult));
        Assert.False(decoded.IsOk);
        Assert.Null(decoded.Value);
        return decoded.Error!;
    }

    [Fact]
    public void Connect_reads_handle_and_mtu()
    {
        Assert.Equal(new ConnectResult(7, 247), Decode<ConnectResult>(new Connect("AA"), "{'connection_handle':7,'mtu':247,'extra':true}"));
    }

    [Fact]
    public void Connect_without_mtu_defaults_to_23()
    {
        Assert.Equal(new ConnectResult(0, 23), Decode<ConnectResult>(new Connect("AA"), "{'connection_handle':0}"));
    }

    [Fact]
    public void Discover_services_normalises_every_form()
    {
        var result = Decode<ServicesResult>(
            new DiscoverServices(1),
            "{'services':[{'uuid':'FFF6'},{'uuid':'0000180A00001000800000805F9B34FB'},{'uuid':'18EE2EF5-263D-4559-959F-4F9C429F9D11'}]}");
        Assert.Equal(
            ["0000fff6-0000-1000-8000-00805f9b34fb", "0000180a-0000-1000-8000-00805f9b34fb", "18ee2ef5-263d-4559-959f-4f9c429f9d11"],
            result.ServiceUuids);
    }

    [Fact]
    public void Discover_characteristics_normalises_uuids_and_keeps_properties()
    {
        var result = Decode<CharacteristicsResult>(
            new DiscoverCharacteristics(1, "fff6"),
            "{'characteristics':[{'uuid':'18EE2EF5263D4559959F4F9C429F9D11','properties':['write','write-without-response']},{'uuid':'2a00'}]}");
        Assert.Equal(2, result.Characteristics.Count);
        Assert.Equal("18ee2ef5-263d-4559-959f-4f9c429f9d11", result.Characteristics[0].Uuid);
        Assert.Equal(["write", "write-without-response"], result.Characteristics[0].Properties);
        Assert.Equal("00002a00-0000-1000-8000-00805f9b34fb", result.Characteristics[1].Uuid);
        Assert.Empty(result.Characteristics[1].Properties);
    }

    [Theory]
    [InlineData("{'value':'AQI='}", new byte[] { 1, 2 })]
    [InlineData("{'value':''}", new byte[0])]
    [InlineData("{}", null)]
    [InlineData("{'value':null}", null)]
    [InlineData(null, null)]
    public void Read_characteristic_value_is_null_when_a_binary_frame_carries_it(string? result, byte[]? expected)
    {
        Assert.Equal(expected, Decode<ReadResult>(new ReadCharacteristic(1, "2a00"), result).Value);
    }

    [Fact]
    public void Request_mtu_reads_mtu()
    {
        Assert.Equal(new MtuResult(185), Decode<MtuResult>(new RequestMtu(1, 247), "{'mtu':185}"));
    }

    public static TheoryData<BleCommand> EmptyResultCommands =>
    [
        new StartScan(),
        new StopScan(),
        new Disconnect(1),
        new WriteCharacteristic(1, "fff6", [1]),
        new SubscribeCharacteristic(1, "fff6"),
        new WriteAndSubscribe(1, "fff6", [1], true, "fff6"),
        new UnsubscribeCharacteristic(1, "fff6"),
    ];

    [Theory]
    [MemberData(nameof(EmptyResultCommands))]
    public void Other_commands_decode_to_EmptyResult_from_empty_null_or_extra_fields(BleCommand command)
    {
        Assert.Same(EmptyResult.Instance, Decode<EmptyResult>(command, "{}"));
        Assert.Same(EmptyResult.Instance, Decode<EmptyResult>(command, null));
        Assert.Same(EmptyResult.Instance, Decode<EmptyResult>(command, "{'future':1}"));
    }

    [Theory]
    [InlineData("connect", "{'connection_handle':'1','mtu':23}", ParseErrorKind.WrongType, "connection_handle")]
    [InlineData("connect", "{'connection_handle':1,'mtu':true}", ParseErrorKind.WrongType, "mtu")]
    [InlineData("connect", "{'mtu':23}", ParseErrorKind.MissingField, "connection_handle")]
    [InlineData("connect", "{'connection_handle':70000}", ParseErrorKind.InvalidValue, "connection_handle")]
    [InlineData("connect", "{'connection_handle':1.5}", ParseErrorKind.WrongType, "connection_handle")]
    [InlineData("connect", null, ParseErrorKind.MissingField, "result")]
    [InlineData("services", "{'services':{}}", ParseErrorKind.WrongType, "services")]
    [InlineData("services", "{'services':['fff6']}", ParseErrorKind.WrongType, "services[0]")]
    [InlineData("services", "{'services':[{'uuid':'nope'}]}", ParseErrorKind.InvalidValue, "uuid")]
    [InlineData("services", "{'services':[{'uuid':42}]}", ParseErrorKind.WrongType, "uuid")]
    [InlineData("services", "{}", ParseErrorKind.MissingField, "services")]
    [InlineData("characteristics", "{'characteristics':[{'uuid':'fff6','properties':'read'}]}", ParseErrorKind.WrongType, "properties")]
    [InlineData("characteristics", "{'characteristics':[{'uuid':'fff6','properties':[1]}]}", ParseErrorKind.WrongType, "properties[0]")]
    [InlineData("characteristics", "{'characteristics':[{'properties':[]}]}", ParseErrorKind.MissingField, "uuid")]
    [InlineData("read", "{'value':'not base64!'}", ParseErrorKind.InvalidValue, "value")]
    [InlineData("read", "{'value':[1,2]}", ParseErrorKind.WrongType, "value")]
    [InlineData("mtu", "{'mtu':'247'}", ParseErrorKind.WrongType, "mtu")]
    [InlineData("mtu", "{'mtu':0}", ParseErrorKind.InvalidValue, "mtu")]
    [InlineData("mtu", "{}", ParseErrorKind.MissingField, "mtu")]
    public void Bad_results_are_rejected_naming_the_field(string kind, string? result, ParseErrorKind expected, string field)
    {
        BleCommand command = kind switch
        {
            "connect" => new Connect("AA"),
            "services" => new DiscoverServices(1),
            "characteristics" => new DiscoverCharacteristics(1, "fff6"),
            "read" => new ReadCharacteristic(1, "2a00"),
            _ => new RequestMtu(1, 247),
        };
        var error = DecodeFails(command, result);
        Assert.Equal(expected, error.Kind);
        Assert.Contains(field, error.Message);
        Assert.Contains(command.Name, error.Message);
    }
}
