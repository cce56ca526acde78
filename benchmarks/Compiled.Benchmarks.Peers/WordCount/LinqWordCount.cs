namespace Compiled.Benchmarks.Peers.WordCount;

/// <summary>
/// The word count in LINQ, as a .NET user writes it: the file's lines through <see cref="File.ReadLines(string)"/>,
/// each split on the space, and the words counted with <see cref="Enumerable.CountBy{TSource, TKey}(IEnumerable{TSource}, Func{TSource, TKey}, IEqualityComparer{TKey}?)"/>
/// (one dictionary of counts; <c>GroupBy(word => word)</c> would keep every word of the file until the end).
/// </summary>
internal static class LinqWordCount
{
    /// <summary>The count of each word of the file <paramref name="inputPath"/>.</summary>
    public static IEnumerable<KeyValuePair<string, long>> Count(string inputPath) => Count(File.ReadLines(inputPath));

    /// <summary>The count of each word of <paramref name="lines"/> (a file's, or a connection's: <see cref="TcpLines"/>).</summary>
    public static IEnumerable<KeyValuePair<string, long>> Count(IEnumerable<string> lines) =>
        lines
            .SelectMany(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .CountBy(word => word, StringComparer.Ordinal)
            .Select(pair => KeyValuePair.Create(pair.Key, (long)pair.Value))
            .ToList();
}
