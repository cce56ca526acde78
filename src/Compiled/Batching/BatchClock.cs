using Compiled.Internal;

namespace Compiled.Batching;

/// <summary>
/// Cuts time into batches: batch times are the multiples of the batch interval since the Unix epoch (as Spark
/// aligns its zero time), a timer marks the batch in flight due when its time comes, and a batch committed more than
/// an interval after its time means the run is falling behind its input. Tests pass a fake <see cref="TimeProvider"/>.
/// </summary>
/// <remarks>
/// The timer only sets <see cref="IsDue"/> and calls the wake action: the loop that drives the job looks at the flag,
/// so the job is never touched from the timer's thread.
/// </remarks>
public sealed class BatchClock : IDisposable
{
    private readonly TimeProvider _time;
    private readonly Action _wake;
    private readonly ITimer _timer;
    private volatile bool _due;

    /// <summary>Creates a clock of <paramref name="interval"/> on <paramref name="time"/>; <paramref name="wake"/> is called (on the timer's thread) when a batch is due.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="interval"/> is less than 1 ms or longer than a timer waits (<c>DurationText.MaxTimerMilliseconds</c>).</exception>
    public BatchClock(TimeProvider time, TimeSpan interval, Action wake)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(wake);
        IntervalMilliseconds = (long)interval.TotalMilliseconds;
        if (IntervalMilliseconds < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(interval), interval, "The batch interval must be at least 1 ms. Give the clock the interval in force, 1 ms or more.");
        }

        if (IntervalMilliseconds > DurationText.MaxTimerMilliseconds)
        {
            throw new ArgumentOutOfRangeException(nameof(interval), interval, $"The batch interval must be from 1 ms to {DurationText.MaxTimerMilliseconds} ms, the longest a timer waits. Give the clock a shorter interval.");
        }

        Interval = interval;
        _time = time;
        _wake = wake;
        _timer = time.CreateTimer(static state => ((BatchClock)state!).OnDue(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The batch interval.</summary>
    public TimeSpan Interval { get; }

    /// <summary>The batch interval in whole milliseconds.</summary>
    public long IntervalMilliseconds { get; }

    /// <summary>Whether the batch scheduled last has come due and has not been cleared with <see cref="ClearDue"/>.</summary>
    public bool IsDue => _due;

    /// <summary>The time now, in Unix milliseconds.</summary>
    public long Now => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>The time of a run's first batch if it starts now: the end of the interval now falls in.</summary>
    public long FirstBatchTime()
    {
        long now = Now;
        return ((now / IntervalMilliseconds) + 1) * IntervalMilliseconds;
    }

    /// <summary>The number of the batch at <paramref name="batchTime"/>: its time ÷ the interval.</summary>
    public long NumberOf(long batchTime) => batchTime / IntervalMilliseconds;

    /// <summary>
    /// Marks the batch at <paramref name="batchTime"/> due when its time comes. The timer is set never more than one
    /// interval ahead, so that a wall clock stepped back does not stall the run.
    /// </summary>
    public void Schedule(long batchTime)
    {
        long due = Math.Clamp(batchTime - Now, 0, IntervalMilliseconds);
        _timer.Change(TimeSpan.FromMilliseconds(due), Timeout.InfiniteTimeSpan);
    }

    /// <summary>Clears the due mark, as the batch that was due is completed.</summary>
    public void ClearDue() => _due = false;

    /// <summary>How long after <paramref name="batchTime"/> it is now, in milliseconds (negative before it).</summary>
    public long LateBy(long batchTime) => Now - batchTime;

    /// <summary>
    /// Whether a batch committed now is more than an interval after <paramref name="batchTime"/>: the job is falling
    /// behind its input. <paramref name="late"/> says by how much, in milliseconds.
    /// </summary>
    public bool IsFallingBehind(long batchTime, out long late)
    {
        late = LateBy(batchTime);
        return late > IntervalMilliseconds;
    }

    /// <summary>The interval in words, as the log writes it: <c>1s</c>, <c>500ms</c>.</summary>
    public override string ToString() => DurationText.Format(Interval);

    /// <summary>Stops the timer.</summary>
    public void Dispose() => _timer.Dispose();

    private void OnDue()
    {
        _due = true;
        _wake();
    }
}
