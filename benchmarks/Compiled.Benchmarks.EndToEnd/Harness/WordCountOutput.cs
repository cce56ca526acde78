using System.Text;

namespace Compiled.Benchmarks.EndToEnd.Harness;

/// <summary>Reads a word count's output, <c>(word,count)</c> lines in one or more files, and checks it against the expected counts.</summary>
internal static class WordCountOutput
{
    /// <summary>The counts of a Zipf text, as the answer a word count's output is checked against.</summary>
    public sealed class Expected(string textPath) : IExpectedOutput
    {
        private readonly Dictionary<string, long> _counts = Input.ZipfText.ReadCounts(textPath);

        /// <inheritdoc />
        public string Describe() => $"{_counts.Count:N0} distinct words, {_counts.Values.Sum():N0} words";

        /// <inheritdoc />
        public string? Difference(string directory) => WordCountOutput.Difference(Read(directory), _counts);

        /// <inheritdoc />
        public (long Count, string Unit)? Events => (_counts.Values.Sum(), "words");
    }

    /// <summary>
    /// The counts in every file of <paramref name="directory"/>, summed per word (a job whose run spans two batches
    /// writes a word's count in each).
    /// </summary>
    public static Dictionary<string, long> Read(string directory)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (string file in Directory.EnumerateFiles(directory))
        {
            foreach (string line in File.ReadLines(file, Encoding.UTF8))
            {
                if (line.Length == 0)
                {
                    continue;
                }

                int comma = line.LastIndexOf(',');
                if (line[0] != '(' || line[^1] != ')' || comma < 1)
                {
                    throw new InvalidDataException($"'{file}' holds the line '{line}', which is not a (word,count) record.");
                }

                string word = line[1..comma];
                long count = long.Parse(line.AsSpan(comma + 1, line.Length - comma - 2), System.Globalization.CultureInfo.InvariantCulture);
                counts[word] = counts.GetValueOrDefault(word) + count;
            }
        }

        return counts;
    }

    /// <summary>Why <paramref name="actual"/> differs from <paramref name="expected"/>, or <see langword="null"/> if they are equal.</summary>
    public static string? Difference(Dictionary<string, long> actual, Dictionary<string, long> expected)
    {
        foreach ((string word, long count) in expected)
        {
            if (!actual.TryGetValue(word, out long other) || other != count)
            {
                return $"'{word}' was counted {other:N0} times; the input holds it {count:N0} times";
            }
        }

        if (actual.Count != expected.Count)
        {
            string extra = actual.Keys.First(word => !expected.ContainsKey(word));
            return $"{actual.Count:N0} distinct words were written, {expected.Count:N0} expected; '{extra}' is not a word of the input";
        }

        return null;
    }
}
