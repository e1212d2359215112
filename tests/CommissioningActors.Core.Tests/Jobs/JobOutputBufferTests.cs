using CommissioningActors.Core.Jobs;

namespace CommissioningActors.Core.Tests.Jobs;

public sealed class JobOutputBufferTests
{
    private static readonly JobOutputLimits Small = new(InFlightCap: 10, RetentionFloor: 4);

    private static string L(long n) => $"line {n}";

    private static IEnumerable<string> Range(long first, long last)
    {
        for (var n = first; n <= last; n++)
        {
            yield return L(n);
        }
    }

    private static JobOutputBuffer AppendLines(JobOutputBuffer buffer, int count)
    {
        for (var i = 0; i < count; i++)
        {
            buffer.Append(L(buffer.TotalAppended + 1));
        }

        return buffer;
    }

    [Fact]
    public void Up_to_the_cap_nothing_is_trimmed_and_there_is_no_notice()
    {
        var buffer = AppendLines(new JobOutputBuffer(Small), 10);

        Assert.Equal(Range(1, 10), buffer.Lines);
        Assert.Equal(0, buffer.Elided);
        Assert.Equal(10, buffer.RetainedCount);
        Assert.DoesNotContain(buffer.Lines, l => l.StartsWith("...", StringComparison.Ordinal));
    }

    [Fact]
    public void Crossing_the_cap_trims_to_the_floor_newest_lines_with_the_notice_first()
    {
        var buffer = AppendLines(new JobOutputBuffer(Small), 11);

        // 11 lines > cap 10: keep the newest 4 (8..11), 7 elided.
        Assert.Equal(7, buffer.Elided);
        Assert.Equal(4, buffer.RetainedCount);
        Assert.Equal(["... [output trimmed: 7 earlier line(s) elided]", .. Range(8, 11)], buffer.Lines);
    }

    [Fact]
    public void Elided_count_is_cumulative_across_mid_run_trims_and_the_completion_trim()
    {
        var buffer = new JobOutputBuffer(Small);
        var elidedAfter = new Dictionary<long, long>();
        for (var n = 1; n <= 23; n++)
        {
            buffer.Append(L(n));
            elidedAfter[n] = buffer.Elided;
        }

        // Trims at line 11 (keep 8..11) and line 18 (count back to cap at 17, keep 15..18).
        Assert.Equal(0, elidedAfter[10]);
        Assert.Equal(7, elidedAfter[11]);
        Assert.Equal(7, elidedAfter[17]);
        Assert.Equal(14, elidedAfter[18]);
        Assert.Equal(14, elidedAfter[23]);
        Assert.Equal(Range(15, 23), buffer.Lines.Skip(1));

        // 9 retained > floor 4: completion drops 15..19 on top of the earlier 14.
        buffer.Complete();

        Assert.Equal(19, buffer.Elided);
        Assert.Equal(4, buffer.RetainedCount);
        Assert.Equal(["... [output trimmed: 19 earlier line(s) elided]", .. Range(20, 23)], buffer.Lines);
    }

    [Fact]
    public void Completion_trim_adds_nothing_when_a_mid_run_trim_already_left_the_floor()
    {
        // 25 lines: trims at 11, 18 and 25, each dropping 7, leaving exactly the floor (22..25).
        var buffer = AppendLines(new JobOutputBuffer(Small), 25);
        Assert.Equal(21, buffer.Elided);

        buffer.Complete();

        Assert.Equal(21, buffer.Elided);
        Assert.Equal(["... [output trimmed: 21 earlier line(s) elided]", .. Range(22, 25)], buffer.Lines);
    }

    [Fact]
    public void Completion_below_the_cap_still_trims_to_the_floor()
    {
        var buffer = AppendLines(new JobOutputBuffer(Small), 7);

        buffer.Complete();

        Assert.Equal(3, buffer.Elided);
        Assert.Equal(["... [output trimmed: 3 earlier line(s) elided]", .. Range(4, 7)], buffer.Lines);
    }

    [Fact]
    public void Complete_is_idempotent_and_rejects_further_appends()
    {
        var buffer = AppendLines(new JobOutputBuffer(Small), 7);
        buffer.Complete();
        buffer.Complete();

        Assert.True(buffer.IsCompleted);
        Assert.Equal(3, buffer.Elided);
        Assert.Throws<InvalidOperationException>(() => buffer.Append("late"));
        Assert.Equal(7, buffer.TotalAppended);
        Assert.Equal(Range(4, 7), buffer.Lines.Skip(1));
    }

    [Fact]
    public void Default_limits_hold_4000_lines_then_trim_to_2000()
    {
        var buffer = AppendLines(new JobOutputBuffer(), 4000);
        Assert.Equal(0, buffer.Elided);
        Assert.Equal(4000, buffer.RetainedCount);

        buffer.Append(L(4001));

        Assert.Equal(2001, buffer.Elided);
        Assert.Equal(2000, buffer.RetainedCount);
        Assert.Equal(L(2002), buffer.Lines[1]);
        Assert.Equal(L(4001), buffer.Lines[^1]);
    }

    [Fact]
    public void Unbounded_limits_never_trim()
    {
        var buffer = AppendLines(new JobOutputBuffer(JobOutputLimits.Unbounded), 10_000);
        buffer.Complete();

        Assert.True(JobOutputLimits.Unbounded.IsUnbounded);
        Assert.Equal(0, buffer.Elided);
        Assert.Equal(10_000, buffer.RetainedCount);
        Assert.Equal(Range(1, 10_000), buffer.Lines);
    }

    [Theory]
    [InlineData(4, 4)]
    [InlineData(3, 4)]
    [InlineData(10, 0)]
    [InlineData(10, -1)]
    public void Limits_reject_a_cap_not_above_the_floor_or_a_floor_below_one(int cap, int floor)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new JobOutputLimits(cap, floor));
    }

    [Fact]
    public void Limits_default_to_4000_and_2000()
    {
        Assert.Equal(4000, JobOutputLimits.Default.InFlightCap);
        Assert.Equal(2000, JobOutputLimits.Default.RetentionFloor);
        Assert.False(JobOutputLimits.Default.IsUnbounded);
        Assert.Same(JobOutputLimits.Default, new JobOutputBuffer().Limits);
    }

    [Fact]
    public void Sequence_numbers_start_at_one_and_keep_counting_across_trims()
    {
        var buffer = new JobOutputBuffer(Small);
        Assert.Equal(0, buffer.TotalAppended);
        Assert.Equal(0, buffer.Snapshot().LastSequence);

        var sequences = Enumerable.Range(0, 30).Select(i => buffer.Append($"x{i}")).ToList();

        Assert.Equal(Enumerable.Range(1, 30).Select(i => (long)i), sequences);
        Assert.Equal(30, buffer.TotalAppended);
        var snapshot = buffer.Snapshot();
        Assert.Equal(30, snapshot.LastSequence);
        Assert.Equal(buffer.RetainedCount, snapshot.RetainedCount);
        Assert.Equal(buffer.Elided + 1, snapshot.FirstRetainedSequence);
        Assert.Equal($"x{snapshot.FirstRetainedSequence - 1}", snapshot.Lines[1]);
    }

    [Fact]
    public void A_trimmed_away_slot_exhaustion_line_still_sets_the_verdict()
    {
        var buffer = new JobOutputBuffer(Small);
        buffer.Append("connecting to proxy");
        buffer.Append("connection_failed: Out of connection slots");
        AppendLines(buffer, 20);
        buffer.Complete();

        Assert.DoesNotContain(buffer.Lines, l => l.Contains("slots", StringComparison.OrdinalIgnoreCase));
        Assert.True(buffer.SawSlotExhaustion);
        Assert.Equal(new VerdictFacts(true, "connection_failed: Out of connection slots", 2), buffer.Facts);
    }

    [Fact]
    public void The_first_slot_exhaustion_line_is_kept_when_more_follow()
    {
        var buffer = new JobOutputBuffer(Small);
        buffer.Append("no free connection slot");
        buffer.Append("out_of_connection_slots");

        Assert.Equal(new VerdictFacts(true, "no free connection slot", 1), buffer.Facts);
    }

    [Fact]
    public void Ordinary_lines_do_not_set_the_verdict()
    {
        var buffer = new JobOutputBuffer(Small);
        buffer.Append("connected; 3 connection slot(s) free");
        AppendLines(buffer, 30);

        Assert.False(buffer.SawSlotExhaustion);
        Assert.Same(VerdictFacts.None, buffer.Facts);
    }

    [Fact]
    public void A_snapshot_is_not_changed_by_later_appends_trims_completion_or_secrets()
    {
        var buffer = AppendLines(new JobOutputBuffer(Small), 5);
        var before = buffer.Snapshot();

        AppendLines(buffer, 20);
        buffer.RegisterSecret("line");
        buffer.Complete();

        Assert.Equal(Range(1, 5), before.Lines);
        Assert.Equal(0, before.Elided);
        Assert.Equal(5, before.LastSequence);
        Assert.Throws<NotSupportedException>(() => ((IList<string>)before.Lines)[0] = "changed");
        Assert.NotEqual(before.Lines, buffer.Lines);
    }

    [Fact]
    public void Registered_secrets_never_reach_the_lines_or_the_verdict()
    {
        var buffer = new JobOutputBuffer(Small);
        buffer.RegisterSecret("3497-011-2332");
        buffer.RegisterSecret("20202021");
        buffer.Append("manual code 34970112332, printed 3497-011-2332 or 3497 011 2332");
        buffer.Append("passcode=20202021");
        buffer.Append("pin 20202021 rejected: out of connection slots");

        Assert.Equal(
            ["manual code ***, printed *** or ***", "passcode=***", "pin *** rejected: out of connection slots"],
            buffer.Lines);
        Assert.Equal("pin *** rejected: out of connection slots", buffer.Facts.FirstSlotExhaustionLine);
        Assert.DoesNotContain(buffer.Lines, l => l.Contains("2021", StringComparison.Ordinal) || l.Contains("2332", StringComparison.Ordinal));
    }

    [Fact]
    public void Registering_a_secret_late_scrubs_lines_already_retained()
    {
        var buffer = new JobOutputBuffer(Small);
        buffer.Append("out of connection slots while using passcode 20202021");
        buffer.Append("retrying with 20202021");

        buffer.RegisterSecret("20202021");

        Assert.Equal(["out of connection slots while using passcode ***", "retrying with ***"], buffer.Lines);
        Assert.Equal("out of connection slots while using passcode ***", buffer.Facts.FirstSlotExhaustionLine);
    }

    [Fact]
    public void The_redact_hook_runs_on_every_append_after_registered_secrets()
    {
        var seen = new List<string>();
        var buffer = new JobOutputBuffer(Small, line =>
        {
            seen.Add(line);
            return line.Replace("wifi=hunter2", "wifi=<hidden>", StringComparison.Ordinal);
        });
        buffer.RegisterSecret("20202021");

        buffer.Append("passcode 20202021 wifi=hunter2");

        Assert.Equal(["passcode *** wifi=hunter2"], seen);
        Assert.Equal(["passcode *** wifi=<hidden>"], buffer.Lines);
    }

    [Fact]
    public void Append_rejects_null()
    {
        Assert.Throws<ArgumentNullException>(() => new JobOutputBuffer().Append(null!));
    }
}
