namespace Compiled.Testing;

/// <summary>One batch a sink received: its time and its records, in the order they were written.</summary>
/// <param name="Time">The batch time: batch k of a test driver is at k × the batch interval, in milliseconds.</param>
/// <param name="Records">The records.</param>
public sealed record OutputBatch<T>(long Time, IReadOnlyList<T> Records)
{
    /// <inheritdoc />
    public bool Equals(OutputBatch<T>? other) =>
        other is not null && Time == other.Time && Records.SequenceEqual(other.Records);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Time, Records.Count);

    /// <summary>The batch as <c>1000: [(a,2), (b,1)]</c>, for test failure messages.</summary>
    public override string ToString() => $"{Time}: [{string.Join(", ", Records)}]";
}

/// <summary>
/// What one sink of a pipeline received under a test driver: the batches in which its stream emitted (every
/// batch, or for a windowed stream every slide), each with its records.
/// </summary>
/// <typeparam name="T">The records as a test compares them: <see cref="string"/> for byte records (decoded as
/// UTF-8), <c>(string Key, V Value)</c> for <c>KeyValue&lt;V&gt;</c>, the record itself otherwise.</typeparam>
public sealed class TestOutput<T>
{
    private readonly List<OutputBatch<T>> _batches = [];
    private List<T>? _current;
    private long _currentTime;

    /// <summary>The batches received so far.</summary>
    public IReadOnlyList<OutputBatch<T>> Batches => _batches;

    /// <summary>The records of every batch, in order, for tests that do not care where batches end.</summary>
    public IEnumerable<T> Records => _batches.SelectMany(b => b.Records);

    internal void Begin(long time)
    {
        _current = [];
        _currentTime = time;
    }

    internal void Add(T record)
    {
        if (_current is null)
        {
            throw new InvalidOperationException("A record arrived outside a batch: the test driver begins every batch before its records.");
        }

        _current.Add(record);
    }

    internal void Commit()
    {
        _batches.Add(new OutputBatch<T>(_currentTime, _current ?? []));
        _current = null;
    }

    internal void Abort() => _current = null;
}
