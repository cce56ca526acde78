using static Compiled.Tests.EventTimeTests.EventTimeTestKit;

namespace Compiled.Tests.EventTimeTests;

/// <summary>
/// Tumbling and sliding [EventWindow]s: out-of-order records land in their windows, windows come out exactly at the batch
/// whose boundary takes the watermark to their end, in order of end, once. Expected outputs are worked out by hand; the
/// same inputs through <see cref="EventTimeModel"/> give the same, which checks the model the property tests rely on.
/// </summary>
public class EventWindowTests
{
    [Fact]
    public void Tumbling_OutOfOrderWithinLateness_LandsInItsWindow_AcrossBatches()
    {
        // DroppedLate: 10s tumbling windows, 5s of lateness.
        (long, string, long)[][] input =
        [
            [(1000, "a", 1), (9000, "a", 2), (12000, "b", 4)],      // watermark → 7000
            [(8000, "a", 8), (7500, "b", 16), (14000, "a", 32)],     // 8000 and 7500 are behind 12000 but not late; → 9000
            [(9500, "a", 64), (15000, "b", 128)],                    // 9500 still goes to [0,10000); → 10000: it closes
            [(19999, "a", 256)],                                     // → 14999
            [],                                                      // no record: the watermark stays
            [(25000, "c", 512)],                                     // → 20000: [10000,20000) closes
        ];
        using var test = new DroppedLate.TestDriver();
        test.Clicks.Batches(input);
        test.Run();
        test.RunToEnd(); // one more, empty, last batch: [20000,30000) closes

        var expected = new[]
        {
            At(1000),
            At(2000),
            At(3000, W(0, 10000, "a", 1 + 2 + 8 + 64), W(0, 10000, "b", 16)),
            At(4000),
            At(5000),
            At(6000, W(10000, 20000, "b", 4 + 128), W(10000, 20000, "a", 32 + 256)), // b was seen first in this window
            At(7000, W(20000, 30000, "c", 512)),
        };
        Assert.Equal(expected, test.TumblingOut.Batches);
        Assert.Equal(0, test.Metrics.LateRecords);
        Assert.Equal(expected, Model([.. input, []], lateness: 5000, runToEnd: true, m => m.Windows(10000)));
    }

    [Fact]
    public void Tumbling_EmittedAtTheBatchWhereTheWatermarkReachesItsEnd_NotBefore()
    {
        using var test = new DroppedLate.TestDriver();
        test.Clicks.Batch((3000, "a", 1)).Batch((14999, "a", 2)).Batch((15000, "a", 4)).Batch((15001, "a", 8));
        test.Run();

        // Watermarks 1: -2000, 2: 9999 (one short of the end), 3: 10000 (the end: emitted), 4: 10001 (nothing more).
        Assert.Equal([At(1000), At(2000), At(3000, W(0, 10000, "a", 1)), At(4000)], test.TumblingOut.Batches);
    }

    [Fact]
    public void Sliding_OutOfOrderWithinLateness_LandsInEveryWindowHoldingIt_AcrossBatches()
    {
        // DroppedLate: 10s windows every 4s (starts at multiples of 4000), 5s of lateness.
        (long, string, long)[][] input =
        [
            [(5000, "a", 1), (13000, "a", 2)],                  // 5000: [-4000,6000) [0,10000) [4000,14000); watermark → 8000
            [(8000, "b", 4), (3000, "a", 8), (9000, "a", 16)],  // 8000 is at the watermark (kept), 3000 behind it (late)
            [(20000, "b", 32)],                                 // → 15000
        ];
        using var test = new DroppedLate.TestDriver();
        test.Clicks.Batches(input);
        test.Run();
        test.RunToEnd(); // an empty last batch closes the rest

        var expected = new[]
        {
            At(1000, W(-4000, 6000, "a", 1)),
            At(2000),
            At(3000, W(0, 10000, "a", 1 + 16), W(0, 10000, "b", 4), W(4000, 14000, "a", 1 + 2 + 16), W(4000, 14000, "b", 4)),
            At(4000, W(8000, 18000, "a", 2 + 16), W(8000, 18000, "b", 4), W(12000, 22000, "a", 2), W(12000, 22000, "b", 32),
                W(16000, 26000, "b", 32), W(20000, 30000, "b", 32)),
        };
        Assert.Equal(expected, test.SlidingOut.Batches);
        Assert.Equal(1, test.Metrics.LateRecords);
        Assert.Equal(expected, Model([.. input, []], lateness: 5000, runToEnd: true, m => m.Windows(10000, 4000)));
    }

    [Fact]
    public void Sliding_BoundaryAndNegativeTimes_BelongToTheWindowsThatHoldThem()
    {
        // 0 and 8000 are window starts, 10000 is the end of [0,10000) (excluded), -1 and -4000 are before the epoch.
        (long, string, long)[][] input = [[(0, "z", 1), (-1, "y", 10), (10000, "x", 100), (8000, "w", 1000), (-4000, "v", 10000)]];
        using var test = new DroppedLate.TestDriver();
        test.Clicks.Batches(input);
        test.Run();
        test.RunToEnd();
        test.Run(1); // after the end: nothing more

        var expectedSliding = new[]
        {
            // Watermark 5000 after the first batch.
            At(1000, W(-12000, -2000, "v", 10000), W(-8000, 2000, "z", 1), W(-8000, 2000, "y", 10), W(-8000, 2000, "v", 10000)),
            At(2000, W(-4000, 6000, "z", 1), W(-4000, 6000, "y", 10), W(-4000, 6000, "v", 10000),
                W(0, 10000, "z", 1), W(0, 10000, "w", 1000),
                W(4000, 14000, "x", 100), W(4000, 14000, "w", 1000),
                W(8000, 18000, "x", 100), W(8000, 18000, "w", 1000)),
            At(3000),
        };
        Assert.Equal(expectedSliding, test.SlidingOut.Batches);
        Assert.Equal(
            [
                At(1000, W(-10000, 0, "y", 10), W(-10000, 0, "v", 10000)),
                At(2000, W(0, 10000, "z", 1), W(0, 10000, "w", 1000), W(10000, 20000, "x", 100)),
                At(3000),
            ],
            test.TumblingOut.Batches);
        Assert.Equal(expectedSliding.Take(2), Model([.. input, []], lateness: 5000, runToEnd: true, m => m.Windows(10000, 4000)));
    }

    [Fact]
    public void Sliding_StructKeys_ZeroLateness_BoundaryRecordsAndTheWatermarkItself()
    {
        // StructKeys: 10s windows every 5s, no lateness: the watermark is the latest event time.
        using var test = new StructKeys.TestDriver();
        test.Clicks
            .Batch((5000, 1, 1), (4999, 2, 10), (12000, 1, 100))   // 5000 starts [5000,15000) and is not in [-5000,5000); → 12000
            .Batch((12000, 2, 1000), (11999, 1, 5));               // 12000 is at the watermark: kept; 11999 is late
        test.RunToEnd();

        Assert.Equal(
            [
                At(1000, W(-5000, 5000, "2", 10), W(0, 10000, "1", 1), W(0, 10000, "2", 10)),
                At(2000, W(5000, 15000, "1", 101), W(5000, 15000, "2", 1000), W(10000, 20000, "1", 100), W(10000, 20000, "2", 1000)),
            ],
            AsText(test.SlidingOut.Batches));
        Assert.Equal(1, test.Metrics.LateRecords);
    }

    [Fact]
    public void DateTimeOffsetExtractor_UsesTheInstant_WhateverTheOffset()
    {
        // OffsetTimes: 10s tumbling windows, 1s of lateness; the same instants written with different offsets.
        using var test = new OffsetTimes.TestDriver();
        test.Clicks
            .Batch(("1970-01-01T01:00:05+01:00", "a", 1), ("1969-12-31T19:00:09-05:00", "a", 2), ("1970-01-01T00:00:10Z", "b", 4)) // 5000, 9000, 10000; → 9000
            .Batch(("1970-01-01T05:30:11+05:30", "a", 8))            // 11000; → 10000: [0,10000) closes
            .Batch(("1970-01-01T00:00:09.500Z", "b", 16))            // 9500: late
            .Batch(("2024-05-01T12:00:03+02:00", "c", 32));          // 1714557603000, in the last batch
        test.RunToEnd();

        Assert.Equal(
            [
                At(1000),
                At(2000, W(0, 10000, "a", 3)),
                At(3000),
                At(4000, W(10000, 20000, "b", 4), W(10000, 20000, "a", 8), W(1_714_557_600_000, 1_714_557_610_000, "c", 32)),
            ],
            test.TumblingOut.Batches);
        Assert.Equal(1, test.Metrics.LateRecords);
    }

    // Runs the batches through the reference model, the last as the end of the run if asked, and returns one stage's output.
    internal static List<Compiled.Testing.OutputBatch<(EventWindow Window, string Key, long Value)>> Model(
        (long Time, string User, long Value)[][] batches, long lateness, bool runToEnd, Func<EventTimeModel, List<Compiled.Testing.OutputBatch<(EventWindow Window, string Key, long Value)>>> stage)
    {
        var model = new EventTimeModel(lateness);
        var output = stage(model);
        for (int i = 0; i < batches.Length; i++)
        {
            model.RunBatch(batches[i].Select(r => new Event(r.Time, r.User, r.Value)), isLast: runToEnd && i == batches.Length - 1);
        }

        return output;
    }
}
