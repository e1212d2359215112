using CommissioningActors.Protocol.Matter.Messages;
using FsCheck.Xunit;
using Xunit;

namespace CommissioningActors.Protocol.Tests.Matter.Messages;

/// <summary>
/// AES-128-CCM vectors from matter.js packages/protocol/test/session/SecureSessionTest.ts: an initiator's
/// session (PASE, so both nonce node ids are 0) decrypting a ReportData and encrypting a ReportData.
/// </summary>
public class SecureMessageCodecTests
{
    private static readonly byte[] EncryptKey = Convert.FromHexString("66951379d0a6d151cf5472cccf13f360");
    private static readonly byte[] DecryptKey = Convert.FromHexString("bacb178b2588443d5d5b1e4559e7accc");

    private const string EncryptedMessage =
        "001d350022145300ec2b931025dada82ed67521c966d2454d131a271023be699e4e2796650f568e590fd9b65f456c720a60a0da127eaa53974c5d41d3d933ed7b58a9ce5b5cb96ad94a7762611c48774cf75458327e74c34668a45dc9943546f8a6aa1dcd40bd4b8014befb49954a097a60cbdff333ee3f2fd1f49";

    private const string DecryptedPayload =
        "153600172403312504fcff18172402002403302404001817240200240330240401181724020024033024040218172402002403302404031817240200240328240402181724020024032824040418172403312404031818290324ff0118";

    private const string PlainPayload =
        "1536011535012600799ac60c37012402002403312404031824021418181535012600b771f32f3701240200240328240404182502018018181535012600b771f32f3701240200240328240402182502f1ff18181535012600ddad82d637012402002403302404031824020218181535012600ddad82d637012402002403302404021824020018181535012600ddad82d6370124020024033024040118350224003c1818181535012600ddad82d637012402002403302404001824020018181535012600799ac60c37012402002403312504fcff18240201181818290424ff0118";

    private const string EncryptedBytes =
        "1f9c4e278a2e2a755ebb4fcb9478211efb09aa9518fcafb56d74f135544636037c16fb6b62347794da0c5bde142e1a8b1cc96575e9e55471c08b58f7640b7d7f4173c8ff967c39e9961f30a29cb1f64f68df4b5bc1e742587f778eeb9ec586c162ff384558596792a2c1e43c150cd0e9ec1484c50950f17cd6c084d07caed94ce45c20004210cbde48da44ebcf7d931657f03e07e3ea29ae41868b804bf39e628323cd025507773f07268301aa1e77a82927fce041241839cee4114f6307b6befe3befde87a2d3f13eeef96b27b36e788d907b44bef2d195aa802692f4f12acc015aede3cd29da272d1e4b7f3f59683d25bf08f0e29fba2a8a9b";

    private static SecureMessageCodec PaseInitiator() => new(EncryptKey, DecryptKey, localNodeId: 0, peerNodeId: 0);

    [Fact]
    public void Decrypts_the_published_report_data()
    {
        using var codec = PaseInitiator();
        var packet = MessageCodec.DecodePacket(Convert.FromHexString(EncryptedMessage)).Value!;
        Assert.Equal(0x351d, packet.Header.SessionId);
        Assert.Equal(0x00531422u, packet.Header.Counter);

        var opened = codec.Open(packet);
        Assert.True(opened.IsOk, opened.Error?.ToString());
        Assert.Equal(DecryptedPayload, Convert.ToHexStringLower(opened.Value!.Payload.Span));
        Assert.True(opened.Value.Exchange.Protocol == MatterProtocolId.InteractionModel);
    }

    [Fact]
    public void Encrypts_the_published_report_data()
    {
        using var codec = PaseInitiator();
        var header = new MessageHeader(0x8d4b, SessionType.Unicast, 12519906);
        var exchange = new ExchangeHeader((byte)InteractionModelOpcode.ReportData, 0x048d,
            MatterProtocolId.InteractionModel, IsInitiator: false, RequiresAck: true, AckedCounter: 0x00531422);

        var datagram = codec.Seal(header, exchange, Convert.FromHexString(PlainPayload));

        Assert.Equal(header.ToArray(), datagram[..8]);
        Assert.Equal(EncryptedBytes, Convert.ToHexStringLower(datagram.AsSpan(8)));
    }

    [Fact]
    public void Nonce_is_security_flags_counter_and_source_node_id_little_endian()
    {
        Assert.Equal("01" + "78563412" + "0807060504030201",
            Convert.ToHexStringLower(SecureMessageCodec.Nonce(0x01, 0x12345678, 0x0102030405060708)));
    }

    [Fact]
    public void Case_peers_open_each_others_messages_with_their_node_ids_in_the_nonce()
    {
        const ulong controller = 0x1122334455667788, device = 0x0000000000000042;
        using var ours = new SecureMessageCodec(EncryptKey, DecryptKey, controller, device);
        using var theirs = new SecureMessageCodec(DecryptKey, EncryptKey, device, controller);
        var header = new MessageHeader(7, SessionType.Unicast, 99);
        var exchange = new ExchangeHeader(0x08, 1, MatterProtocolId.InteractionModel, IsInitiator: true, RequiresAck: true);

        var opened = theirs.Open(MessageCodec.DecodePacket(ours.Seal(header, exchange, new byte[] { 0x15, 0x18 })).Value!);
        Assert.True(opened.IsOk, opened.Error?.ToString());
        Assert.Equal(exchange, opened.Value!.Exchange);

        // A receiver that believes the sender is another node computes another nonce: authentication fails.
        using var confused = new SecureMessageCodec(DecryptKey, EncryptKey, device, controller + 1);
        Assert.False(confused.Open(MessageCodec.DecodePacket(ours.Seal(header, exchange, [])).Value!).IsOk);
    }

    [Theory]
    [InlineData(1)] // session id (AAD only)
    [InlineData(5)] // counter
    [InlineData(9)] // ciphertext
    [InlineData(-1)] // MIC
    public void Any_flipped_bit_fails_authentication(int index)
    {
        using var codec = PaseInitiator();
        var bytes = Convert.FromHexString(EncryptedMessage);
        bytes[index < 0 ? bytes.Length + index : index] ^= 0x01;
        var packet = MessageCodec.DecodePacket(bytes);
        Assert.True(packet.IsOk, packet.Error?.ToString());
        var opened = codec.Open(packet.Value!);
        Assert.False(opened.IsOk);
        Assert.Equal(ParseErrorKind.InvalidValue, opened.Error!.Kind);
        Assert.Contains("failed authentication", opened.Error.Message);
        Assert.DoesNotContain(Convert.ToHexStringLower(DecryptKey), opened.Error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_payload_shorter_than_the_mic_is_rejected()
    {
        using var codec = PaseInitiator();
        var packet = MessageCodec.DecodePacket(Convert.FromHexString("001d350022145300" + "00112233")).Value!;
        Assert.Equal(ParseErrorKind.FrameTooShort, codec.Open(packet).Error!.Kind);
    }

    [Fact]
    public void An_unsecured_message_is_not_opened()
    {
        using var codec = PaseInitiator();
        var packet = MessageCodec.DecodePacket(new byte[30]).Value!;
        Assert.False(codec.Open(packet).IsOk);
    }

    [Property]
    public bool Opening_arbitrary_datagrams_never_throws(byte[] tail, ushort session)
    {
        using var codec = PaseInitiator();
        var datagram = new MessageHeader((ushort)(session | 1), SessionType.Unicast, 1).ToArray().Concat(tail).ToArray();
        var opened = codec.Open(MessageCodec.DecodePacket(datagram).Value!);
        return !opened.IsOk && opened.Error is not null;
    }

    [Fact]
    public void Keys_of_the_wrong_length_are_refused() =>
        Assert.Throws<ArgumentException>(() => new SecureMessageCodec(new byte[15], DecryptKey, 0, 0));
}
