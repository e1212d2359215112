using CommissioningActors.Protocol.BleProxy;

namespace CommissioningActors.Protocol.Tests;

public class BleUuidTests
{
    private const string Fff6 = "0000fff6-0000-1000-8000-00805f9b34fb";
    private const string C1 = "18ee2ef5-263d-4559-959f-4f9c429f9d11";

    [Theory]
    [InlineData("fff6", Fff6)]
    [InlineData("FFF6", Fff6)]
    [InlineData("FfF6", Fff6)]
    [InlineData("0000fff6", Fff6)]
    [InlineData("1234ABCD", "1234abcd-0000-1000-8000-00805f9b34fb")]
    [InlineData("0000FFF6-0000-1000-8000-00805F9B34FB", Fff6)]
    [InlineData("0000fff6-0000-1000-8000-00805f9b34fb", Fff6)]
    [InlineData("0000fff600001000800000805f9b34fb", Fff6)]
    [InlineData("18EE2EF5263D4559959F4F9C429F9D11", C1)]
    [InlineData("18EE2EF5-263D-4559-959F-4F9C429F9D11", C1)]
    public void Normalize_maps_every_accepted_form_to_lowercase_dashed_128_bit(string input, string expected)
    {
        Assert.True(BleUuid.TryNormalize(input, out var normalized));
        Assert.Equal(expected, normalized);
        Assert.Equal(expected, BleUuid.Normalize(input));
    }

    [Theory]
    [InlineData("")]
    [InlineData("fff")]
    [InlineData("fff6f")]
    [InlineData("gff6")]
    [InlineData(" fff6")]
    [InlineData("fff6 ")]
    [InlineData("0x fff6")]
    [InlineData("0000fff6-0000-1000-8000-00805f9b34f")]
    [InlineData("0000fff6-0000-1000-8000-00805f9b34fbb")]
    [InlineData("0000fff6x0000-1000-8000-00805f9b34fb")]
    [InlineData("0000fff60-000-1000-8000-00805f9b34fb")]
    [InlineData("0000fff600001000800000805f9b34fz")]
    [InlineData("{0000fff6-0000-1000-8000-00805f9b34fb}")]
    [InlineData("not-a-uuid")]
    public void Garbage_is_rejected(string input)
    {
        Assert.False(BleUuid.TryNormalize(input, out _));
        Assert.Throws<ArgumentException>(() => BleUuid.Normalize(input));
    }

    [Fact]
    public void Null_is_rejected_by_TryNormalize()
    {
        Assert.False(BleUuid.TryNormalize(null, out _));
    }

    [Theory]
    [InlineData("fff6", "0000FFF6-0000-1000-8000-00805F9B34FB", true)]
    [InlineData("fff6", "0000fff600001000800000805f9b34fb", true)]
    [InlineData("18ee2ef5263d4559959f4f9c429f9d11", "18EE2EF5-263D-4559-959F-4F9C429F9D11", true)]
    [InlineData("fff6", "fff7", false)]
    [InlineData("18EE2EF5-263D-4559-959F-4F9C429F9D11", "18EE2EF5-263D-4559-959F-4F9C429F9D12", false)]
    [InlineData("fff6", "garbage", false)]
    [InlineData("garbage", "garbage", false)]
    [InlineData(null, "fff6", false)]
    [InlineData(null, null, false)]
    public void AreEqual_compares_normalised_forms(string? a, string? b, bool expected)
    {
        Assert.Equal(expected, BleUuid.AreEqual(a, b));
        Assert.Equal(expected, BleUuid.AreEqual(b, a));
    }
}
