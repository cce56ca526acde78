using System.Globalization;
using System.Text;

namespace Compiled.Benchmarks.Peers;

/// <summary>
/// Writes a word count as <c>(word,count)</c> lines in UTF-8, the format the harness checks, and flushes the file to
/// disk before the process ends, as the hand-written job and the compiled job's file sink do.
/// </summary>
internal static class WordCountFile
{
    /// <summary>Writes <paramref name="counts"/> to the new file <paramref name="outputPath"/>.</summary>
    public static void Write(string outputPath, IEnumerable<KeyValuePair<string, long>> counts)
    {
        using var file = new FileStream(outputPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        using (var writer = new StreamWriter(file, new UTF8Encoding(false), 1 << 16, leaveOpen: true))
        {
            foreach ((string word, long count) in counts)
            {
                writer.Write('(');
                writer.Write(word);
                writer.Write(',');
                writer.Write(count.ToString(CultureInfo.InvariantCulture));
                writer.Write(")\n");
            }
        }

        file.Flush(flushToDisk: true);
    }
}
