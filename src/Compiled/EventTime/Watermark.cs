namespace Compiled.Windows;

/// <summary>
/// The event-time clock of an <see cref="EventTimeAttribute"/> stage: the latest event time seen minus the allowed
/// lateness, never moving back. It moves on at batch boundaries only, so the records of one batch are judged late
/// or not against the same watermark, whatever their order within the batch. A stage that several sources reach
/// (below a union of them) keeps the latest event time of each, and its watermark follows the one furthest behind,
/// as Spark's default policy for several inputs does: a source that runs behind does not see its records judged
/// late for the other's progress. Until every input has given a record the watermark waits.
/// </summary>
public sealed class Watermark
{
    private readonly long _lateness;
    private readonly long[]? _latestOf;  // per input, for a stage that several sources reach; null with one input
    private long _latest = long.MinValue;

    /// <summary>Creates a watermark that trails the latest event time by <paramref name="latenessMilliseconds"/>.</summary>
    public Watermark(long latenessMilliseconds)
        : this(latenessMilliseconds, inputs: 1)
    {
    }

    /// <summary>
    /// Creates a watermark over <paramref name="inputs"/> inputs that trails the latest event time of the input
    /// furthest behind by <paramref name="latenessMilliseconds"/>.
    /// </summary>
    public Watermark(long latenessMilliseconds, int inputs)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(latenessMilliseconds);
        ArgumentOutOfRangeException.ThrowIfLessThan(inputs, 1);
        _lateness = latenessMilliseconds;
        if (inputs > 1)
        {
            _latestOf = new long[inputs];
            _latestOf.AsSpan().Fill(long.MinValue);
        }
    }

    /// <summary>The watermark in Unix milliseconds: no record older than this is expected any more.</summary>
    public long Value { get; private set; } = long.MinValue;

    /// <summary>The allowed lateness, in milliseconds.</summary>
    public long Lateness => _lateness;

    /// <summary>The number of inputs whose event times the watermark follows.</summary>
    public int Inputs => _latestOf?.Length ?? 1;

    /// <summary>
    /// The latest event time seen on input <paramref name="input"/> (<see cref="long.MinValue"/> before its first record):
    /// with <see cref="Value"/>, the whole state, for a checkpoint to capture.
    /// </summary>
    public long LatestOf(int input)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(input);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(input, Inputs);
        return _latestOf is null ? _latest : _latestOf[input];
    }

    /// <summary>
    /// Puts back a state captured with <see cref="Value"/> and <see cref="LatestOf"/>: the watermark and the latest
    /// event time of each input.
    /// </summary>
    public void Restore(long value, ReadOnlySpan<long> latestOfEachInput)
    {
        if (latestOfEachInput.Length != Inputs)
        {
            throw new ArgumentException($"This watermark follows {Inputs} input(s) but {latestOfEachInput.Length} latest time(s) were given; give one per input, as LatestOf returned them.", nameof(latestOfEachInput));
        }

        Value = value;
        if (_latestOf is null)
        {
            _latest = latestOfEachInput[0];
        }
        else
        {
            latestOfEachInput.CopyTo(_latestOf);
        }
    }

    /// <summary>Whether a record of event time <paramref name="time"/> is late: older than the watermark.</summary>
    public bool IsLate(long time) => time < Value;

    /// <summary>Notes a record's event time (a stage with one input).</summary>
    public void Observe(long time)
    {
        if (time > _latest)
        {
            _latest = time;
        }
    }

    /// <summary>Notes the event time of a record of input <paramref name="input"/> (a stage with several inputs).</summary>
    public void Observe(int input, long time)
    {
        long[] latest = _latestOf ?? throw new InvalidOperationException("This watermark has one input; call Observe(time).");
        if (time > latest[input])
        {
            latest[input] = time;
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
            return;
        }

        long behind = _latest;
        if (_latestOf is not null)
        {
            behind = long.MaxValue;
            foreach (long latest in _latestOf)
            {
                behind = Math.Min(behind, latest);
            }
        }

        if (behind != long.MinValue && behind - _lateness > Value)
        {
            Value = behind - _lateness;
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
