using Compiled.Batching;
using Microsoft.Extensions.Time.Testing;

namespace Compiled.Tests.Batching;

/// <summary>The batch clock on a fake <see cref="TimeProvider"/>: aligned batch times, due marks, falling behind.</summary>
public class BatchClockTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, 700, TimeSpan.Zero);
    private static readonly long StartMs = Start.ToUnixTimeMilliseconds();

    [Fact]
    public void FirstBatchTime_IsTheEndOfTheIntervalNowFallsIn_AMultipleOfTheIntervalSinceTheEpoch()
    {
        var time = new FakeTimeProvider(Start);
        using var clock = new BatchClock(time, TimeSpan.FromMinutes(1), static () => { });
        long first = new DateTimeOffset(2026, 3, 1, 12, 1, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        Assert.Equal(first, clock.FirstBatchTime());
        Assert.Equal(first / 60_000, clock.NumberOf(first));

        // Exactly on a boundary, that batch has ended already: the first batch is the next one.
        time.SetUtcNow(DateTimeOffset.FromUnixTimeMilliseconds(first));
        Assert.Equal(first + 60_000, clock.FirstBatchTime());
    }

    [Fact]
    public void FirstBatchTime_100MsIntoTheEpoch_IsBatch1()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddMilliseconds(100));
        using var clock = new BatchClock(time, TimeSpan.FromSeconds(1), static () => { });
        Assert.Equal(1000, clock.FirstBatchTime());
        Assert.Equal(1, clock.NumberOf(1000));
    }

    [Fact]
    public void Schedule_MarksTheBatchDueWhenItsTimeComes_AndWakesOnce()
    {
        var time = new FakeTimeProvider(Start);
        int wakes = 0;
        using var clock = new BatchClock(time, TimeSpan.FromSeconds(1), () => wakes++);
        long batch = clock.FirstBatchTime(); // 300 ms from now
        clock.Schedule(batch);

        time.Advance(TimeSpan.FromMilliseconds(299));
        Assert.False(clock.IsDue);
        Assert.Equal(0, wakes);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(clock.IsDue);
        Assert.Equal(1, wakes);

        clock.ClearDue();
        Assert.False(clock.IsDue);
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.False(clock.IsDue); // nothing scheduled since
        Assert.Equal(1, wakes);
    }

    [Fact]
    public void Schedule_ABatchWhoseTimeHasPassed_IsDueAtOnce()
    {
        var time = new FakeTimeProvider(Start);
        using var clock = new BatchClock(time, TimeSpan.FromSeconds(1), static () => { });
        clock.Schedule(StartMs - 5_000);
        time.Advance(TimeSpan.Zero);
        Assert.True(clock.IsDue);
    }

    [Fact]
    public void Schedule_ABatchFarAhead_ASteppedBackWallClock_IsLookedAtAgainWithinOneInterval()
    {
        // The wall clock was stepped back an hour: the batch in flight is an hour ahead. The timer still fires
        // within one interval, so the run completes it instead of stalling for an hour.
        var time = new FakeTimeProvider(Start);
        using var clock = new BatchClock(time, TimeSpan.FromSeconds(1), static () => { });
        clock.Schedule(StartMs + 3_600_000);
        time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(clock.IsDue);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(clock.IsDue);
    }

    [Fact]
    public void IsFallingBehind_OnlyWhenMoreThanAnIntervalLate()
    {
        var time = new FakeTimeProvider(Start);
        using var clock = new BatchClock(time, TimeSpan.FromSeconds(1), static () => { });
        long batch = StartMs - 1000;
        Assert.False(clock.IsFallingBehind(batch, out long late));
        Assert.Equal(1000, late);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(clock.IsFallingBehind(batch, out late));
        Assert.Equal(1001, late);
        Assert.False(clock.IsFallingBehind(StartMs + 501, out late));
        Assert.Equal(-500, late);
    }

    [Fact]
    public void Interval_UnderOneMillisecond_IsRejected()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new BatchClock(new FakeTimeProvider(), TimeSpan.FromTicks(9_999), static () => { }));
        Assert.StartsWith("The batch interval must be at least 1 ms.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BatchClock_LongestInterval_IsOneATimerTakes()
    {
        // The system's timers wait at most 4294967294 ms: the longest interval schedules its first batch on a real timer.
        using var clock = new BatchClock(TimeProvider.System, TimeSpan.FromMilliseconds(4_294_967_294), static () => { });
        clock.Schedule(clock.FirstBatchTime());
        Assert.False(clock.IsDue);
    }

    [Fact]
    public void BatchClock_IntervalLongerThanATimerWaits_IsRefusedWithTheRange()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(
            () => new BatchClock(TimeProvider.System, TimeSpan.FromMilliseconds(4_294_967_295), static () => { }));
        Assert.Contains("from 1 ms to 4294967294 ms", error.Message, StringComparison.Ordinal);
    }
}
