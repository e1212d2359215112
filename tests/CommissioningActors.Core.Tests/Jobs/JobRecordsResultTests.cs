using CommissioningActors.Core.Commissioning;
using CommissioningActors.Core.Jobs;
using CommissioningActors.Protocol.Matter.Btp;

namespace CommissioningActors.Core.Tests.Jobs;

/// <summary>A finished job's result survives the history store whatever kind it is.</summary>
public sealed class JobRecordsResultTests
{
    private static JobSnapshot Finished(AttemptCompleted result) => new(
        new JobState("j1", null, JobStatus.Completed, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, null, null, result, 0, 0, false),
        new JobOutputSnapshot([], 0, 0));

    [Fact]
    public void A_node_result_and_a_ble_result_both_round_trip_through_the_stored_row()
    {
        var node = new NodeCommissioned("j1", 12, 0xFFF1, 0x8000, "udp", "127.0.0.1:5540");
        Assert.Equal(node, JobRecords.ToSnapshot(JobRecords.ToStored(Finished(node)))!.State.Result);

        var ble = new AttemptSucceeded("j1", "AA:BB:CC:DD:EE:FF", "p1", 3840, 0xFFF1, null, 247, new BtpHandshakeResponse(4, 244, 6));
        var restored = Assert.IsType<AttemptSucceeded>(JobRecords.ToSnapshot(JobRecords.ToStored(Finished(ble)))!.State.Result);
        Assert.Equal(ble with { Btp = restored.Btp }, restored);
        Assert.Equal(ble.Btp.SegmentSize, restored.Btp.SegmentSize);
    }
}
