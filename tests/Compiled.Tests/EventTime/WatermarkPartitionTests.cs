using Compiled.Windows;

namespace Compiled.Tests.EventTimeTests;

/// <summary>
/// A job's watermark fed by the watermarks of its partitions (<see cref="Watermark.MergeInto"/>): the input's latest
/// event time is the partition furthest behind, a partition that has read all its ranges holds nothing back, and a
/// partition judges lateness by the job's value (<see cref="Watermark.Follow"/>).
/// </summary>
public class WatermarkPartitionTests
{
    [Fact]
    public void TheJobsWatermark_FollowsThePartitionFurthestBehind_UntilItEnds()
    {
        var job = new Watermark(1_000);
        var second = new Watermark(0);
        var third = new Watermark(0);

        // Each partition reads a range of its own: the job's around 10 s, the second's around 50 s, the third's 90 s.
        job.Observe(10_000);
        second.Observe(50_000);
        third.Observe(90_000);
        second.MergeInto(job, 1, ended: false, jobRangeEnded: false);
        third.MergeInto(job, 2, ended: false, jobRangeEnded: false);
        job.Advance(1_000, isLast: false);
        Assert.Equal(9_000, job.Value);

        // The job's own range has ended: the second partition is now the one furthest behind.
        second.Observe(52_000);
        second.MergeInto(job, 1, ended: false, jobRangeEnded: true);
        third.MergeInto(job, 2, ended: false, jobRangeEnded: true);
        job.Advance(2_000, isLast: false);
        Assert.Equal(51_000, job.Value);

        // Every range has ended: the latest of all.
        second.MergeInto(job, 1, ended: true, jobRangeEnded: true);
        third.MergeInto(job, 2, ended: true, jobRangeEnded: true);
        job.Advance(3_000, isLast: false);
        Assert.Equal(89_000, job.Value);
    }

    [Fact]
    public void PartitionZeroKeptApart_IsTheJobsOwnClock_AndAnAdvanceRepeatedForTheSameBatchMovesNothing()
    {
        // The same records, read by the job itself or by partition 0 kept apart and merged first: the same watermark,
        // batch after batch, and the same checkpoint (the job's own clock holds partition 0's latest time).
        var own = new Watermark(1_000, inputs: 1, idleTimeoutMilliseconds: 60_000);
        var apart = new Watermark(1_000, inputs: 1, idleTimeoutMilliseconds: 60_000);
        var first = new Watermark(0);
        var secondOfOwn = new Watermark(0);
        var secondOfApart = new Watermark(0);
        long[][] times = [[10_000, 12_000], [30_000, 31_000], [33_000, 45_000]];
        for (int batch = 0; batch < times.Length; batch++)
        {
            bool ended = batch == times.Length - 1;
            own.Observe(times[batch][0]);
            first.Observe(times[batch][0]);
            secondOfOwn.Observe(times[batch][1]);
            secondOfApart.Observe(times[batch][1]);
            secondOfOwn.MergeInto(own, 1, ended, jobRangeEnded: ended);
            first.MergeInto(apart, 0, ended, jobRangeEnded: ended);
            secondOfApart.MergeInto(apart, 1, ended, jobRangeEnded: ended);

            long batchTime = (batch + 1) * 1_000;
            own.Advance(batchTime, isLast: false);
            apart.Advance(batchTime, isLast: false);
            long moved = apart.Value;
            apart.Advance(batchTime, isLast: false);
            Assert.Equal(moved, apart.Value);
            Assert.Equal(own.Value, apart.Value);
            Assert.Equal(own.LatestOf(0), apart.LatestOf(0));
            Assert.Equal(own.LastActiveAt(0), apart.LastActiveAt(0));
        }

        Assert.Equal(44_000, apart.Value);
    }

    [Fact]
    public void APartitionWithoutARecordYet_HoldsTheWatermark_AsAnInputWithoutOneDoes()
    {
        var job = new Watermark(0);
        var second = new Watermark(0);
        job.Observe(10_000);
        second.MergeInto(job, 1, ended: false, jobRangeEnded: false);
        job.Advance(1_000, isLast: false);
        Assert.Equal(long.MinValue, job.Value);

        second.Observe(20_000);
        second.MergeInto(job, 1, ended: false, jobRangeEnded: false);
        job.Advance(2_000, isLast: false);
        Assert.Equal(10_000, job.Value);
    }

    [Fact]
    public void APartition_JudgesLatenessByTheJobsValue()
    {
        var job = new Watermark(0);
        var second = new Watermark(0);
        job.Observe(10_000);
        job.Advance(1_000, isLast: false);
        Assert.False(second.IsLate(5_000));

        second.Follow(job);
        Assert.True(second.IsLate(5_000));
        Assert.False(second.IsLate(10_000));
    }

    [Fact]
    public void AWatermarkOfSeveralInputs_DoesNotMerge()
    {
        var job = new Watermark(0, inputs: 2);
        var error = Assert.Throws<InvalidOperationException>(() => new Watermark(0).MergeInto(job, 1, ended: false, jobRangeEnded: false));
        Assert.Contains("one input", error.Message, StringComparison.Ordinal);
    }
}
