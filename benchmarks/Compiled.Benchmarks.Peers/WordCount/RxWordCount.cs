using System.Reactive.Linq;

namespace Compiled.Benchmarks.Peers.WordCount;

/// <summary>
/// The word count in System.Reactive, as an Rx user writes it: the file's lines as an observable
/// (<c>File.ReadLines(path).ToObservable()</c>), each split into words with <c>SelectMany</c>, the words grouped by
/// themselves with <c>GroupBy</c>, and each group counted with <c>LongCount</c>; each count arrives when the input ends.
/// </summary>
internal static class RxWordCount
{
    /// <summary>The count of each word of the file <paramref name="inputPath"/>.</summary>
    public static Task<IList<KeyValuePair<string, long>>> Count(string inputPath) => Count(File.ReadLines(inputPath));

    /// <summary>The count of each word of <paramref name="lines"/> (a file's, or a connection's: <see cref="TcpLines"/>).</summary>
    public static async Task<IList<KeyValuePair<string, long>>> Count(IEnumerable<string> lines) =>
        await lines.ToObservable()
            .SelectMany(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .GroupBy(word => word, StringComparer.Ordinal)
            .SelectMany(words => words.LongCount().Select(count => KeyValuePair.Create(words.Key, count)))
            .ToList();
}
