using CommissioningActors.Core.Jobs;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace CommissioningActors.Core.Tests.Jobs;

public sealed class JobOutputBufferPropertyTests
{
    /// <summary>The trimming rule written the obvious way: a list, sliced whenever it is over the cap.</summary>
    private sealed class NaiveModel(int cap, int floor)
    {
        private readonly List<string> _lines = [];

        public long Elided { get; private set; }

        public long Total { get; private set; }

        public bool SawSlotExhaustion { get; private set; }

        public int RetainedCount => _lines.Count;

        public List<string> Lines =>
            Elided > 0 ? [$"... [output trimmed: {Elided} earlier line(s) elided]", .. _lines] : [.. _lines];

        public void Append(string line, bool isSlotExhaustion)
        {
            _lines.Add(line);
            Total++;
            SawSlotExhaustion |= isSlotExhaustion;
            if (_lines.Count > cap)
            {
                TrimToFloor();
            }
        }

        public void Complete()
        {
            if (_lines.Count > floor)
            {
                TrimToFloor();
            }
        }

        private void TrimToFloor()
        {
            var drop = _lines.Count - floor;
            _lines.RemoveRange(0, drop);
            Elided += drop;
        }
    }

    public sealed record Scenario(int Cap, int Floor, int LineCount, int SlotLineAt, bool Complete);

    private static readonly Gen<Scenario> Scenarios =
        from floor in Gen.Choose(1, 20)
        from gap in Gen.Choose(1, 30)
        from lineCount in Gen.Choose(0, 300)
        from slotLineAt in Gen.Choose(-1, 300)
        from complete in Gen.Elements(true, false)
        select new Scenario(floor + gap, floor, lineCount, slotLineAt, complete);

    [Property(MaxTest = 300)]
    public Property Buffer_matches_the_naive_list_model() =>
        Prop.ForAll(Scenarios.ToArbitrary(), scenario =>
        {
            var buffer = new JobOutputBuffer(new JobOutputLimits(scenario.Cap, scenario.Floor));
            var model = new NaiveModel(scenario.Cap, scenario.Floor);
            var snapshots = new List<(JobOutputSnapshot Snapshot, List<string> Lines, long Elided, long Sequence)>();

            for (var i = 0; i < scenario.LineCount; i++)
            {
                var isSlot = i == scenario.SlotLineAt;
                var line = isSlot ? $"line {i}: out of connection slots" : $"line {i}";
                var sequence = buffer.Append(line);
                model.Append(line, isSlot);

                Assert.Equal(model.Total, sequence);
                AssertSame(model, buffer);
                snapshots.Add((buffer.Snapshot(), model.Lines, model.Elided, model.Total));
            }

            if (scenario.Complete)
            {
                buffer.Complete();
                model.Complete();
                Assert.True(buffer.RetainedCount <= scenario.Floor);
            }

            AssertSame(model, buffer);
            Assert.Equal(model.SawSlotExhaustion, buffer.SawSlotExhaustion);
            Assert.Equal(model.Total - model.RetainedCount, buffer.Elided);

            // Snapshots taken along the way still show what was true when they were taken.
            foreach (var (snapshot, lines, elided, sequence) in snapshots)
            {
                Assert.Equal(lines, snapshot.Lines);
                Assert.Equal(elided, snapshot.Elided);
                Assert.Equal(sequence, snapshot.LastSequence);
            }
        });

    private static void AssertSame(NaiveModel model, JobOutputBuffer buffer)
    {
        Assert.Equal(model.Lines, buffer.Lines);
        Assert.Equal(model.Elided, buffer.Elided);
        Assert.Equal(model.RetainedCount, buffer.RetainedCount);
        Assert.Equal(model.Total, buffer.TotalAppended);
    }
}
