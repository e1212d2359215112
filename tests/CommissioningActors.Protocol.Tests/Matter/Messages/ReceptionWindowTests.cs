using CommissioningActors.Protocol.Matter.Messages;
using Xunit;

namespace CommissioningActors.Protocol.Tests.Matter.Messages;

public class ReceptionWindowTests
{
    [Fact]
    public void A_secure_session_starts_synchronised_at_zero()
    {
        var window = ReceptionWindow.ForSecureUnicast();
        Assert.Equal(0u, window.MaxCounter);
        Assert.Equal(CounterCheck.Duplicate, window.Check(0));
        Assert.Equal(CounterCheck.New, window.Check(0x1234));
        Assert.Equal(CounterCheck.Duplicate, window.Check(0x1234));
        Assert.Equal(CounterCheck.New, window.Check(0x1233)); // an earlier message overtaken by a later one
        Assert.Equal(CounterCheck.Duplicate, window.Check(0x1233));
        Assert.Equal(CounterCheck.Duplicate, window.Check(0x0001)); // behind the window
        Assert.Equal(CounterCheck.New, window.Check(0x1235));
    }

    [Fact]
    public void An_unsecured_session_trusts_its_first_counter_and_has_seen_nothing_below_it()
    {
        var window = ReceptionWindow.ForUnsecured();
        Assert.Null(window.MaxCounter);
        Assert.Equal(CounterCheck.New, window.Check(0x1234));
        Assert.Equal(CounterCheck.New, window.Check(0x1230));
        Assert.Equal(CounterCheck.Duplicate, window.Check(0x1230));
    }

    [Fact]
    public void Out_of_order_counters_inside_the_window_are_accepted_once()
    {
        var window = ReceptionWindow.ForSecureUnicast();
        Assert.Equal(CounterCheck.New, window.Check(100));
        Assert.Equal(CounterCheck.New, window.Check(110)); // 101..109 not yet seen
        Assert.Equal(CounterCheck.New, window.Check(105));
        Assert.Equal(CounterCheck.Duplicate, window.Check(105));
        Assert.Equal(CounterCheck.New, window.Check(101));
        Assert.Equal(CounterCheck.Duplicate, window.Check(100)); // the old maximum is marked seen
        Assert.Equal(CounterCheck.Duplicate, window.Check(110));
        Assert.Equal(110u, window.MaxCounter);
    }

    [Fact]
    public void The_window_is_exactly_32_counters_wide()
    {
        var window = ReceptionWindow.ForSecureUnicast();
        window.Check(1000);
        Assert.Equal(CounterCheck.New, window.Check(1033)); // jump of 33: 1001..1032 unseen
        Assert.Equal(CounterCheck.New, window.Check(1001)); // max-32: the oldest slot
        Assert.Equal(CounterCheck.Duplicate, window.Check(1000)); // max-33: behind the window
        Assert.Equal(CounterCheck.New, window.Check(1032));
    }

    [Fact]
    public void A_jump_of_exactly_32_keeps_the_old_maximum_as_seen()
    {
        var window = ReceptionWindow.ForSecureUnicast();
        window.Check(1000);
        Assert.Equal(CounterCheck.New, window.Check(1032));
        Assert.Equal(CounterCheck.Duplicate, window.Check(1000));
        Assert.Equal(CounterCheck.New, window.Check(1001));
        Assert.Equal(CounterCheck.New, window.Check(1031));
    }

    [Fact]
    public void Secure_counters_behind_the_window_are_duplicates_never_a_reset()
    {
        var window = ReceptionWindow.ForSecureUnicast();
        window.Check(5000);
        Assert.Equal(CounterCheck.Duplicate, window.Check(10));
        Assert.Equal(5000u, window.MaxCounter);
    }

    [Fact]
    public void Unsecured_duplicates_are_flagged_and_a_rebooted_peer_is_accepted()
    {
        var window = ReceptionWindow.ForUnsecured();
        Assert.Equal(CounterCheck.New, window.Check(5000));
        Assert.Equal(CounterCheck.Duplicate, window.Check(5000));
        Assert.Equal(CounterCheck.New, window.Check(10)); // far behind: the peer restarted its counter
        Assert.Equal(10u, window.MaxCounter);
        Assert.Equal(CounterCheck.Duplicate, window.Check(10));
    }

    [Fact]
    public void Unsecured_counters_roll_over()
    {
        var window = ReceptionWindow.ForUnsecured();
        window.Check(uint.MaxValue - 1);
        Assert.Equal(CounterCheck.New, window.Check(1)); // 3 ahead across the rollover
        Assert.Equal(1u, window.MaxCounter);
        Assert.Equal(CounterCheck.New, window.Check(uint.MaxValue)); // inside the window, behind 1
        Assert.Equal(CounterCheck.Duplicate, window.Check(uint.MaxValue));
        Assert.Equal(CounterCheck.Duplicate, window.Check(uint.MaxValue - 1));
        Assert.Equal(CounterCheck.New, window.Check(0));
    }

    [Fact]
    public void Secure_counters_do_not_roll_over()
    {
        var window = ReceptionWindow.ForSecureUnicast();
        window.Check(uint.MaxValue - 1);
        Assert.Equal(CounterCheck.Duplicate, window.Check(1));
        Assert.Equal(CounterCheck.New, window.Check(uint.MaxValue));
    }
}
