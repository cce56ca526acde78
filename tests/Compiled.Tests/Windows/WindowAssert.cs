using Compiled.Testing;

namespace Compiled.Tests.Windows;

/// <summary>
/// Comparisons of a sink's batches with the expected ones: batch times at multiples of the slide, and the
/// records of each batch in order, or as a set (Spark's <c>useSet = true</c>) for keyed windows, whose key
/// order Spark does not define.
/// </summary>
internal static class WindowAssert
{
    /// <summary>
    /// Asserts that the sink received exactly one batch per slide, at times slide × k × interval for k = 1, 2, ...,
    /// with these records in this order.
    /// </summary>
    public static void Batches<T>(long slideMs, IReadOnlyList<T[]> expected, TestOutput<T> actual)
    {
        var want = expected.Select((records, i) => new OutputBatch<T>((i + 1) * slideMs, records)).ToList();
        Assert.Equal(want, actual.Batches);
    }

    /// <summary>As <see cref="Batches{T}"/>, comparing each batch's records as a multiset (sorted).</summary>
    public static void BatchesAsSets<TKey, TValue>(long slideMs, IReadOnlyList<(TKey, TValue)[]> expected, TestOutput<(TKey, TValue)> actual)
    {
        Assert.Equal(
            expected.Select((records, i) => Format((i + 1) * slideMs, records)).ToList(),
            actual.Batches.Select(b => Format(b.Time, b.Records)).ToList());
    }

    /// <summary>A batch as text with its records sorted, for comparisons as sets with readable failures.</summary>
    public static string Format<TKey, TValue>(long time, IEnumerable<(TKey, TValue)> records) =>
        $"{time}: [{string.Join(", ", records.Select(r => $"({r.Item1},{r.Item2})").Order(StringComparer.Ordinal))}]";
}
