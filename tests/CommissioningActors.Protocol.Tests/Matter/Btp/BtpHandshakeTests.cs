using CommissioningActors.Protocol.Matter.Btp;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace CommissioningActors.Protocol.Tests.Matter.Btp;

public class BtpHandshakeTests
{
    // v4 only, ATT MTU 247, window 6.
    private static readonly byte[] RequestBytes = [0x65, 0x6C, 0x04, 0x00, 0x00, 0x00, 0xF7, 0x00, 0x06];

    // v4, segment 244, window 6.
    private static readonly byte[] ResponseBytes = [0x65, 0x6C, 0x04, 0xF4, 0x00, 0x06];

    [Fact]
    public void Request_encodes_to_the_spec_layout()
    {
        Assert.Equal(RequestBytes, BtpHandshakeRequest.Default(247, 6).Encode());
    }

    [Fact]
    public void Request_packs_versions_low_nibble_first()
    {
        var bytes = new BtpHandshakeRequest([5, 4, 3], 23, 1).Encode();

        Assert.Equal(new byte[] { 0x45, 0x03, 0x00, 0x00 }, bytes[2..6]);
    }

    [Fact]
    public void Request_parses_versions_in_preference_order()
    {
        byte[] frame = [0x65, 0x6C, 0x45, 0x03, 0x00, 0x00, 0x17, 0x00, 0x03];

        var parsed = BtpHandshakeRequest.Parse(frame);

        Assert.True(parsed.IsOk, parsed.Error?.ToString());
        Assert.Equal(new byte[] { 5, 4, 3 }, parsed.Value!.SupportedVersions);
        Assert.Equal(23, parsed.Value.AttMtu);
        Assert.Equal(3, parsed.Value.WindowSize);
    }

    [Fact]
    public void Request_version_list_ends_at_the_first_empty_nibble()
    {
        byte[] frame = [0x65, 0x6C, 0x04, 0x30, 0x00, 0x00, 0x17, 0x00, 0x03];

        Assert.Equal(new byte[] { 4 }, BtpHandshakeRequest.Parse(frame).Value!.SupportedVersions);
    }

    private static readonly Gen<BtpHandshakeRequest> Requests =
        from count in Gen.Choose(1, 8)
        from versions in Gen.Choose(1, 15).Select(v => (byte)v).ArrayOf(count)
        from mtu in Gen.Choose(0, ushort.MaxValue)
        from window in Gen.Choose(0, byte.MaxValue)
        select new BtpHandshakeRequest(versions, (ushort)mtu, (byte)window);

    [Property]
    public Property Request_round_trips() =>
        Prop.ForAll(Requests.ToArbitrary(), request => BtpHandshakeRequest.Parse(request.Encode()).Value == request);

    [Fact]
    public void Requests_with_equal_versions_are_equal()
    {
        Assert.Equal(new BtpHandshakeRequest([4, 3], 23, 1), new BtpHandshakeRequest(new List<byte> { 4, 3 }, 23, 1));
        Assert.NotEqual(new BtpHandshakeRequest([4, 3], 23, 1), new BtpHandshakeRequest([3, 4], 23, 1));
    }

    [Fact]
    public void Request_rejects_an_empty_version_list()
    {
        byte[] frame = [0x65, 0x6C, 0x00, 0x04, 0x00, 0x00, 0x17, 0x00, 0x03];

        var parsed = BtpHandshakeRequest.Parse(frame);

        Assert.Equal(ParseErrorKind.InvalidValue, parsed.Error!.Kind);
        Assert.Contains("no supported versions", parsed.Error.Message);
    }

    [Fact]
    public void Request_rejects_wrong_lengths()
    {
        Assert.Equal(ParseErrorKind.FrameTooShort, BtpHandshakeRequest.Parse(RequestBytes.AsSpan(0, 8)).Error!.Kind);
        Assert.Equal(ParseErrorKind.FrameTooShort, BtpHandshakeRequest.Parse([]).Error!.Kind);
        Assert.Equal(ParseErrorKind.FrameTooLarge, BtpHandshakeRequest.Parse([.. RequestBytes, 0]).Error!.Kind);
    }

    [Fact]
    public void Request_rejects_wrong_flags_and_opcode()
    {
        var badFlags = (byte[])RequestBytes.Clone();
        badFlags[0] = 0x05;
        var badOpcode = (byte[])RequestBytes.Clone();
        badOpcode[1] = 0x6D;

        Assert.Equal(ParseErrorKind.InvalidValue, BtpHandshakeRequest.Parse(badFlags).Error!.Kind);
        Assert.Equal(ParseErrorKind.UnknownOpcode, BtpHandshakeRequest.Parse(badOpcode).Error!.Kind);
    }

    [Fact]
    public void Request_encode_refuses_unrepresentable_versions()
    {
        Assert.Throws<ArgumentException>(() => new BtpHandshakeRequest([], 23, 1).Encode());
        Assert.Throws<ArgumentException>(() => new BtpHandshakeRequest([1, 2, 3, 4, 5, 6, 7, 8, 9], 23, 1).Encode());
        Assert.Throws<ArgumentException>(() => new BtpHandshakeRequest([16], 23, 1).Encode());
        Assert.Throws<ArgumentException>(() => new BtpHandshakeRequest([4, 0], 23, 1).Encode());
    }

    [Fact]
    public void Response_encodes_to_the_spec_layout()
    {
        Assert.Equal(ResponseBytes, new BtpHandshakeResponse(4, 244, 6).Encode());
    }

    [Fact]
    public void Response_parses_and_ignores_the_reserved_nibble()
    {
        byte[] frame = [0x65, 0x6C, 0xA4, 0x14, 0x00, 0x03];

        Assert.Equal(new BtpHandshakeResponse(4, 20, 3), BtpHandshakeResponse.Parse(frame).Value);
    }

    [Property]
    public Property Response_round_trips() =>
        Prop.ForAll(
            Gen.Choose(0, 15).ToArbitrary(),
            Gen.Choose(0, ushort.MaxValue).ToArbitrary(),
            Gen.Choose(0, byte.MaxValue).ToArbitrary(),
            (version, segment, window) =>
            {
                var response = new BtpHandshakeResponse((byte)version, (ushort)segment, (byte)window);
                return BtpHandshakeResponse.Parse(response.Encode()).Value == response;
            });

    [Fact]
    public void Response_rejects_wrong_lengths_flags_and_opcode()
    {
        var badFlags = (byte[])ResponseBytes.Clone();
        badFlags[0] = 0x64;
        var badOpcode = (byte[])ResponseBytes.Clone();
        badOpcode[1] = 0x00;

        Assert.Equal(ParseErrorKind.FrameTooShort, BtpHandshakeResponse.Parse(ResponseBytes.AsSpan(0, 5)).Error!.Kind);
        Assert.Equal(ParseErrorKind.FrameTooLarge, BtpHandshakeResponse.Parse(RequestBytes).Error!.Kind);
        Assert.Equal(ParseErrorKind.InvalidValue, BtpHandshakeResponse.Parse(badFlags).Error!.Kind);
        Assert.Equal(ParseErrorKind.UnknownOpcode, BtpHandshakeResponse.Parse(badOpcode).Error!.Kind);
    }

    [Fact]
    public void Negotiate_picks_v4_mtu_minus_header_and_smaller_window()
    {
        var response = BtpHandshake.Negotiate(new BtpHandshakeRequest([5, 4, 3], 185, 8));

        Assert.Equal(new BtpHandshakeResponse(4, 182, 6), response);
    }

    [Fact]
    public void Negotiate_caps_segment_at_the_btp_maximum()
    {
        var response = BtpHandshake.Negotiate(BtpHandshakeRequest.Default(517, 3), linkAttMtu: 517, maxWindow: 5);

        Assert.Equal(new BtpHandshakeResponse(4, 244, 3), response);
    }

    [Theory]
    [InlineData(247, 185, 182)]
    [InlineData(185, 247, 182)]
    [InlineData(0, 100, 97)]
    [InlineData(100, 0, 97)]
    public void Negotiate_uses_the_smaller_known_mtu(int clientMtu, int linkMtu, int segment)
    {
        var response = BtpHandshake.Negotiate(BtpHandshakeRequest.Default((ushort)clientMtu, 4), (ushort)linkMtu);

        Assert.Equal(segment, response.SegmentSize);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10)]
    [InlineData(23)]
    public void Negotiate_uses_20_byte_segments_for_unknown_or_minimum_mtu(int mtu)
    {
        Assert.Equal(20, BtpHandshake.Negotiate(BtpHandshakeRequest.Default((ushort)mtu, 4)).SegmentSize);
    }

    [Fact]
    public void Negotiate_answers_version_zero_when_no_version_is_shared()
    {
        var response = BtpHandshake.Negotiate(new BtpHandshakeRequest([3, 2], 247, 4));

        Assert.Equal(BtpHandshake.NoCommonVersion, response.Version);
    }

    [Fact]
    public void Negotiated_response_survives_the_wire()
    {
        var request = BtpHandshakeRequest.Parse(RequestBytes).Value!;

        var wire = BtpHandshake.Negotiate(request).Encode();

        Assert.Equal(ResponseBytes, wire);
    }
}
