namespace Compiled.Testing;

/// <summary>
/// The batches a test feeds one source of a pipeline: batch 1, batch 2, ... A batch with no records is a
/// batch in which nothing arrived, which is not the same as no batch at all.
/// </summary>
/// <typeparam name="T">The source's records: <see cref="string"/> for a <see cref="Lines"/> source (its UTF-8
/// bytes are fed), <c>T</c> for a <see cref="Lines{T}"/> source.</typeparam>
public sealed class TestInput<T>
{
    private readonly List<T[]> _batches = [];

    /// <summary>The number of batches given so far.</summary>
    public int Count => _batches.Count;

    /// <summary>Adds the next batch, with these records in this order; no records makes an empty batch.</summary>
    public TestInput<T> Batch(params T[] records)
    {
        ArgumentNullException.ThrowIfNull(records);
        _batches.Add(records);
        return this;
    }

    /// <summary>Adds one batch per element of <paramref name="batches"/>, in order.</summary>
    public TestInput<T> Batches(IEnumerable<IEnumerable<T>> batches)
    {
        ArgumentNullException.ThrowIfNull(batches);
        foreach (IEnumerable<T> batch in batches)
        {
            _batches.Add([.. batch]);
        }

        return this;
    }

    /// <summary>The records of batch <paramref name="index"/> (0-based); none past the last batch given.</summary>
    public ReadOnlySpan<T> At(int index) => index < _batches.Count ? _batches[index] : [];
}
