using CommissioningActors.Protocol.BleProxy;
using static CommissioningActors.Protocol.Tests.BleProxyCodecTests;

namespace CommissioningActors.Protocol.Tests;

/// <summary>hello.connection_slots: optional (old clients omit it), an integer 1..MaxConnectionSlots when present.</summary>
public sealed class HelloConnectionSlotsCodecTests
{
    [Fact]
    public void Connection_slots_round_trips_and_is_omitted_when_absent()
    {
        Assert.Equal(J("{'type':'hello','version':1,'connection_slots':3}"), BleProxyCodec.Serialize(new Hello(1, 3)));
        Assert.Equal(J("{'type':'hello','version':1}"), BleProxyCodec.Serialize(new Hello(1)));
        Assert.Equal(new Hello(1, 3), BleProxyCodec.ParseClientMessage(J("{'type':'hello','version':1,'connection_slots':3}")).Value);
    }

    [Theory]
    [InlineData("{'type':'hello','version':1}")]
    [InlineData("{'type':'hello','version':1,'connection_slots':null}")]
    public void An_old_client_without_connection_slots_still_parses(string json) =>
        Assert.Equal(new Hello(1), BleProxyCodec.ParseClientMessage(J(json)).Value);

    [Theory]
    [InlineData("0", ParseErrorKind.InvalidValue)]
    [InlineData("-3", ParseErrorKind.InvalidValue)]
    [InlineData("33", ParseErrorKind.InvalidValue)]
    [InlineData("2147483648", ParseErrorKind.InvalidValue)]
    [InlineData("2.5", ParseErrorKind.WrongType)]
    [InlineData("'3'", ParseErrorKind.WrongType)]
    [InlineData("false", ParseErrorKind.WrongType)]
    [InlineData("[1]", ParseErrorKind.WrongType)]
    public void A_bad_connection_slots_is_refused_naming_the_field(string value, ParseErrorKind kind)
    {
        var parsed = BleProxyCodec.ParseClientMessage(J($"{{'type':'hello','version':1,'connection_slots':{value}}}"));

        Assert.False(parsed.IsOk);
        Assert.Equal(kind, parsed.Error!.Kind);
        Assert.StartsWith("hello.connection_slots", parsed.Error.Message, StringComparison.Ordinal);
        Assert.True(BleProxyCodec.IsBadHello(parsed.Error));
    }

    [Theory]
    [InlineData("{'event':'disconnected','data':{}}")]
    [InlineData("{'type':'helo','version':1}")]
    [InlineData("not json")]
    public void Other_bad_frames_are_not_taken_for_a_bad_hello(string json) =>
        Assert.False(BleProxyCodec.IsBadHello(BleProxyCodec.ParseClientMessage(J(json)).Error!));

    [Fact]
    public void The_largest_accepted_value_is_the_documented_bound() =>
        Assert.Equal(new Hello(1, BleProxyCodec.MaxConnectionSlots),
            BleProxyCodec.ParseClientMessage(J($"{{'type':'hello','version':1,'connection_slots':{BleProxyCodec.MaxConnectionSlots}}}")).Value);
}
