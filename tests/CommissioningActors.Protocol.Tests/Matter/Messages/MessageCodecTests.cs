using CommissioningActors.Protocol.Matter.Messages;
using CommissioningActors.Protocol.Matter.Tlv;
using FsCheck.Xunit;
using Xunit;

namespace CommissioningActors.Protocol.Tests.Matter.Messages;

/// <summary>Vectors from matter.js packages/protocol/test/codec/MessageCodecTest.ts (a PBKDFParamRequest and its response).</summary>
public class MessageCodecTests
{
    private const string PbkdfRequestPayload =
        "153001204715a406c6b0496ad52039e347db8528cb69a1cb2fce6f2318552ae65e103aca250233dc240300280435052501881325022c011818";

    private const string Encoded = "040000000a4ff2177ea0c8a7cb6a63520520d3640000" + PbkdfRequestPayload;

    private const string EncodedWithMessageExtension =
        "040000200a4ff2177ea0c8a7cb6a635203000102030520d3640000" + PbkdfRequestPayload;

    private const string EncodedWithSecuredExtension =
        "040000000a4ff2177ea0c8a7cb6a63520d20d36400000300010203" + PbkdfRequestPayload;

    private const string EncodedResponse =
        "01000000218712797ea0c8a7cb6a63520621d36400000a4ff217153001204715a406c6b0496ad52039e347db8528cb69a1cb2fce6f2318552ae65e103aca3002201783302d95a4a9fb0decb8fdd6564b90a957681459aeee069961bea61d7b247125039d8935042501e80330022099f813dd41bd081a1c63e811828f0662594bca89cd9d4ed26f7427fdb2a027361835052501881325022c011818";

    private const ulong EphemeralNodeId = 5936706156730294398;

    private static readonly MatterMessage Request = new(
        new MessageHeader(0, SessionType.Unicast, 401755914, SourceNodeId: EphemeralNodeId),
        new ExchangeHeader((byte)SecureChannelOpcode.PbkdfParamRequest, 25811, MatterProtocolId.SecureChannel,
            IsInitiator: true, RequiresAck: true),
        Convert.FromHexString(PbkdfRequestPayload));

    [Fact]
    public void Decodes_an_unsecured_pbkdf_param_request()
    {
        var parsed = MessageCodec.DecodeUnsecured(Convert.FromHexString(Encoded));
        Assert.True(parsed.IsOk, parsed.Error?.ToString());
        var message = parsed.Value!;
        Assert.Equal(Request.Header, message.Header);
        Assert.Equal(Request.Exchange, message.Exchange);
        Assert.True(message.Exchange.Is(SecureChannelOpcode.PbkdfParamRequest));
        Assert.Equal(PbkdfRequestPayload, Convert.ToHexStringLower(message.Payload.Span));

        // The payload is TLV our reader accepts: initiatorRandom (32 bytes), session id 0x3302, passcode id 0.
        var tlv = TlvDecoder.Decode(message.Payload.Span).Value!;
        Assert.Equal(32, tlv[1]!.AsBytes()!.Value.Length);
        Assert.Equal(0xdc33UL, tlv[2]!.AsUnsigned());
        Assert.Equal(0UL, tlv[3]!.AsUnsigned());
        Assert.Equal(false, tlv[4]!.AsBool());
    }

    [Fact]
    public void Encodes_an_unsecured_pbkdf_param_request()
    {
        Assert.Equal(Encoded, Convert.ToHexStringLower(MessageCodec.Encode(Request)));
    }

    [Fact]
    public void Response_with_destination_and_piggybacked_ack_round_trips()
    {
        var parsed = MessageCodec.DecodeUnsecured(Convert.FromHexString(EncodedResponse));
        Assert.True(parsed.IsOk, parsed.Error?.ToString());
        var message = parsed.Value!;
        Assert.Null(message.Header.SourceNodeId);
        Assert.Equal(EphemeralNodeId, message.Header.DestinationNodeId);
        Assert.Equal(2031257377u, message.Header.Counter);
        Assert.False(message.Exchange.IsInitiator);
        Assert.True(message.Exchange.RequiresAck);
        Assert.Equal(401755914u, message.Exchange.AckedCounter);
        Assert.True(message.Exchange.Is(SecureChannelOpcode.PbkdfParamResponse));
        Assert.Equal(EncodedResponse, Convert.ToHexStringLower(MessageCodec.Encode(message)));
    }

    [Fact]
    public void Message_extension_is_kept_and_part_of_the_header_bytes()
    {
        var parsed = MessageCodec.DecodePacket(Convert.FromHexString(EncodedWithMessageExtension));
        Assert.True(parsed.IsOk, parsed.Error?.ToString());
        var packet = parsed.Value!;
        Assert.Equal("010203", Convert.ToHexStringLower(packet.Header.Extension!.Value.Span));
        Assert.Equal(0x20, packet.Header.SecurityFlags);
        Assert.Equal(21, packet.HeaderBytes.Length);
        Assert.Equal(EncodedWithMessageExtension[..42], Convert.ToHexStringLower(packet.Header.ToArray()));
    }

    [Fact]
    public void Secured_extension_is_kept()
    {
        var parsed = MessageCodec.DecodeUnsecured(Convert.FromHexString(EncodedWithSecuredExtension));
        Assert.True(parsed.IsOk, parsed.Error?.ToString());
        Assert.Equal("010203", Convert.ToHexStringLower(parsed.Value!.Exchange.SecuredExtension!.Value.Span));
        Assert.Equal(PbkdfRequestPayload, Convert.ToHexStringLower(parsed.Value.Payload.Span));
        Assert.Equal(EncodedWithSecuredExtension, Convert.ToHexStringLower(MessageCodec.Encode(parsed.Value)));
    }

    [Fact]
    public void Vendor_protocol_and_group_destination_round_trip()
    {
        var message = new MatterMessage(
            new MessageHeader(0x1234, SessionType.Group, 7, SourceNodeId: 1, DestinationGroupId: 0xBEEF),
            new ExchangeHeader(0x99, 3, new MatterProtocolId(0xFFF1, 0x0042), IsInitiator: false, AckedCounter: 0xAABBCCDD),
            new byte[] { 9, 8 });
        var bytes = MessageCodec.Encode(message);
        Assert.Equal(0x02 | 0x04, bytes[0]);
        Assert.Equal(0x01, bytes[3]);
        var packet = MessageCodec.DecodePacket(bytes).Value!;
        Assert.Equal(message.Header, packet.Header);
        var decoded = MessageCodec.DecodePlainPayload(packet.Header, packet.Payload).Value!;
        Assert.Equal(message.Exchange, decoded.Exchange);
        Assert.Equal(0x10 | 0x02, bytes[18]);
    }

    [Property]
    public bool Decoding_arbitrary_bytes_never_throws(byte[] bytes)
    {
        var packet = MessageCodec.DecodePacket(bytes);
        var unsecured = MessageCodec.DecodeUnsecured(bytes);
        var status = StatusReport.Decode(bytes);
        return (packet.IsOk ^ packet.Error is not null) && (unsecured.IsOk ^ unsecured.Error is not null)
            && (status.IsOk ^ status.Error is not null);
    }

    [Property]
    public bool Headers_round_trip(ushort session, bool group, uint counter, ulong? source, ulong? destination, bool ack, ushort exchangeId)
    {
        var header = group
            ? new MessageHeader(session, SessionType.Group, counter, source ?? 1, DestinationGroupId: (ushort)(destination ?? 2))
            : new MessageHeader(session, SessionType.Unicast, counter, source, destination);
        var exchange = new ExchangeHeader(0x05, exchangeId, MatterProtocolId.InteractionModel, group, !ack,
            ack ? counter ^ 0x5A5A5A5A : null);
        var bytes = MessageCodec.Encode(new MatterMessage(header, exchange, new byte[] { 0x15, 0x18 }));
        var packet = MessageCodec.DecodePacket(bytes);
        var decoded = MessageCodec.DecodePlainPayload(packet.Value!.Header, packet.Value.Payload);
        return packet.Value.Header == header && decoded.Value!.Exchange == exchange
            && decoded.Value.Payload.Span.SequenceEqual(new byte[] { 0x15, 0x18 });
    }
}
