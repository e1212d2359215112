using CommissioningActors.Protocol.Matter.Messages;
using Xunit;

namespace CommissioningActors.Protocol.Tests.Matter.Messages;

public class MessageCounterTests
{
    [Theory]
    [InlineData(0u, 1u)]
    [InlineData(0x0000000Fu, 1u)]
    [InlineData(0x00000010u, 2u)]
    [InlineData(uint.MaxValue, 1u << 28)]
    public void Initial_value_is_in_one_to_two_to_the_28(uint random, uint expected)
    {
        Assert.Equal(expected, MessageCounter.RandomInitial(() => random));
        Assert.Equal(expected, MessageCounter.ForSecureSession(() => random).Peek);
    }

    [Fact]
    public void Real_random_initial_values_stay_in_range()
    {
        for (var i = 0; i < 1000; i++)
        {
            Assert.InRange(MessageCounter.RandomInitial(), 1u, 1u << 28);
        }
    }

    [Fact]
    public void Counts_up_one_per_message()
    {
        var counter = MessageCounter.ForSecureSession(() => 0x100);
        Assert.True(counter.TryNext(out var first));
        Assert.True(counter.TryNext(out var second));
        Assert.Equal(0x11u, first);
        Assert.Equal(0x12u, second);
    }

    [Fact]
    public void A_secure_session_counter_never_rolls_over()
    {
        var counter = MessageCounter.StartingAt(uint.MaxValue - 1, rollsOver: false);
        Assert.True(counter.TryNext(out var last));
        Assert.Equal(uint.MaxValue - 1, last);
        Assert.True(counter.TryNext(out last));
        Assert.Equal(uint.MaxValue, last);
        Assert.False(counter.TryNext(out _));
        Assert.False(counter.TryNext(out _));
    }

    [Fact]
    public void The_unsecured_counter_rolls_over_to_zero()
    {
        var counter = MessageCounter.StartingAt(uint.MaxValue, rollsOver: true);
        Assert.True(counter.TryNext(out var last));
        Assert.Equal(uint.MaxValue, last);
        Assert.True(counter.TryNext(out last));
        Assert.Equal(0u, last);
    }
}
