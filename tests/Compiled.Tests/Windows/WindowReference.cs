namespace Compiled.Tests.Windows;

/// <summary>
/// A reference model of Spark's windows that keeps every batch and computes each window from scratch: the window
/// that emits at batch k (k a multiple of the slide) holds batches k - length + 1 .. k that exist (1 and later).
/// Lengths and slides are in batches. A stream is a function from a batch number (1-based) to its records.
/// </summary>
internal static class WindowReference
{
    /// <summary>The batches at which a window of slide <paramref name="slide"/> emits, in a run of <paramref name="batches"/>.</summary>
    public static IEnumerable<int> Emissions(int slide, int batches)
    {
        for (int k = slide; k <= batches; k += slide)
        {
            yield return k;
        }
    }

    /// <summary>The batch numbers of the window that emits at <paramref name="k"/>.</summary>
    public static IEnumerable<int> BatchesOf(int k, int length)
    {
        for (int b = Math.Max(1, k - length + 1); b <= k; b++)
        {
            yield return b;
        }
    }

    /// <summary>Spark's <c>window</c>: the records of the window, oldest batch first, in arrival order.</summary>
    public static List<T> Window<T>(Func<int, IReadOnlyList<T>> stream, int k, int length) =>
        BatchesOf(k, length).SelectMany(stream).ToList();

    /// <summary>
    /// <c>window</c> as a stream: the window's records at the batches where it emits, nothing at the others, which
    /// is what a stage below a window reads.
    /// </summary>
    public static Func<int, IReadOnlyList<T>> WindowStream<T>(Func<int, IReadOnlyList<T>> stream, int length, int slide) =>
        k => k % slide == 0 ? Window(stream, k, length) : [];

    /// <summary>Spark's <c>reduceByKeyAndWindow</c> without an inverse (sum): every key with a value in the window.</summary>
    public static List<(TKey Key, long Value)> ReduceByKey<TKey>(Func<int, IReadOnlyList<(TKey Key, long Value)>> stream, int k, int length)
        where TKey : notnull =>
        Window(stream, k, length).GroupBy(p => p.Key).Select(g => (g.Key, g.Sum(p => p.Value))).ToList();

    /// <summary>
    /// Spark's <c>reduceByKeyAndWindow</c> with an inverse (sum, difference) and no filter: a key, once seen, is
    /// never eliminated; its value is the window's, 0 when none of its values is in the window.
    /// </summary>
    public static List<(TKey Key, long Value)> ReduceByKeyWithInverse<TKey>(Func<int, IReadOnlyList<(TKey Key, long Value)>> stream, int k, int length)
        where TKey : notnull
    {
        Dictionary<TKey, long> window = ReduceByKey(stream, k, length).ToDictionary(p => p.Key, p => p.Value);
        return Enumerable.Range(1, k).SelectMany(stream).Select(p => p.Key).Distinct()
            .Select(key => (key, window.GetValueOrDefault(key))).ToList();
    }

    /// <summary>Spark's <c>countByValueAndWindow</c>: each value's count in the window; values not in it are absent.</summary>
    public static List<(T Value, long Count)> CountByValue<T>(Func<int, IReadOnlyList<T>> stream, int k, int length)
        where T : notnull =>
        Window(stream, k, length).GroupBy(v => v).Select(g => (g.Key, (long)g.Count())).ToList();

    /// <summary>Spark's <c>reduceByWindow</c> without an inverse (sum): one value, none for an empty window.</summary>
    public static List<long> Reduce(Func<int, IReadOnlyList<long>> stream, int k, int length)
    {
        List<long> records = Window(stream, k, length);
        return records.Count == 0 ? [] : [records.Sum()];
    }

    /// <summary>
    /// Spark's <c>reduceByWindow</c> with an inverse (sum), and <c>countByWindow</c> (sum of 1s): a reduceByKeyAndWindow
    /// with an inverse on one key, so nothing until the first record, then a value at every slide, 0 included.
    /// </summary>
    public static List<long> ReduceWithInverse(Func<int, IReadOnlyList<long>> stream, int k, int length) =>
        Enumerable.Range(1, k).Any(b => stream(b).Count > 0) ? [Window(stream, k, length).Sum()] : [];
}
