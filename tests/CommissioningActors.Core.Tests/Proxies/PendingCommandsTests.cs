using Akka.Actor;
using Akka.TestKit.Xunit2;
using CommissioningActors.Core.Proxies;
using CommissioningActors.Protocol.BleProxy;

namespace CommissioningActors.Core.Tests.Proxies;

public sealed class PendingCommandsTests : TestKit
{
    private readonly IActorRef _a;
    private readonly IActorRef _b;

    public PendingCommandsTests()
    {
        _a = CreateTestProbe("a").Ref;
        _b = CreateTestProbe("b").Ref;
    }

    [Fact]
    public void Ids_increase_from_one_and_an_answer_completes_its_command_once()
    {
        var table = new PendingCommands();
        var connect = table.Add(new Connect("AA"), _a, "c1");
        var scan = table.Add(new StartScan(), _b, null);

        Assert.Equal((1, 2), (connect, scan));
        Assert.True(table.TryComplete(connect, out var pending));
        Assert.Equal(new PendingCommand(new Connect("AA"), _a, "c1"), pending);
        Assert.False(table.TryComplete(connect, out _));
        Assert.False(table.TryComplete(99, out _));
        Assert.Equal(1, table.Count);
    }

    [Fact]
    public void A_timed_out_command_leaves_the_table_and_a_late_answer_finds_it_once()
    {
        var table = new PendingCommands();
        var id = table.Add(new Connect("AA"), _a, null);

        Assert.True(table.TryTimeOut(id, out var timedOut));
        Assert.Equal(_a, timedOut.Requester);
        Assert.Equal(0, table.Count);
        Assert.False(table.TryComplete(id, out _));
        Assert.False(table.TryTimeOut(id, out _));

        Assert.True(table.TryTakeTimedOut(id, out var command));
        Assert.Equal(new Connect("AA"), command);
        Assert.False(table.TryTakeTimedOut(id, out _));
    }

    [Fact]
    public void An_answered_command_cannot_time_out_afterwards()
    {
        var table = new PendingCommands();
        var id = table.Add(new Disconnect(3), _a, null);
        Assert.True(table.TryComplete(id, out _));

        Assert.False(table.TryTimeOut(id, out _));
        Assert.False(table.TryTakeTimedOut(id, out _));
    }

    [Fact]
    public void Timed_out_commands_are_remembered_up_to_the_bound_oldest_first_out()
    {
        var table = new PendingCommands(maxRememberedTimeouts: 2);
        var ids = Enumerable.Range(0, 3).Select(i => table.Add(new Connect($"A{i}"), _a, null)).ToList();
        ids.ForEach(id => Assert.True(table.TryTimeOut(id, out _)));

        Assert.False(table.TryTakeTimedOut(ids[0], out _));
        Assert.True(table.TryTakeTimedOut(ids[1], out _));
        Assert.True(table.TryTakeTimedOut(ids[2], out _));
    }

    [Fact]
    public void A_gone_requester_marks_only_its_own_commands()
    {
        var table = new PendingCommands();
        var mine = table.Add(new Connect("AA"), _a, null);
        var other = table.Add(new Connect("BB"), _b, null);

        table.MarkRequesterGone(_a);

        Assert.True(table.TryComplete(mine, out var gone));
        Assert.True(gone.RequesterGone);
        Assert.True(table.TryComplete(other, out var kept));
        Assert.False(kept.RequesterGone);
    }

    [Fact]
    public void Take_all_empties_the_table_and_returns_what_was_in_flight()
    {
        var table = new PendingCommands();
        table.Add(new Connect("AA"), _a, null);
        table.Add(new StopScan(), _b, null);

        var all = table.TakeAll();

        Assert.Equal(["connect", "stop_scan"], all.Select(p => p.Command.Name).Order());
        Assert.Equal(0, table.Count);
        Assert.Empty(table.TakeAll());
    }
}
