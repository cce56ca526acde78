using Compiled.Testing;
using static Compiled.Tests.EventTimeTests.EventTimeTestKit;

namespace Compiled.Tests.EventTimeTests;

/// <summary>
/// Records behind the watermark: dropped and counted, or sent to the <c>Late</c> sink (exactly those, in order) and
/// counted; a record exactly at the watermark is not late; the watermark moves only at batch boundaries, never back.
/// </summary>
public class LateRecordTests
{
    [Fact]
    public void Late_WithoutALateSink_IsDroppedAndCounted_ARecordAtTheWatermarkIsNot()
    {
        // DroppedLate: 5s of lateness.
        using var test = new DroppedLate.TestDriver();
        test.Clicks
            .Batch((20000, "a", 1))                                             // watermark → 15000
            .Batch((14999, "a", 2), (15000, "a", 4), (16000, "b", 8), (100, "c", 16)); // 14999 and 100 are late

        test.Run(1);
        Assert.Equal(0, test.Metrics.LateRecords);
        test.Run(1);
        Assert.Equal(2, test.Metrics.LateRecords);
        test.RunToEnd();

        // Neither late record is in any window: 14999 would have gone to [10000,20000) with 15000, 100 to [0,10000).
        Assert.Equal([At(1000), At(2000), At(3000, W(10000, 20000, "a", 4), W(10000, 20000, "b", 8), W(20000, 30000, "a", 1))], test.TumblingOut.Batches);
        Assert.Equal(
            [At(1000), At(2000), At(3000, W(15000, 18000, "a", 4), W(16000, 19000, "b", 8), W(20000, 23000, "a", 1))],
            Canonical(test.SessionsOut.Batches));
        Assert.DoesNotContain(test.SlidingOut.Records, r => r.Key == "c");
        Assert.Equal(2, test.Metrics.LateRecords);
    }

    [Fact]
    public void Late_WithALateSink_GoesThereInOrder_AndIsCounted()
    {
        // LateToSink: 2s of lateness, late clicks to TooLate.
        using var test = new LateToSink.TestDriver();
        test.Clicks
            .Batch((10000, "a", 1), (20000, "b", 2), (5000, "a", 4))              // → 18000: [0,10000) closes
            .Batch((17999, "c", 8), (18000, "c", 16), (9999, "a", 32), (25000, "b", 64)) // 17999 and 9999 late; → 23000
            .Batch((20999, "d", 128), (23000, "d", 256));                          // 20999 late; the last batch
        test.RunToEnd();

        Assert.Equal(
            [
                new OutputBatch<(long Time, string User, long Value)>(1000, []),
                new OutputBatch<(long Time, string User, long Value)>(2000, [(17999, "c", 8), (9999, "a", 32)]),
                new OutputBatch<(long Time, string User, long Value)>(3000, [(20999, "d", 128)]),
            ],
            test.TooLate.Batches);
        Assert.Equal(3, test.Metrics.LateRecords);
        Assert.Equal(
            [
                At(1000, W(0, 10000, "a", 4)),
                At(2000, W(10000, 20000, "a", 1), W(10000, 20000, "c", 16)),
                At(3000, W(20000, 30000, "b", 2 + 64), W(20000, 30000, "d", 256)),
            ],
            test.TumblingOut.Batches);
    }

    [Fact]
    public void Watermark_MovesOnlyAtBatchBoundaries_AndNeverBack()
    {
        // DroppedLate: 5s of lateness.
        using var test = new DroppedLate.TestDriver();
        test.Clicks
            .Batch((10000, "a", 1))                  // → 5000
            .Batch((30000, "a", 2), (6000, "a", 4))  // 6000 comes after 30000 but is judged against 5000: kept; → 25000
            .Batch((26000, "a", 8), (24999, "a", 16)) // 24999 late; 26000 is not the latest: the watermark stays
            .Batch((25000, "a", 32));                // still 25000: kept
        test.Run();

        Assert.Equal(1, test.Metrics.LateRecords);
        Assert.Equal(
            [At(1000), At(2000, W(0, 10000, "a", 4), W(10000, 20000, "a", 1)), At(3000), At(4000)],
            test.TumblingOut.Batches);
        test.RunToEnd();
        Assert.Equal(At(5000, W(20000, 30000, "a", 8 + 32), W(30000, 40000, "a", 2)), test.TumblingOut.Batches[4]);
    }
}
