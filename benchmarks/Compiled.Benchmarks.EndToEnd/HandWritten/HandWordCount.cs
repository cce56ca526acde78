using Microsoft.Win32.SafeHandles;

namespace Compiled.Benchmarks.EndToEnd.HandWritten;

/// <summary>
/// The word count as a performance engineer would write it for this one job, using nothing of the runtime: the file
/// read with <see cref="RandomAccess"/> in 4 MiB blocks into one buffer, words split in one vectorised pass by
/// <see cref="WordSplitter"/>, counted in <see cref="WordTable"/>, and written as <c>(word,count)</c>
/// lines, flushed to disk as the compiled job's file sink does.
/// </summary>
internal static partial class HandWordCount
{
    /// <summary>Counts the words of <paramref name="inputPath"/> and writes the counts to <paramref name="outputPath"/>.</summary>
    public static void Run(string inputPath, string outputPath)
    {
        var table = new WordTable();
        using (SafeFileHandle file = File.OpenHandle(inputPath, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan))
        {
            long offset = 0;
            WordSplitter.CountAll(table, into =>
            {
                int read = RandomAccess.Read(file, into, offset);
                offset += read;
                return read;
            });
        }

        using var output = new FileStream(outputPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
        table.WriteTo(output);
        output.Flush(flushToDisk: true);
    }
}
