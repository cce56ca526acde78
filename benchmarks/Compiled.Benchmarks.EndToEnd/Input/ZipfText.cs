using System.Text;

namespace Compiled.Benchmarks.EndToEnd.Input;

/// <summary>
/// The word-count input: lines of 4 to 16 words drawn Zipf (s = 1) from a vocabulary of 100,000 distinct words, from
/// a fixed seed, until the text reaches its size. Words have English-like lengths (mostly 2 to 9 bytes); about 3% are
/// longer than 16 bytes, and about 5% hold a multi-byte UTF-8 letter. Beside the text, a file of the count of every
/// word as drawn (<c>.counts</c>): the answer every job's output is checked against.
/// </summary>
internal static class ZipfText
{
    /// <summary>The distinct words.</summary>
    public const int Vocabulary = 100_000;

    /// <summary>The seed of the vocabulary and of the draws.</summary>
    public const int Seed = 20261206;

    private static readonly string[] s_multiByte = ["é", "ü", "ß", "ñ", "ж", "λ", "ø", "中"];

    /// <summary>The default size of the text: 256 MiB.</summary>
    public const long DefaultBytes = 256L << 20;

    /// <summary>The path of the expected counts of <paramref name="textPath"/>.</summary>
    public static string CountsPath(string textPath) => textPath + ".counts";

    /// <summary>
    /// The text of <paramref name="bytes"/> bytes in <paramref name="cacheDirectory"/>, generated on first use (a few
    /// seconds to a minute) with its counts, and reused after.
    /// </summary>
    public static string Ensure(string cacheDirectory, long bytes)
    {
        Directory.CreateDirectory(cacheDirectory);
        string path = Path.Combine(cacheDirectory, $"zipf-{bytes >> 20}MiB-{Vocabulary}w-seed{Seed}.txt");
        if (File.Exists(path) && File.Exists(CountsPath(path)))
        {
            return path;
        }

        Console.Error.WriteLine($"Generating {bytes >> 20} MiB of Zipf text into {path} (once; it is reused after).");
        string[] words = Words(new Random(Seed));
        double[] cumulative = new double[Vocabulary];
        double sum = 0;
        for (int rank = 0; rank < Vocabulary; rank++)
        {
            sum += 1.0 / (rank + 1);
            cumulative[rank] = sum;
        }

        byte[][] encoded = words.Select(Encoding.UTF8.GetBytes).ToArray();
        long[] counts = new long[Vocabulary];
        var random = new Random(Seed + 1);
        string temporary = path + ".partial";
        using (var text = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            long written = 0;
            while (written < bytes)
            {
                int perLine = random.Next(4, 17);
                for (int i = 0; i < perLine; i++)
                {
                    int index = Array.BinarySearch(cumulative, random.NextDouble() * sum);
                    int rank = index >= 0 ? index : Math.Min(~index, Vocabulary - 1);
                    counts[rank]++;
                    if (i > 0)
                    {
                        text.WriteByte((byte)' ');
                        written++;
                    }

                    text.Write(encoded[rank]);
                    written += encoded[rank].Length;
                }

                text.WriteByte((byte)'\n');
                written++;
            }
        }

        using (var writer = new StreamWriter(CountsPath(temporary), append: false, new UTF8Encoding(false)))
        {
            for (int rank = 0; rank < Vocabulary; rank++)
            {
                if (counts[rank] > 0)
                {
                    writer.Write(words[rank]);
                    writer.Write(' ');
                    writer.Write(counts[rank].ToString(System.Globalization.CultureInfo.InvariantCulture));
                    writer.Write('\n');
                }
            }
        }

        File.Move(CountsPath(temporary), CountsPath(path), overwrite: true);
        File.Move(temporary, path, overwrite: true);
        return path;
    }

    /// <summary>Reads the expected counts written beside <paramref name="textPath"/>.</summary>
    public static Dictionary<string, long> ReadCounts(string textPath)
    {
        var counts = new Dictionary<string, long>(Vocabulary, StringComparer.Ordinal);
        foreach (string line in File.ReadLines(CountsPath(textPath), Encoding.UTF8))
        {
            int space = line.LastIndexOf(' ');
            counts.Add(line[..space], long.Parse(line.AsSpan(space + 1), System.Globalization.CultureInfo.InvariantCulture));
        }

        return counts;
    }

    // The vocabulary, in rank order: distinct words of letters, ranks shuffled with respect to length.
    private static string[] Words(Random random)
    {
        var seen = new HashSet<string>(Vocabulary, StringComparer.Ordinal);
        var words = new string[Vocabulary];
        var word = new StringBuilder();
        int made = 0;
        while (made < Vocabulary)
        {
            int length = random.NextDouble() < 0.03 ? random.Next(17, 29) : 2 + Math.Min(random.Next(0, 5) + random.Next(0, 5), 12);
            word.Clear();
            for (int i = 0; i < length; i++)
            {
                word.Append((char)('a' + random.Next(26)));
            }

            if (random.NextDouble() < 0.05)
            {
                word[random.Next(word.Length)] = '_';
                word.Replace("_", s_multiByte[random.Next(s_multiByte.Length)]);
            }

            string text = word.ToString();
            if (seen.Add(text))
            {
                words[made++] = text;
            }
        }

        return words;
    }
}
