using System.Text;
using CommissioningActors.Protocol.BleProxy;
using static CommissioningActors.Protocol.Tests.BleProxyCodecTests;

namespace CommissioningActors.Protocol.Tests;

/// <summary>One theory per class of bad input; both overloads (string and UTF-8) must agree.</summary>
public class BleProxyCodecRejectionTests
{
    private static ParseError ClientFails(string wire, int maxBytes = BleProxyCodec.DefaultMaxFrameBytes)
    {
        var fromString = BleProxyCodec.ParseClientMessage(wire, maxBytes);
        var fromBytes = BleProxyCodec.ParseClientMessage(Encoding.UTF8.GetBytes(wire), maxBytes);
        Assert.False(fromString.IsOk, $"accepted: {wire}");
        Assert.False(fromBytes.IsOk, $"accepted as UTF-8: {wire}");
        Assert.Null(fromString.Value);
        Assert.Equal(fromString.Error!.Kind, fromBytes.Error!.Kind);
        return fromString.Error;
    }

    private static ParseError ServerFails(string wire, int maxBytes = BleProxyCodec.DefaultMaxFrameBytes)
    {
        var fromString = BleProxyCodec.ParseServerMessage(wire, maxBytes);
        var fromBytes = BleProxyCodec.ParseServerMessage(Encoding.UTF8.GetBytes(wire), maxBytes);
        Assert.False(fromString.IsOk, $"accepted: {wire}");
        Assert.False(fromBytes.IsOk, $"accepted as UTF-8: {wire}");
        Assert.Equal(fromString.Error!.Kind, fromBytes.Error!.Kind);
        return fromString.Error;
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("{'type':'hello','version':1")]
    [InlineData("{'type':'hello','version':1} trailing")]
    [InlineData("{type:'hello'}")]
    [InlineData("{'type':'hello','version':1,}")]
    [InlineData("{'id':1,'id':2,'success':true}")]
    public void Malformed_json_is_rejected(string wire)
    {
        Assert.Equal(ParseErrorKind.MalformedJson, ClientFails(J(wire)).Kind);
        Assert.Equal(ParseErrorKind.MalformedJson, ServerFails(J(wire)).Kind);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("1")]
    [InlineData("'hello'")]
    [InlineData("null")]
    [InlineData("true")]
    public void Non_object_top_level_is_rejected(string wire)
    {
        Assert.Equal(ParseErrorKind.WrongType, ClientFails(J(wire)).Kind);
        Assert.Equal(ParseErrorKind.WrongType, ServerFails(J(wire)).Kind);
    }

    [Theory]
    [InlineData("{'id':'1','success':true}", "id")]
    [InlineData("{'id':1.5,'success':true}", "id")]
    [InlineData("{'id':1,'success':'yes'}", "success")]
    [InlineData("{'id':1,'success':1}", "success")]
    [InlineData("{'id':1,'success':true,'result':[]}", "result")]
    [InlineData("{'id':1,'success':false,'error':5}", "error")]
    [InlineData("{'id':1,'success':false,'error':'timeout','message':{}}", "message")]
    [InlineData("{'type':'hello','version':'1'}", "version")]
    [InlineData("{'type':1}", "type")]
    [InlineData("{'event':null,'data':{}}", "event")]
    [InlineData("{'event':'scan_stopped','data':[]}", "data")]
    [InlineData("{'event':'device_discovered','data':{'address':42,'connectable':true}}", "address")]
    [InlineData("{'event':'device_discovered','data':{'address':'AA:BB:CC:DD:EE:FF','connectable':'true'}}", "connectable")]
    [InlineData("{'event':'device_discovered','data':{'address':'AA:BB:CC:DD:EE:FF','connectable':true,'rssi':'-60'}}", "rssi")]
    [InlineData("{'event':'device_discovered','data':{'address':'AA:BB:CC:DD:EE:FF','connectable':true,'name':7}}", "name")]
    [InlineData("{'event':'device_discovered','data':{'address':'AA:BB:CC:DD:EE:FF','connectable':true,'service_data':[]}}", "service_data")]
    [InlineData("{'event':'device_discovered','data':{'address':'AA:BB:CC:DD:EE:FF','connectable':true,'service_data':{'fff6':[0,1]}}}", "service_data")]
    [InlineData("{'event':'device_discovered','data':{'address':'AA:BB:CC:DD:EE:FF','connectable':true,'service_uuids':'fff6'}}", "service_uuids")]
    [InlineData("{'event':'disconnected','data':{'connection_handle':'1'}}", "connection_handle")]
    [InlineData("{'event':'characteristic_notification','data':{'connection_handle':1,'characteristic_uuid':'fff6','value':1}}", "value")]
    public void Wrong_json_types_are_rejected_naming_the_field(string wire, string field)
    {
        var error = ClientFails(J(wire));
        Assert.Equal(ParseErrorKind.WrongType, error.Kind);
        Assert.Contains(field, error.Message);
    }

    [Theory]
    [InlineData("{'type':'hello'}", "version")]
    [InlineData("{'id':1}", "success")]
    [InlineData("{'id':1,'success':false,'message':'boom'}", "error")]
    [InlineData("{'event':'device_discovered','data':{'connectable':true}}", "address")]
    [InlineData("{'event':'device_discovered','data':{'address':'AA:BB:CC:DD:EE:FF'}}", "connectable")]
    [InlineData("{'event':'device_discovered'}", "address")]
    [InlineData("{'event':'disconnected','data':{'reason':'x'}}", "connection_handle")]
    [InlineData("{'event':'characteristic_notification','data':{'connection_handle':1,'value':''}}", "characteristic_uuid")]
    [InlineData("{'event':'characteristic_notification','data':{'connection_handle':1,'characteristic_uuid':'fff6'}}", "value")]
    public void Missing_required_fields_are_rejected_naming_the_field(string wire, string field)
    {
        var error = ClientFails(J(wire));
        Assert.Equal(ParseErrorKind.MissingField, error.Kind);
        Assert.Contains(field, error.Message);
    }

    [Theory]
    [InlineData("{'id':1,'success':false,'error':''}", "error")]
    [InlineData("{'id':4294967296,'success':true}", "id")]
    [InlineData("{'event':'device_discovered','data':{'address':'','connectable':true}}", "address")]
    [InlineData("{'event':'device_discovered','data':{'address':'AA:BB:CC:DD:EE:FF\\n[ERR] forged','connectable':true}}", "address")]
    [InlineData("{'event':'device_discovered','data':{'address':'AA:BB:CC:DD:EE:FF','connectable':true,'service_data':{'zz':'AA=='}}}", "service_data")]
    [InlineData("{'event':'device_discovered','data':{'address':'AA:BB:CC:DD:EE:FF','connectable':true,'service_data':{'fff6':'***'}}}", "service_data")]
    [InlineData("{'event':'device_discovered','data':{'address':'AA:BB:CC:DD:EE:FF','connectable':true,'manufacturer_data':{'acme':'AA=='}}}", "manufacturer_data")]
    [InlineData("{'event':'device_discovered','data':{'address':'AA:BB:CC:DD:EE:FF','connectable':true,'manufacturer_data':{'65536':'AA=='}}}", "manufacturer_data")]
    [InlineData("{'event':'device_discovered','data':{'address':'AA:BB:CC:DD:EE:FF','connectable':true,'manufacturer_data':{'-1':'AA=='}}}", "manufacturer_data")]
    [InlineData("{'event':'device_discovered','data':{'address':'AA:BB:CC:DD:EE:FF','connectable':true,'manufacturer_data':{'0x':'AA=='}}}", "manufacturer_data")]
    [InlineData("{'event':'device_discovered','data':{'address':'AA:BB:CC:DD:EE:FF','connectable':true,'service_uuids':['fff6','bogus']}}", "service_uuids[1]")]
    [InlineData("{'event':'disconnected','data':{'connection_handle':65536}}", "connection_handle")]
    [InlineData("{'event':'disconnected','data':{'connection_handle':-1}}", "connection_handle")]
    [InlineData("{'event':'characteristic_notification','data':{'connection_handle':1,'characteristic_uuid':'fff6','value':'A'}}", "value")]
    [InlineData("{'event':'characteristic_notification','data':{'connection_handle':1,'characteristic_uuid':'c2','value':''}}", "characteristic_uuid")]
    public void Invalid_values_are_rejected_naming_the_field(string wire, string field)
    {
        var error = ClientFails(J(wire));
        Assert.Equal(ParseErrorKind.InvalidValue, error.Kind);
        Assert.Contains(field, error.Message);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{'foo':1}")]
    [InlineData("{'type':'bogus'}")]
    [InlineData("{'type':'hello_response','version':1}")]
    [InlineData("{'event':'device_lost','data':{}}")]
    public void Unknown_client_messages_are_rejected(string wire)
    {
        Assert.Equal(ParseErrorKind.UnknownMessage, ClientFails(J(wire)).Kind);
    }

    [Theory]
    [InlineData("{}", ParseErrorKind.UnknownMessage, "")]
    [InlineData("{'type':'hello','version':1}", ParseErrorKind.UnknownMessage, "hello")]
    [InlineData("{'id':1,'command':'pair'}", ParseErrorKind.UnknownMessage, "pair")]
    [InlineData("{'id':1,'success':true}", ParseErrorKind.UnknownMessage, "")]
    [InlineData("{'command':'stop_scan'}", ParseErrorKind.MissingField, "id")]
    [InlineData("{'id':'1','command':'stop_scan'}", ParseErrorKind.WrongType, "id")]
    [InlineData("{'id':1,'command':7}", ParseErrorKind.WrongType, "command")]
    [InlineData("{'id':1,'command':'connect','args':[]}", ParseErrorKind.WrongType, "args")]
    [InlineData("{'id':1,'command':'connect','args':{}}", ParseErrorKind.MissingField, "address")]
    [InlineData("{'id':1,'command':'connect','args':{'address':'AA:BB:CC:DD:EE:FF','timeout':'5'}}", ParseErrorKind.WrongType, "timeout")]
    [InlineData("{'id':1,'command':'connect','args':{'address':'AA:BB:CC:DD:EE:FF','timeout':0}}", ParseErrorKind.InvalidValue, "timeout")]
    [InlineData("{'id':1,'command':'start_scan','args':{'allow_duplicates':'no'}}", ParseErrorKind.WrongType, "allow_duplicates")]
    [InlineData("{'id':1,'command':'start_scan','args':{'service_uuids':['matter']}}", ParseErrorKind.InvalidValue, "service_uuids[0]")]
    [InlineData("{'id':1,'command':'disconnect'}", ParseErrorKind.MissingField, "connection_handle")]
    [InlineData("{'id':1,'command':'discover_characteristics','args':{'connection_handle':1,'service_uuid':'x'}}", ParseErrorKind.InvalidValue, "service_uuid")]
    [InlineData("{'id':1,'command':'write_characteristic','args':{'connection_handle':1,'characteristic_uuid':'fff6','value':'%%'}}", ParseErrorKind.InvalidValue, "value")]
    [InlineData("{'id':1,'command':'write_and_subscribe','args':{'connection_handle':1,'write_uuid':'fff6','write_value':'','subscribe_uuid':'fff6'}}", ParseErrorKind.MissingField, "write_response")]
    [InlineData("{'id':1,'command':'request_mtu','args':{'connection_handle':1}}", ParseErrorKind.MissingField, "mtu")]
    [InlineData("{'type':'hello_response','version':1,'error':3}", ParseErrorKind.WrongType, "error")]
    public void Bad_server_messages_are_rejected(string wire, ParseErrorKind expected, string fragment)
    {
        var error = ServerFails(J(wire));
        Assert.Equal(expected, error.Kind);
        Assert.Contains(fragment, error.Message);
    }

    [Fact]
    public void Frames_over_the_limit_are_rejected_before_parsing()
    {
        var valid = J("{'type':'hello','version':1}");
        Assert.Equal(ParseErrorKind.FrameTooLarge, ClientFails(valid, maxBytes: valid.Length - 1).Kind);
        Assert.True(BleProxyCodec.ParseClientMessage(valid, maxBytes: valid.Length).IsOk);

        // Malformed but oversized: the size check wins, so no parser work is spent on it.
        var junk = new string('{', 100);
        Assert.Equal(ParseErrorKind.FrameTooLarge, ClientFails(junk, maxBytes: 99).Kind);
        Assert.Equal(ParseErrorKind.FrameTooLarge, ServerFails(junk, maxBytes: 99).Kind);
    }

    [Fact]
    public void Frame_limit_counts_utf8_bytes_not_chars()
    {
        // 'é' is one char but two UTF-8 bytes.
        var wire = J("{'event':'scan_stopped','data':{'reason':'éé'}}");
        var bytes = Encoding.UTF8.GetByteCount(wire);
        Assert.Equal(wire.Length + 2, bytes);
        Assert.Equal(ParseErrorKind.FrameTooLarge, ClientFails(wire, maxBytes: bytes - 1).Kind);
        Assert.Equal(new ScanStopped("éé"), BleProxyCodec.ParseClientMessage(wire, maxBytes: bytes).Value);
    }

    [Fact]
    public void Default_limit_applies()
    {
        var huge = J("{'event':'scan_stopped','data':{'reason':'" + new string('x', BleProxyCodec.DefaultMaxFrameBytes) + "'}}");
        Assert.Equal(ParseErrorKind.FrameTooLarge, ClientFails(huge).Kind);
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0x02 })]
    [InlineData(new byte[] { 0x02, 0x00 })]
    public void Binary_frames_shorter_than_three_bytes_are_rejected(byte[] frame)
    {
        var parsed = BleProxyCodec.ParseBinary(frame);
        Assert.False(parsed.IsOk);
        Assert.Equal(ParseErrorKind.FrameTooShort, parsed.Error!.Kind);
    }

    [Theory]
    [InlineData(0x00)]
    [InlineData(0x04)]
    [InlineData(0x7f)]
    [InlineData(0xff)]
    public void Binary_frames_with_unknown_opcode_are_rejected(byte opcode)
    {
        var parsed = BleProxyCodec.ParseBinary(new byte[] { opcode, 0x00, 0x01, 0x02 });
        Assert.False(parsed.IsOk);
        Assert.Equal(ParseErrorKind.UnknownOpcode, parsed.Error!.Kind);
        Assert.Contains($"0x{opcode:x2}", parsed.Error.Message);
    }

    [Fact]
    public void Binary_frames_over_the_limit_are_rejected()
    {
        var parsed = BleProxyCodec.ParseBinary(new byte[] { 0x02, 0x00, 0x01, 1, 2, 3 }, maxBytes: 5);
        Assert.False(parsed.IsOk);
        Assert.Equal(ParseErrorKind.FrameTooLarge, parsed.Error!.Kind);
        Assert.True(BleProxyCodec.ParseBinary(new byte[] { 0x02, 0x00, 0x01, 1, 2 }, maxBytes: 5).IsOk);
    }

    [Fact]
    public void Invalid_utf8_is_rejected_without_throwing()
    {
        byte[] wire = [.. Encoding.UTF8.GetBytes("{\"type\":\"hel"), 0xff, 0xfe, .. Encoding.UTF8.GetBytes("lo\",\"version\":1}")];
        var parsed = BleProxyCodec.ParseClientMessage(wire);
        Assert.False(parsed.IsOk);
        Assert.Equal(ParseErrorKind.MalformedJson, parsed.Error!.Kind);
    }

    [Theory]
    [InlineData("{\"type\":\"hello\",\"version\":1,\"x\":\"\ud800\"}")]
    [InlineData("{\"event\":\"scan_stopped\",\"data\":{\"reason\":\"\udc00x\"}}")]
    public void Lone_surrogates_in_text_frames_do_not_throw(string wire)
    {
        var parsed = BleProxyCodec.ParseClientMessage(wire);
        Assert.True(parsed.IsOk ^ parsed.Error is not null);
    }

    [Fact]
    public void Unknown_extra_fields_are_ignored()
    {
        var parsed = BleProxyCodec.ParseClientMessage(J("{'id':3,'success':false,'error':'timeout','message':'m','retry_after':5,'meta':{'a':[1]}}"));
        Assert.True(parsed.IsOk, parsed.Error?.ToString());
        Assert.Equal(new CommandResponse(3, false, null, "timeout", "m"), parsed.Value);
    }
}
