using System.Text.Json.Nodes;
using CommissioningActors.Protocol.Matter.InteractionModel;
using CommissioningActors.Protocol.Matter.Tlv;
using Xunit;

namespace CommissioningActors.Protocol.Tests.Matter.InteractionModel;

public class CatalogueTests
{
    private static string Hex(TlvElement e) => Convert.ToHexStringLower(TlvWriter.Encode(e));

    private static TlvElement Fields(params TlvElement[] members) => TlvElement.Structure(TlvTag.Anonymous, members);

    private static TlvElement U(byte tag, ulong v) => new(TlvTag.Context(tag), new TlvUnsigned(v));

    private static TlvElement S(byte tag, string v) => new(TlvTag.Context(tag), new TlvUtf8(v));

    private static TlvElement B(byte tag, int length) => new(TlvTag.Context(tag), new TlvBytes(new byte[length]));

    [Fact]
    public void Arm_fail_safe_encodes_expiry_and_breadcrumb_under_tags_0_and_1()
    {
        var command = GeneralCommissioningCommands.ArmFailSafe(60, 1);
        Assert.Equal((ClusterIds.GeneralCommissioning, 0u, 1u), (command.Cluster, command.Command, command.ResponseCommand!.Value));
        // { 0: 60 (u8), 1: 1 (u8) }
        Assert.Equal("1524003c24010118", Hex(command.Fields));
    }

    [Fact]
    public void Set_regulatory_config_and_commissioning_complete()
    {
        var regulatory = GeneralCommissioningCommands.SetRegulatoryConfig(RegulatoryLocation.IndoorOutdoor, "XX", 2);
        Assert.Equal("15240002" + "2c01025858" + "24020218", Hex(regulatory.Fields));
        Assert.Equal(0x03u, regulatory.ResponseCommand);
        Assert.Throws<ArgumentException>(() => GeneralCommissioningCommands.SetRegulatoryConfig(RegulatoryLocation.Indoor, "XXX", 0));

        var complete = GeneralCommissioningCommands.CommissioningComplete();
        Assert.Equal((4u, 5u), (complete.Command, complete.ResponseCommand!.Value));
        Assert.Equal("1518", Hex(complete.Fields));
    }

    [Fact]
    public void Commissioning_response_parses_error_codes_by_name()
    {
        var ok = CommissioningResponse.Parse(Fields(U(0, 0), S(1, ""))).Value!;
        Assert.True(ok.IsOk);

        var busy = CommissioningResponse.Parse(Fields(U(0, 4), S(1, "other admin"))).Value!;
        Assert.Equal("BusyWithOtherAdmin", busy.ErrorName);
        Assert.Equal("other admin", busy.DebugText);
        Assert.Equal("Unknown(200)", CommissioningResponse.Parse(Fields(U(0, 200))).Value!.ErrorName);

        Assert.Contains("errorCode (tag 0) is missing", CommissioningResponse.Parse(Fields(S(1, "x"))).Error!.Message);
        Assert.Contains("debugText is longer than 128", CommissioningResponse.Parse(Fields(U(0, 0), S(1, new string('a', 129)))).Error!.Message);
    }

    [Fact]
    public void Operational_credentials_builders_use_the_matter_js_tags()
    {
        var attestation = OperationalCredentialsCommands.AttestationRequest(new byte[32]);
        Assert.Equal((0u, 1u), (attestation.Command, attestation.ResponseCommand!.Value));
        Assert.Equal("1530002" + "0" + new string('0', 64) + "18", Hex(attestation.Fields));
        Assert.Throws<ArgumentException>(() => OperationalCredentialsCommands.AttestationRequest(new byte[31]));

        Assert.Equal("1524000118", Hex(OperationalCredentialsCommands.CertificateChainRequest(CertificateChainType.Dac).Fields));
        Assert.Equal(0x02u, OperationalCredentialsCommands.CertificateChainRequest(CertificateChainType.Pai).Command);
        Assert.Equal(0x04u, OperationalCredentialsCommands.CsrRequest(new byte[32]).Command);

        var addNoc = OperationalCredentialsCommands.AddNoc(new byte[3], [], new byte[16], 0x1122334455667788, 0xFFF1);
        Assert.Equal((6u, 8u), (addNoc.Command, addNoc.ResponseCommand!.Value));
        var members = addNoc.Fields.AsContainer()!;
        Assert.Equal([0u, 2, 3, 4], members.Select(m => m.Tag.Number));
        Assert.Equal(0x1122334455667788UL, addNoc.Fields[3]!.AsUnsigned());
        Assert.Equal(0xFFF1UL, addNoc.Fields[4]!.AsUnsigned());
        Assert.Equal([0u, 1, 2, 3, 4], OperationalCredentialsCommands.AddNoc(new byte[3], new byte[2], new byte[16], 1, 1)
            .Fields.AsContainer()!.Select(m => m.Tag.Number));

        var root = OperationalCredentialsCommands.AddTrustedRootCertificate(new byte[5]);
        Assert.Equal(0x0Bu, root.Command);
        Assert.Null(root.ResponseCommand);
        Assert.Equal("1524000318", Hex(OperationalCredentialsCommands.RemoveFabric(3).Fields));
        Assert.Equal(0x0Au, OperationalCredentialsCommands.RemoveFabric(3).Command);
    }

    [Fact]
    public void Secrets_stay_out_of_command_strings()
    {
        var wifi = NetworkCommissioningCommands.AddOrUpdateWiFiNetwork("home"u8, "hunter22"u8, 3);
        Assert.DoesNotContain("68756e746572", wifi.ToString() + new CommandDataIB(new CommandPath(0, 0x31, 2), wifi.Fields).ToString(),
            StringComparison.OrdinalIgnoreCase);
        Assert.Equal("ClusterCommand(0x0031/0x02)", wifi.ToString());
    }

    [Theory]
    [InlineData(0, "Ok")]
    [InlineData(3, "InvalidNoc")]
    [InlineData(9, "FabricConflict")]
    [InlineData(11, "InvalidFabricIndex")]
    [InlineData(7, "Unknown(7)")]
    public void Noc_response_status_names(byte code, string name)
    {
        var parsed = NocResponse.Parse(Fields(U(0, code), U(1, 2), S(2, "d"))).Value!;
        Assert.Equal(name, parsed.StatusName);
        Assert.Equal((byte)2, parsed.FabricIndex);
    }

    [Fact]
    public void Response_parsers_check_lengths()
    {
        Assert.Equal(900, AttestationResponse.Parse(Fields(B(0, 900), B(1, 64))).Value!.AttestationElements.Length);
        Assert.Contains("attestationSignature must be 64 bytes", AttestationResponse.Parse(Fields(B(0, 10), B(1, 63))).Error!.Message);
        Assert.Contains("attestationElements is longer than 900", AttestationResponse.Parse(Fields(B(0, 901), B(1, 64))).Error!.Message);
        Assert.Equal(600, CertificateChainResponse.Parse(Fields(B(0, 600))).Value!.Certificate.Length);
        Assert.False(CertificateChainResponse.Parse(Fields(B(0, 601))).IsOk);
        Assert.True(CsrResponse.Parse(Fields(B(0, 200), B(1, 64))).IsOk);
        Assert.Contains("fabricIndex 0", NocResponse.Parse(Fields(U(0, 0), U(1, 0))).Error!.Message);
        Assert.Contains("must be a structure", NocResponse.Parse(new TlvElement(TlvTag.Anonymous, new TlvUnsigned(0))).Error!.Message);
    }

    [Fact]
    public void Network_responses_parse_status_and_error_value()
    {
        var config = NetworkConfigResponse.Parse(Fields(U(0, 7), S(1, "auth"), U(2, 0))).Value!;
        Assert.Equal("AuthFailure", config.StatusName);
        Assert.Equal((byte)0, config.NetworkIndex);

        var connect = ConnectNetworkResponse.Parse(Fields(U(0, 0), new TlvElement(TlvTag.Context(2), TlvNull.Instance))).Value!;
        Assert.True(connect.IsOk);
        Assert.Null(connect.ErrorValue);
        Assert.Equal(-5, ConnectNetworkResponse.Parse(Fields(U(0, 9), new TlvElement(TlvTag.Context(2), new TlvSigned(-5)))).Value!.ErrorValue);
    }

    [Theory]
    [InlineData("On", 1u)]
    [InlineData("off", 0u)]
    [InlineData("Toggle", 2u)]
    public void On_off_commands_found_by_name(string name, uint id)
    {
        var command = ClusterCatalogue.FindCommand(ClusterIds.OnOff, name)!;
        Assert.Equal(id, command.Id);
        Assert.Equal("1518", Hex(CommandPayload.ToTlv(command, null).Value!));
        Assert.Equal(command, ClusterCatalogue.FindCommand(ClusterIds.OnOff, id));
    }

    [Fact]
    public void Identify_payload_becomes_tlv_by_field_name()
    {
        var identify = ClusterCatalogue.FindCommand(ClusterIds.Identify, "Identify")!;
        var fields = CommandPayload.ToTlv(identify, JsonNode.Parse("""{"identifyTime": 300}""")!.AsObject()).Value!;
        Assert.Equal("1525002c0118", Hex(fields));
        Assert.Equal(300UL, CommandPayload.ToTlv(identify, new JsonObject { ["identifyTime"] = 300 }).Value![0]!.AsUnsigned());
    }

    [Theory]
    [InlineData("""{}""", "command Identify field 'identifyTime' is required")]
    [InlineData("""{"identifyTime": 65536}""", "field 'identifyTime' must be an integer 0..65535")]
    [InlineData("""{"identifyTime": -1}""", "must be an integer 0..65535")]
    [InlineData("""{"identifyTime": 1.5}""", "must be an integer 0..65535")]
    [InlineData("""{"identifyTime": "5"}""", "must be an integer 0..65535")]
    [InlineData("""{"identifyTime": null}""", "must be an integer 0..65535")]
    [InlineData("""{"identifyTime": 5, "blink": true}""", "has no field 'blink' (fields: identifyTime)")]
    public void Bad_payloads_are_named_by_field(string json, string message)
    {
        var identify = ClusterCatalogue.FindCommand(ClusterIds.Identify, "Identify")!;
        var parsed = CommandPayload.ToTlv(identify, JsonNode.Parse(json)!.AsObject());
        Assert.False(parsed.IsOk);
        Assert.Contains(message, parsed.Error!.Message);
    }

    [Fact]
    public void Secret_payload_values_never_appear_in_errors_or_response_json()
    {
        var wifi = ClusterCatalogue.FindCommand(ClusterIds.NetworkCommissioning, "AddOrUpdateWiFiNetwork")!;
        var tooLong = Convert.ToBase64String(new byte[65]);
        var parsed = CommandPayload.ToTlv(wifi, new JsonObject { ["ssid"] = "aG9tZQ==", ["credentials"] = tooLong });
        Assert.Equal("InvalidValue: command AddOrUpdateWiFiNetwork field 'credentials' must be base64 of 0..64 bytes", parsed.Error!.ToString());

        var ok = CommandPayload.ToTlv(wifi, new JsonObject { ["ssid"] = "aG9tZQ==", ["credentials"] = "c2VjcmV0" }).Value!;
        var json = CommandPayload.ToJson(wifi.Fields, ok).ToJsonString();
        Assert.Equal("""{"ssid":"aG9tZQ=="}""", json);
    }

    [Fact]
    public void Response_fields_render_by_name()
    {
        var arm = ClusterCatalogue.FindCommand(ClusterIds.GeneralCommissioning, "ArmFailSafe")!;
        Assert.Equal("""{"errorCode":0,"debugText":""}""", CommandPayload.ToJson(arm.ResponseFields, Fields(U(0, 0), S(1, ""))).ToJsonString());
        Assert.Equal("""{"5":1}""", CommandPayload.ToJson(null, Fields(U(5, 1))).ToJsonString());
    }

    [Fact]
    public void Catalogue_knows_the_commissioning_attributes()
    {
        Assert.Equal("vendorName", ClusterCatalogue.FindCluster(ClusterIds.BasicInformation)!.Attributes[1]);
        Assert.Equal("basicCommissioningInfo", ClusterCatalogue.GeneralCommissioning.Attributes[1]);
        Assert.Equal("currentFabricIndex", ClusterCatalogue.OperationalCredentials.Attributes[5]);
        Assert.Equal("featureMap", ClusterCatalogue.NetworkCommissioning.Attributes[GlobalAttributes.FeatureMap]);
        Assert.Equal("onOff", ClusterCatalogue.OnOff.Attributes[0]);
        Assert.NotNull(ClusterCatalogue.FindCluster(ClusterIds.Descriptor));
        Assert.NotNull(ClusterCatalogue.FindCluster(ClusterIds.AccessControl));
        Assert.Null(ClusterCatalogue.FindCommand(ClusterIds.OnOff, "Explode"));
        Assert.Null(ClusterCatalogue.FindCommand(0x1234, 0));
    }

    [Fact]
    public void Typed_command_invokes_on_endpoint_zero()
    {
        var client = GeneralCommissioningCommands.ArmFailSafe(60, 0).ToInvoke();
        var request = InvokeRequestMessage.Decode(client.Start().Payload).Value!;
        Assert.Equal(new CommandPath(0, 0x30, 0), Assert.Single(request.Requests).Path);
    }
}
