using Compiled.Windows;

namespace Compiled.Tests.EventTimeTests;

/// <summary>
/// <see cref="Watermark"/>'s idle timeout, on batch times (1s batches here): an input that gave no record for the
/// timeout stops holding the watermark back; when every input is idle the watermark moves on with processing time from
/// the latest event time seen, counted from the last batch that had a record. A timeout of 0 never counts an input idle.
/// </summary>
public class WatermarkIdleTests
{
    [Fact]
    public void OneInput_QuietForLessThanTheTimeout_Holds_ThenMovesOnWithProcessingTime()
    {
        var watermark = new Watermark(2000, inputs: 1, idleTimeoutMilliseconds: 5000);
        watermark.Observe(20_000);
        watermark.Advance(1000, isLast: false);
        Assert.Equal(18_000, watermark.Value);

        // Batches 2 to 5: quiet for 4s, under the timeout; the watermark stays.
        for (long now = 2000; now <= 5000; now += 1000)
        {
            watermark.Advance(now, isLast: false);
            Assert.Equal(18_000, watermark.Value);
        }

        // Batch 6: quiet for 5s, idle: 20,000 - 2s + the 5s since the record's batch; then a second a batch.
        watermark.Advance(6000, isLast: false);
        Assert.Equal(23_000, watermark.Value);
        watermark.Advance(7000, isLast: false);
        Assert.Equal(24_000, watermark.Value);
    }

    [Fact]
    public void OneInput_RecordsAgainAfterIdle_StopsTheProcessingTimeAdvance_NeverMovesBack()
    {
        var watermark = new Watermark(0, inputs: 1, idleTimeoutMilliseconds: 3000);
        watermark.Observe(10_000);
        watermark.Advance(1000, isLast: false);
        watermark.Advance(4000, isLast: false);  // idle: 10,000 + 3s
        Assert.Equal(13_000, watermark.Value);

        // The feed comes back behind the watermark: the record is late, yet the source is active again, so the
        // watermark no longer moves with processing time, and it does not move back either.
        Assert.True(watermark.IsLate(11_000));
        watermark.Observe(11_000);
        watermark.Advance(5000, isLast: false);
        Assert.Equal(13_000, watermark.Value);
        watermark.Advance(6000, isLast: false);
        Assert.Equal(13_000, watermark.Value);

        // Its event time catches up and passes: the watermark follows it again.
        watermark.Observe(15_000);
        watermark.Advance(7000, isLast: false);
        Assert.Equal(15_000, watermark.Value);
    }

    [Fact]
    public void OneInput_LateRecordsKeepTheSourceActive()
    {
        // A source that gives only records behind the watermark is not quiet: it is not idle.
        var watermark = new Watermark(0, inputs: 1, idleTimeoutMilliseconds: 2000);
        watermark.Observe(10_000);
        watermark.Advance(1000, isLast: false);
        for (long now = 2000; now <= 10_000; now += 1000)
        {
            watermark.Observe(500);
            watermark.Advance(now, isLast: false);
            Assert.Equal(10_000, watermark.Value);
        }
    }

    [Fact]
    public void TimeoutZero_NeverIdle_TheWatermarkWaitsForRecords()
    {
        var watermark = new Watermark(0, inputs: 2, idleTimeoutMilliseconds: 0);
        watermark.Observe(0, 10_000);
        for (long now = 1000; now <= 1_000_000; now += 1000)
        {
            watermark.Advance(now, isLast: false);
        }

        // Input 1 never gave a record: the watermark still waits for it.
        Assert.Equal(long.MinValue, watermark.Value);
        watermark.Observe(1, 4000);
        watermark.Advance(1_001_000, isLast: false);
        Assert.Equal(4000, watermark.Value);
    }

    [Fact]
    public void TwoInputs_OneNeverGivesARecord_AfterTheTimeoutTheOtherLeads()
    {
        var watermark = new Watermark(1000, inputs: 2, idleTimeoutMilliseconds: 5000);
        for (long now = 1000; now <= 5000; now += 1000)
        {
            watermark.Observe(0, now * 10);
            watermark.Advance(now, isLast: false);
            Assert.Equal(long.MinValue, watermark.Value); // input 1's idle time counts from the first batch boundary
        }

        watermark.Observe(0, 60_000);
        watermark.Advance(6000, isLast: false);
        Assert.Equal(59_000, watermark.Value);  // input 1 is idle: input 0's latest minus the lateness
    }

    [Fact]
    public void TwoInputs_TheOneBehindGoesQuiet_TheWatermarkFollowsTheOther()
    {
        var watermark = new Watermark(0, inputs: 2, idleTimeoutMilliseconds: 3000);
        watermark.Observe(0, 100_000);
        watermark.Observe(1, 50_000);
        watermark.Advance(1000, isLast: false);
        Assert.Equal(50_000, watermark.Value);

        // Input 0 goes on, a second of event time a batch; input 1 is quiet.
        watermark.Observe(0, 101_000);
        watermark.Advance(2000, isLast: false);
        watermark.Observe(0, 102_000);
        watermark.Advance(3000, isLast: false);
        Assert.Equal(50_000, watermark.Value); // input 1 quiet for 2s: it still holds the watermark

        watermark.Observe(0, 103_000);
        watermark.Advance(4000, isLast: false);
        Assert.Equal(103_000, watermark.Value); // quiet for 3s: idle, input 0 leads, by its event time (not processing time)

        watermark.Observe(0, 104_000);
        watermark.Advance(5000, isLast: false);
        Assert.Equal(104_000, watermark.Value);
    }

    [Fact]
    public void TwoInputs_BothQuiet_MovesOnFromTheLatestEventTime_CountedFromTheLastRecord()
    {
        var watermark = new Watermark(500, inputs: 2, idleTimeoutMilliseconds: 3000);
        watermark.Observe(0, 40_000);
        watermark.Observe(1, 30_000);
        watermark.Advance(1000, isLast: false);
        watermark.Observe(1, 35_000);      // input 1's last record, in the batch of 2000
        watermark.Advance(2000, isLast: false);
        Assert.Equal(34_500, watermark.Value);

        watermark.Advance(3000, isLast: false);
        watermark.Advance(4000, isLast: false); // input 0 idle (3s): input 1 leads, and has not moved
        Assert.Equal(34_500, watermark.Value);

        // Input 1 idle too at 5000: the latest event time of either (40,000), less the lateness, plus the 3s since the
        // last record of any input.
        watermark.Advance(5000, isLast: false);
        Assert.Equal(42_500, watermark.Value);
        watermark.Advance(6000, isLast: false);
        Assert.Equal(43_500, watermark.Value);
    }

    [Fact]
    public void NoRecordAtAll_StaysAtMinValue_WhileIdle()
    {
        var watermark = new Watermark(0, inputs: 1, idleTimeoutMilliseconds: 1000);
        for (long now = 1000; now <= 10_000; now += 1000)
        {
            watermark.Advance(now, isLast: false);
        }

        Assert.Equal(long.MinValue, watermark.Value);
    }

    [Fact]
    public void NegativeTimeout_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Watermark(0, inputs: 1, idleTimeoutMilliseconds: -1));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void StateCopiedThroughItsView_WithIdleClocks_MovesOnAsTheOriginal(int inputs)
    {
        // The original gives input 0 records until batch 3, then nothing; the copy is made at batch 4, before the
        // timeout, and must go idle at the same batch, by the last record's batch time it was given back.
        var original = new Watermark(1000, inputs, idleTimeoutMilliseconds: 4000);
        for (long now = 1000; now <= 3000; now += 1000)
        {
            Observe(original, 0, now * 7);
            if (inputs > 1)
            {
                Observe(original, 1, now * 5);
            }

            original.Advance(now, isLast: false);
        }

        original.Advance(4000, isLast: false);
        long[] latest = [.. Enumerable.Range(0, original.Inputs).Select(original.LatestOf)];
        long[] active = [.. Enumerable.Range(0, original.Inputs).Select(original.LastActiveAt)];
        Assert.All(active, at => Assert.Equal(3000, at));
        var copy = new Watermark(original.Lateness, original.Inputs, original.IdleTimeout);
        copy.Restore(original.Value, latest, active);

        for (long now = 5000; now <= 9000; now += 1000)
        {
            original.Advance(now, isLast: false);
            copy.Advance(now, isLast: false);
            Assert.Equal(original.Value, copy.Value);
        }

        Assert.Equal((3000 * 7) - 1000 + (9000 - 3000), copy.Value); // idle since 7000: moved on with processing time
    }

    [Fact]
    public void Restore_WithoutIdleClocks_CountsIdleTimeFromTheNextBatch()
    {
        // A run that resumes from a state without the idle clocks: its sources are given the full timeout again.
        var watermark = new Watermark(0, inputs: 1, idleTimeoutMilliseconds: 3000);
        watermark.Restore(10_000, [10_000]);
        watermark.Advance(100_000, isLast: false);
        watermark.Advance(102_000, isLast: false);
        Assert.Equal(10_000, watermark.Value);
        Assert.Equal(100_000, watermark.LastActiveAt(0));
        watermark.Advance(103_000, isLast: false);
        Assert.Equal(13_000, watermark.Value);
    }

    [Fact]
    public void Restore_WrongNumberOfIdleClocks_ThrowsNamingBoth()
    {
        var watermark = new Watermark(0, inputs: 2, idleTimeoutMilliseconds: 1000);
        var error = Assert.Throws<ArgumentException>(() => watermark.Restore(0, [1, 2], [3]));
        Assert.Contains("follows 2 input(s) but 1 last-active time(s)", error.Message, StringComparison.Ordinal);
    }

    private static void Observe(Watermark watermark, int input, long time)
    {
        if (watermark.Inputs == 1)
        {
            watermark.Observe(time);
        }
        else
        {
            watermark.Observe(input, time);
        }
    }
}
