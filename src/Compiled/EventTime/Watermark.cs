namespace Compiled.Windows;

/// <summary>
/// The event-time clock of an <see cref="EventTimeAttribute"/> stage: the latest event time seen minus the allowed
/// lateness, never moving back. It moves on at batch boundaries only, so the records of one batch are judged late
/// or not against the same watermark, whatever their order within the batch.
/// </summary>
public sealed class Watermark
{
    private readonly long _lateness;
    private long _latest = long.MinValue;

    /// <summary>Creates a watermark that trails the latest event time by <paramref name="latenessMilliseconds"/>.</summary>
    public Watermark(long latenessMilliseconds)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(latenessMilliseconds);
        _lateness = latenessMilliseconds;
    }

    /// <summary>The watermark in Unix milliseconds: no record older than this is expected any more.</summary>
    public long Value { get; private set; } = long.MinValue;

    /// <summary>Whether a record of event time <paramref name="time"/> is late: older than the watermark.</summary>
    public bool IsLate(long time) => time < Value;

    /// <summary>Notes a record's event time.</summary>
    public void Observe(long time)
    {
        if (time > _latest)
        {
            _latest = time;
        }
    }

    /// <summary>
    /// Moves the watermark on at a batch boundary; at the last batch of a run (<paramref name="isLast"/>) past
    /// every window, so that all of them are emitted.
    /// </summary>
    public void Advance(bool isLast)
    {
        if (isLast)
        {
            Value = long.MaxValue;
        }
        else if (_latest != long.MinValue && _latest - _lateness > Value)
        {
            Value = _latest - _lateness;
        }
    }
}

/// <summary>Combines two values of a key (the generated code implements it with the user's reduce method, as a struct).</summary>
/// <typeparam name="T">The value type.</typeparam>
public interface IReducer<T>
{
    /// <summary>Combines <paramref name="a"/> and <paramref name="b"/>.</summary>
    T Reduce(T a, T b);
}
