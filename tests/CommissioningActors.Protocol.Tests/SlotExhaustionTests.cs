using CommissioningActors.Protocol.BleProxy;

namespace CommissioningActors.Protocol.Tests;

public class SlotExhaustionTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("anything at all")]
    public void Structured_code_is_slot_exhaustion_whatever_the_message(string? message)
    {
        Assert.True(SlotExhaustion.IsSlotExhaustion(BleErrorCodes.OutOfConnectionSlots, message));
    }

    [Theory]
    [InlineData("Out of connection slots")]
    [InlineData("ESP_GATTC_OPEN_EVT failed: OUT OF CONNECTION SLOTS (3/3 in use)")]
    [InlineData("no free connection slot on proxy living-room")]
    [InlineData("No Free Connection Slot")]
    [InlineData("all Connection Slots are in use")]
    [InlineData("proxy is out of slots")]
    public void Legacy_connection_failed_with_marker_is_slot_exhaustion(string message)
    {
        Assert.True(SlotExhaustion.IsSlotExhaustion(BleErrorCodes.ConnectionFailed, message));
        Assert.True(new BleProxyError(BleErrorCodes.ConnectionFailed, message).IsOutOfConnectionSlots);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("le-connection-abort-by-local")]
    [InlineData("Device disconnected during connect")]
    [InlineData("connection refused")]
    public void Connection_failed_without_marker_is_not_slot_exhaustion(string? message)
    {
        Assert.False(SlotExhaustion.IsSlotExhaustion(BleErrorCodes.ConnectionFailed, message));
    }

    [Theory]
    [InlineData(BleErrorCodes.Timeout)]
    [InlineData(BleErrorCodes.DeviceNotFound)]
    [InlineData(BleErrorCodes.ConnectionAborted)]
    [InlineData(BleErrorCodes.InternalError)]
    [InlineData("Connection_Failed")]
    public void Other_code_with_marker_is_not_slot_exhaustion(string code)
    {
        Assert.False(SlotExhaustion.IsSlotExhaustion(code, "out of connection slots"));
        Assert.False(new BleProxyError(code, "no free connection slot").IsOutOfConnectionSlots);
    }

    [Theory]
    [InlineData("connect failed: out_of_connection_slots", true)]
    [InlineData("CONNECT FAILED: OUT_OF_CONNECTION_SLOTS", true)]
    [InlineData("proxy kitchen: No free connection slot", true)]
    [InlineData("error connection_failed: Out Of Slots", true)]
    [InlineData("connection_failed: timeout while connecting", false)]
    [InlineData("commissioning completed", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void MentionsSlotExhaustion_finds_markers_and_the_code_in_free_text(string? text, bool expected)
    {
        Assert.Equal(expected, SlotExhaustion.MentionsSlotExhaustion(text));
    }

    [Fact]
    public void Every_documented_marker_classifies_connection_failed()
    {
        Assert.NotEmpty(SlotExhaustion.LegacyMarkers);
        foreach (var marker in SlotExhaustion.LegacyMarkers)
        {
            Assert.True(SlotExhaustion.IsSlotExhaustion(BleErrorCodes.ConnectionFailed, "x " + marker.ToUpperInvariant() + " y"), marker);
            Assert.True(SlotExhaustion.MentionsSlotExhaustion(marker), marker);
        }
    }
}
