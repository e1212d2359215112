using CommissioningActors.Protocol.Matter.Messages;
using Xunit;

namespace CommissioningActors.Protocol.Tests.Matter.Messages;

public class MessageRejectionTests
{
    private static ParseError Reject(string hex)
    {
        var parsed = MessageCodec.DecodeUnsecured(Convert.FromHexString(hex));
        Assert.False(parsed.IsOk);
        return parsed.Error!;
    }

    [Theory]
    [InlineData("")]
    [InlineData("0000000001000000")] // no exchange header
    [InlineData("04000000010000007ea0c8a7")] // source node id cut short
    [InlineData("0100000001000000aabb")] // destination node id cut short
    [InlineData("0000000001000000052000")] // exchange header cut short
    [InlineData("000000000100000007200100000001")] // acked counter cut short
    [InlineData("000000000100000015200100f1ff00")] // vendor id present, protocol cut short
    [InlineData("0000002001000000")] // message extension length missing
    [InlineData("00000020010000000500aabb")] // message extension longer than the datagram
    [InlineData("00000000010000000d20010000000500aa")] // secured extension longer than the datagram
    public void Truncated_headers(string hex) => Assert.Equal(ParseErrorKind.FrameTooShort, Reject(hex).Kind);

    [Theory]
    [InlineData("1000000001000000052001000000", "version")]
    [InlineData("0300000001000000052001000000", "destination size 3")]
    [InlineData("0000008001000000052001000000", "privacy")]
    [InlineData("0000004001000000052001000000", "control")]
    [InlineData("0000000201000000052001000000", "session type 2")]
    [InlineData("02000000010000000100052001000000", "destination group")]
    [InlineData("02000001010000000100052001000000", "group message")]
    public void Invalid_headers(string hex, string reason)
    {
        var error = Reject(hex);
        Assert.Equal(ParseErrorKind.InvalidValue, error.Kind);
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void A_secured_session_is_not_decoded_as_plaintext()
    {
        var error = Reject("0001000001000000052001000000");
        Assert.Contains("secured", error.Message);
    }
}
