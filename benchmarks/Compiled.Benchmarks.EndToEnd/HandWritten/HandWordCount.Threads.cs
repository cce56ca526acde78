namespace Compiled.Benchmarks.EndToEnd.HandWritten;

/// <summary>The hand-written word count on several threads.</summary>
internal static partial class HandWordCount
{
    /// <summary>
    /// Counts the words of <paramref name="inputPath"/> on <paramref name="threads"/> threads and writes the counts to
    /// <paramref name="outputPath"/>: the file split into byte ranges cut at line ends, each range's words counted by a
    /// thread of its own into a <see cref="WordTable"/> of its own, the tables merged into the first at the end. One
    /// thread is <see cref="Run(string, string)"/>.
    /// </summary>
    public static void Run(string inputPath, string outputPath, int threads)
    {
        if (threads <= 1)
        {
            Run(inputPath, outputPath);
            return;
        }

        WordTable[] tables = LineRanges.OnThreads(inputPath, threads, (file, _, start, end) =>
        {
            var table = new WordTable();
            LineRanges.Read(file, start, end, WordSplitter.Padding, (buffer, length) => WordSplitter.Split(table, buffer, length));
            return table;
        });
        for (int n = 1; n < tables.Length; n++)
        {
            tables[0].AddAll(tables[n]);
        }

        using var output = new FileStream(outputPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
        tables[0].WriteTo(output);
        output.Flush(flushToDisk: true);
    }
}
