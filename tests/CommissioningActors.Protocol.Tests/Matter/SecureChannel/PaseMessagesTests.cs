using CommissioningActors.Protocol.Matter.SecureChannel;
using CommissioningActors.Protocol.Matter.Tlv;
using CommissioningActors.Protocol.Matter.Transport;

namespace CommissioningActors.Protocol.Tests.Matter.SecureChannel;

/// <summary>PASE message codecs against payloads captured from real peers (matter.js PasePairingTest / Spake2pTest).</summary>
public sealed class PaseMessagesTests
{
    // matter.js PasePairingTest "test fix for elliptic library failure": no session parameters, passcode id as u8.
    internal const string RequestVector = "1530012094eab5c37d101df5ef01b2c8ecada03a7c3b0cf5e26a08feda72617f9cd391a6240247240300280418";
    internal const string ResponseVector =
        "1530012094eab5c37d101df5ef01b2c8ecada03a7c3b0cf5e26a08feda72617f9cd391a630022022820a42684102fd4a92c0bad66ad1f21f3c5366f5a6d84203035e2c7caf3bae250357de35042501e80330022003959ebc20b8fcbda262d97f9a7a9e76e32d7a1b9c5166b6a3721e88acad88081818";

    // matter.js Spake2pTest: both messages carry session parameters {1 SII 5000, 2 SAI 300}.
    private const string RequestWithParameters =
        "15300120b2901e92036f7bca007a3a1bf24bd71f18772105e83479c92b7a8af35e8182742502498d240300280435052501881325022c011818";

    [Fact]
    public void PbkdfParamRequest_vector_decodes_and_reencodes_byte_for_byte()
    {
        var request = Decode(PbkdfParamRequest.Decode, RequestVector);
        Assert.Equal("94eab5c37d101df5ef01b2c8ecada03a7c3b0cf5e26a08feda72617f9cd391a6", Hex(request.InitiatorRandom));
        Assert.Equal(71, request.InitiatorSessionId);
        Assert.Equal(0, request.PasscodeId);
        Assert.False(request.HasPbkdfParameters);
        Assert.Null(request.SessionParameters);
        Assert.Equal(RequestVector, Hex(request.Encode()));
    }

    [Fact]
    public void PbkdfParamResponse_vector_decodes_and_reencodes_byte_for_byte()
    {
        var response = Decode(PbkdfParamResponse.Decode, ResponseVector);
        Assert.Equal(56919, response.ResponderSessionId);
        Assert.Equal(1000u, response.Pbkdf!.Iterations);
        Assert.Equal("03959ebc20b8fcbda262d97f9a7a9e76e32d7a1b9c5166b6a3721e88acad8808", Hex(response.Pbkdf.Salt));
        Assert.Equal("22820a42684102fd4a92c0bad66ad1f21f3c5366f5a6d84203035e2c7caf3bae", Hex(response.ResponderRandom));
        Assert.Equal(ResponseVector, Hex(response.Encode()));
    }

    [Fact]
    public void Session_parameters_decode_with_spec_defaults_for_absent_fields_and_reencode()
    {
        var request = Decode(PbkdfParamRequest.Decode, RequestWithParameters);
        var parameters = request.SessionParameters!;
        Assert.Equal(TimeSpan.FromMilliseconds(5000), parameters.Mrp.IdleInterval);
        Assert.Equal(TimeSpan.FromMilliseconds(300), parameters.Mrp.ActiveInterval);
        Assert.Equal(SessionParameters.Default.ActiveThreshold, parameters.Mrp.ActiveThreshold);
        Assert.Null(parameters.DataModelRevision);
        Assert.Null(parameters.MaxPathsPerInvoke);
    }

    [Fact]
    public void Every_session_parameter_field_round_trips()
    {
        var parameters = new SecureSessionParameters(
            new SessionParameters(TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(4000)),
            DataModelRevision: 21, InteractionModelRevision: 12, SpecificationVersion: 0x01060000, MaxPathsPerInvoke: 10,
            SupportedTransports: 1, MaxTcpMessageSize: 64_000);
        var request = new PbkdfParamRequest(new byte[32], 7, 0, false, parameters);
        var decoded = Decode(PbkdfParamRequest.Decode, Hex(request.Encode()));
        Assert.Equal(parameters, decoded.SessionParameters);
    }

    [Fact]
    public void Pake_messages_round_trip()
    {
        var point = Point();
        var confirmation = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        Assert.Equal(point, Decode(Pake1.Decode, Hex(new Pake1(point).Encode())).PA);
        var pake2 = Decode(Pake2.Decode, Hex(new Pake2(point, confirmation).Encode()));
        Assert.Equal(point, pake2.PB);
        Assert.Equal(confirmation, pake2.CB);
        Assert.Equal(confirmation, Decode(Pake3.Decode, Hex(new Pake3(confirmation).Encode())).CA);
    }

    [Theory]
    [InlineData(999u, 32, "iterations must be 1000..100000, got 999")]
    [InlineData(100_001u, 32, "iterations must be 1000..100000, got 100001")]
    [InlineData(1000u, 15, "salt must be 16..32 bytes, got 15")]
    [InlineData(1000u, 33, "salt must be 16..32 bytes, got 33")]
    public void A_lying_device_with_pbkdf_parameters_out_of_range_is_refused(uint iterations, int saltLength, string expected)
    {
        var response = new PbkdfParamResponse(new byte[32], new byte[32], 5, new PbkdfParameters(iterations, new byte[saltLength]), null);
        var error = Error(PbkdfParamResponse.Decode, response.Encode());
        Assert.Equal(ParseErrorKind.InvalidValue, error.Kind);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Iterations_wider_than_u32_are_refused_not_truncated()
    {
        var payload = new TlvWriter().StartStructure(TlvTag.Anonymous)
            .WriteBytes(TlvTag.Context(1), new byte[32]).WriteBytes(TlvTag.Context(2), new byte[32]).WriteUnsigned(TlvTag.Context(3), 5)
            .StartStructure(TlvTag.Context(4)).WriteUnsigned(TlvTag.Context(1), (1UL << 32) + 1000).WriteBytes(TlvTag.Context(2), new byte[16]).EndContainer()
            .EndContainer().ToArray();
        Assert.Equal(ParseErrorKind.InvalidValue, Error(PbkdfParamResponse.Decode, payload).Kind);
    }

    [Fact]
    public void Wrong_lengths_types_missing_fields_and_reserved_session_ids_are_refused()
    {
        Assert.Contains("initiatorRandom must be 32 bytes, got 31",
            Error(PbkdfParamRequest.Decode, new PbkdfParamRequest(new byte[31], 1, 0, false, null).Encode()).Message);
        Assert.Contains("initiatorSessionId 0 is reserved",
            Error(PbkdfParamRequest.Decode, new PbkdfParamRequest(new byte[32], 0, 0, false, null).Encode()).Message);
        Assert.Contains("responderSessionId 0 is reserved",
            Error(PbkdfParamResponse.Decode, new PbkdfParamResponse(new byte[32], new byte[32], 0, null, null).Encode()).Message);
        Assert.Contains("pB must be 65 bytes, got 64", Error(Pake2.Decode, new Pake2(new byte[64], new byte[32]).Encode()).Message);
        Assert.Contains("cB must be 32 bytes, got 33", Error(Pake2.Decode, new Pake2(Point(), new byte[33]).Encode()).Message);
        Assert.Contains("uncompressed point", Error(Pake1.Decode, new Pake1(new byte[65]).Encode()).Message);

        var missing = Error(Pake3.Decode, new TlvWriter().StartStructure(TlvTag.Anonymous).EndContainer().ToArray());
        Assert.Equal(ParseErrorKind.MissingField, missing.Kind);
        Assert.Contains("cA (tag 1) is missing", missing.Message);

        var wrongType = new TlvWriter().StartStructure(TlvTag.Anonymous).WriteUnsigned(TlvTag.Context(1), 5).EndContainer().ToArray();
        Assert.Equal(ParseErrorKind.WrongType, Error(Pake3.Decode, wrongType).Kind);
        Assert.Equal(ParseErrorKind.WrongType, Error(Pake3.Decode, new TlvWriter().WriteUnsigned(TlvTag.Anonymous, 1).ToArray()).Kind);
        Assert.Equal(ParseErrorKind.FrameTooShort, Error(Pake3.Decode, Convert.FromHexString("1530012001")).Kind);
        Assert.Equal(ParseErrorKind.FrameTooShort, Error(Pake3.Decode, []).Kind);
    }

    [Fact]
    public void Session_parameters_out_of_range_are_refused()
    {
        var payload = new TlvWriter().StartStructure(TlvTag.Anonymous)
            .WriteBytes(TlvTag.Context(1), new byte[32]).WriteUnsigned(TlvTag.Context(2), 1).WriteUnsigned(TlvTag.Context(3), 0)
            .WriteBool(TlvTag.Context(4), false)
            .StartStructure(TlvTag.Context(5)).WriteUnsigned(TlvTag.Context(7), 0).EndContainer()
            .EndContainer().ToArray();
        Assert.Contains("max paths per invoke must be at least 1", Error(PbkdfParamRequest.Decode, payload).Message);

        var tooLong = new TlvWriter().StartStructure(TlvTag.Anonymous)
            .WriteBytes(TlvTag.Context(1), new byte[32]).WriteUnsigned(TlvTag.Context(2), 1).WriteUnsigned(TlvTag.Context(3), 0)
            .WriteBool(TlvTag.Context(4), false)
            .StartStructure(TlvTag.Context(5)).WriteUnsigned(TlvTag.Context(1), 3_600_001).EndContainer()
            .EndContainer().ToArray();
        Assert.Equal(ParseErrorKind.InvalidValue, Error(PbkdfParamRequest.Decode, tooLong).Kind);
    }

    internal static T Decode<T>(Func<ReadOnlyMemory<byte>, Parsed<T>> decode, string hex)
    {
        var parsed = decode(Convert.FromHexString(hex));
        Assert.True(parsed.IsOk, parsed.Error?.ToString());
        return parsed.Value!;
    }

    internal static ParseError Error<T>(Func<ReadOnlyMemory<byte>, Parsed<T>> decode, byte[] payload)
    {
        var parsed = decode(payload);
        Assert.False(parsed.IsOk);
        return parsed.Error!;
    }

    internal static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);

    private static byte[] Point()
    {
        var point = new byte[65];
        point[0] = 0x04;
        point[64] = 0x01;
        return point;
    }
}
