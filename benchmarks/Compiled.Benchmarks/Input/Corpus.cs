using System.Buffers;
using System.Text;

namespace Compiled.Benchmarks.Input;

/// <summary>
/// The input every benchmark reads: about 32 MiB of lines of words drawn from a Zipf-distributed vocabulary
/// of 100,000 words, as a multi-segment <see cref="ReadOnlySequence{T}"/> of 64 KiB segments, the way a
/// <see cref="System.IO.Pipelines.PipeReader"/> hands a file to the framer. Deterministic: the same seed gives
/// the same bytes in every process, so BenchmarkDotNet's host (which computes the MB/s and ns/record columns)
/// and its child processes (which measure) see the same counts.
/// </summary>
/// <remarks>
/// Realism, where it matters for the measured code:
/// <list type="bullet">
/// <item>Word lengths follow an English-like dictionary distribution (1 to 18 letters, most often 7 or 8),
/// and frequent words are short, as in real text: the mean word in the text is about 5 bytes.</item>
/// <item>About 7% of the vocabulary is multi-byte UTF-8: accented Latin letters (2 bytes), Greek and
/// Cyrillic words (2 bytes a letter), CJK words (3 bytes a character) and a few emoji (4 bytes).</item>
/// <item>Lines hold 3 to 17 words (about 60 bytes); 1% are empty and 2% have a doubled, leading or trailing
/// space, so the splitters must skip empty words. Lines end in <c>\n</c> only (no <c>\r</c>), so the
/// LINQ version, which does not trim <c>\r</c>, sees the same words.</item>
/// <item>Segments are 64 KiB, so about one line in a thousand straddles two segments.</item>
/// </list>
/// </remarks>
public sealed class Corpus
{
    /// <summary>The number of distinct words the text draws from.</summary>
    public const int VocabularySize = 100_000;

    /// <summary>The Zipf exponent: the frequency of the word of rank r is proportional to 1 / r^s.</summary>
    public const double ZipfExponent = 1.0;

    /// <summary>The size of the text, at least (it ends at the first line end past it).</summary>
    public const int TargetBytes = 32 << 20;

    /// <summary>The size of one segment of the sequence.</summary>
    public const int SegmentBytes = 64 << 10;

    private const int Seed = 20261125;

    private static readonly Lazy<Corpus> s_shared = new(() => new Corpus(TargetBytes, SegmentBytes));

    private Corpus(int targetBytes, int segmentBytes)
    {
        var random = new Random(Seed);
        byte[][] vocabulary = BuildVocabulary(random);
        double[] cumulative = ZipfCumulative(vocabulary.Length, ZipfExponent);

        var text = new ArrayBufferWriter<byte>(targetBytes + 4096);
        int lines = 0;
        int words = 0;
        while (text.WrittenCount < targetBytes)
        {
            lines++;
            if (random.Next(100) == 0)
            {
                Write(text, "\n"u8);
                continue;
            }

            // 2% of lines have an irregular space somewhere: leading, doubled, or trailing.
            int irregular = random.Next(100) < 2 ? random.Next(3) : -1;
            if (irregular == 0)
            {
                Write(text, " "u8);
            }

            int count = random.Next(3, 18);
            for (int i = 0; i < count; i++)
            {
                if (i > 0)
                {
                    Write(text, irregular == 1 && i == count / 2 ? "  "u8 : " "u8);
                }

                Write(text, vocabulary[Sample(cumulative, random.NextDouble())]);
                words++;
            }

            Write(text, irregular == 2 ? " \n"u8 : "\n"u8);
        }

        Bytes = text.WrittenSpan.ToArray();
        Sequence = Segments.Split(Bytes, segmentBytes);
        Lines = lines;
        Words = words;
    }

    /// <summary>The corpus all benchmarks share (built on first use, in about a second).</summary>
    public static Corpus Shared => s_shared.Value;

    /// <summary>The text, in one array.</summary>
    public byte[] Bytes { get; }

    /// <summary>The text as a pipe would hand it over: <see cref="SegmentBytes"/> segments over <see cref="Bytes"/>.</summary>
    public ReadOnlySequence<byte> Sequence { get; }

    /// <summary>The number of lines (records of the line framer), empty ones included.</summary>
    public int Lines { get; }

    /// <summary>The number of words (non-empty runs of bytes other than the space).</summary>
    public int Words { get; }

    /// <summary>A one-line description for logs: sizes and counts.</summary>
    public override string ToString() =>
        $"{Bytes.Length:N0} bytes, {Lines:N0} lines, {Words:N0} words ({(double)Bytes.Length / Lines:F1} bytes a line), "
        + $"{Sequence.Length / SegmentBytes + 1:N0} segments of {SegmentBytes / 1024} KiB, vocabulary {VocabularySize:N0} (Zipf s = {ZipfExponent})";

    private static void Write(ArrayBufferWriter<byte> writer, ReadOnlySpan<byte> bytes) => writer.Write(bytes);

    // Index of the first cumulative weight above u (u in [0, 1)).
    private static int Sample(double[] cumulative, double u)
    {
        int index = Array.BinarySearch(cumulative, u);
        return Math.Min(index < 0 ? ~index : index + 1, cumulative.Length - 1);
    }

    private static double[] ZipfCumulative(int n, double s)
    {
        var cumulative = new double[n];
        double sum = 0;
        for (int rank = 0; rank < n; rank++)
        {
            sum += 1.0 / Math.Pow(rank + 1, s);
            cumulative[rank] = sum;
        }

        for (int rank = 0; rank < n; rank++)
        {
            cumulative[rank] /= sum;
        }

        return cumulative;
    }

    // Letters weighted by their frequency in English text (per mille).
    private const string Letters = "etaoinshrdlcumwfgypbvkjxqz";
    private static readonly int[] s_letterWeights = [127, 91, 82, 75, 70, 67, 63, 61, 60, 43, 40, 28, 28, 24, 24, 22, 20, 20, 19, 15, 10, 8, 2, 2, 1, 1];

    // Word lengths of an English dictionary (per mille), for lengths 1 to 18.
    private static readonly int[] s_lengthWeights = [1, 6, 25, 50, 85, 115, 130, 130, 120, 100, 80, 60, 40, 25, 15, 8, 4, 2];

    private const string Accented = "éèêëàâäôöûüùçñßåøæíóúãõ";
    private const string Greek = "αβγδεζηθικλμνξοπρστυφχψω";
    private const string Cyrillic = "абвгдежзийклмнопрстуфхцчшщыэюя";
    private const string Cjk = "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现与";
    private static readonly string[] s_emoji = ["😀", "🚀", "🎉", "🔥", "✨", "🌍"];

    // 100,000 distinct words, most frequent first: ranked by length plus noise, so short words come first.
    private static byte[][] BuildVocabulary(Random random)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var words = new List<(double Rank, string Word)>(VocabularySize);
        var builder = new StringBuilder();
        while (words.Count < VocabularySize)
        {
            int length = 1 + Pick(random, s_lengthWeights);
            builder.Clear();
            int kind = random.Next(1000);
            if (kind < 10)
            {
                // CJK: 1 to 4 characters of 3 bytes.
                length = 1 + random.Next(4);
                for (int i = 0; i < length; i++)
                {
                    builder.Append(Cjk[random.Next(Cjk.Length)]);
                }
            }
            else if (kind < 30)
            {
                string alphabet = kind < 20 ? Greek : Cyrillic;
                for (int i = 0; i < length; i++)
                {
                    builder.Append(alphabet[random.Next(alphabet.Length)]);
                }
            }
            else
            {
                for (int i = 0; i < length; i++)
                {
                    builder.Append(Letters[Pick(random, s_letterWeights)]);
                }

                if (kind < 70)
                {
                    // An accented letter or two in an otherwise ASCII word.
                    builder[random.Next(builder.Length)] = Accented[random.Next(Accented.Length)];
                    if (length > 5 && kind < 50)
                    {
                        builder[random.Next(builder.Length)] = Accented[random.Next(Accented.Length)];
                    }
                }
                else if (kind < 72)
                {
                    builder.Append(s_emoji[random.Next(s_emoji.Length)]);
                }
            }

            string word = builder.ToString();
            if (seen.Add(word))
            {
                words.Add((length + (NextGaussian(random) * 2.5), word));
            }
        }

        // A stable order: ties (impossible in practice with doubles) fall back to ordinal order of the words.
        words.Sort((a, b) => a.Rank != b.Rank ? a.Rank.CompareTo(b.Rank) : string.CompareOrdinal(a.Word, b.Word));
        var vocabulary = new byte[words.Count][];
        for (int i = 0; i < words.Count; i++)
        {
            vocabulary[i] = Encoding.UTF8.GetBytes(words[i].Word);
        }

        return vocabulary;
    }

    private static int Pick(Random random, int[] weights)
    {
        int total = 0;
        foreach (int weight in weights)
        {
            total += weight;
        }

        int r = random.Next(total);
        for (int i = 0; i < weights.Length; i++)
        {
            r -= weights[i];
            if (r < 0)
            {
                return i;
            }
        }

        return weights.Length - 1;
    }

    private static double NextGaussian(Random random)
    {
        // Box-Muller; 1 - NextDouble() is in (0, 1], so the logarithm is finite.
        double u1 = 1.0 - random.NextDouble();
        double u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
