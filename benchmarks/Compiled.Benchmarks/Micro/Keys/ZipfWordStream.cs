using System.Text;

namespace Compiled.Benchmarks.Micro.Keys;

/// <summary>
/// A stream of <see cref="Words"/> words drawn from a vocabulary of a given number of distinct words with Zipf
/// frequencies (s = 1), laid out as a parser hands them to a keyed stage: each word's bytes in stream order in one
/// text buffer, and its length in a second array. Deterministic for a given vocabulary size.
/// </summary>
/// <remarks>
/// The vocabulary is made of letters drawn with their English frequencies; lengths run from 1 to 24 bytes (most often
/// 5 to 9, about 4% longer than 16, so the long-key path is exercised), and frequent words are the short ones, as in
/// text. Each word also has a 64-bit id (a random number fixed per word), the key of the struct-key benchmarks.
/// </remarks>
public sealed class ZipfWordStream
{
    /// <summary>The number of words in the stream, whatever the vocabulary: the operations of one benchmark invocation.</summary>
    public const int Words = 1 << 22;

    private const string Letters = "etaoinshrdlcumwfgypbvkjxqz";
    private static readonly int[] s_letterWeights = [127, 91, 82, 75, 70, 67, 63, 61, 60, 43, 40, 28, 28, 24, 24, 22, 20, 20, 19, 15, 10, 8, 2, 2, 1, 1];

    // Word lengths 1 to 24, weighted as in a dictionary with a longer tail (per mille).
    private static readonly int[] s_lengthWeights = [5, 20, 60, 100, 120, 130, 130, 120, 100, 70, 45, 30, 20, 12, 8, 5, 5, 5, 4, 3, 3, 2, 2, 1];

    /// <summary>Draws the vocabulary and the stream.</summary>
    public ZipfWordStream(int distinctWords)
    {
        var random = new Random(20261206 + distinctWords);
        byte[][] vocabulary = Vocabulary(random, distinctWords);
        long[] ids = new long[distinctWords];
        var seenIds = new HashSet<long>();
        for (int i = 0; i < ids.Length; i++)
        {
            do
            {
                ids[i] = random.NextInt64();
            }
            while (!seenIds.Add(ids[i]));
        }

        double[] cumulative = new double[distinctWords];
        double sum = 0;
        for (int rank = 0; rank < distinctWords; rank++)
        {
            sum += 1.0 / (rank + 1);
            cumulative[rank] = sum;
        }

        var text = new List<byte>(Words * 8);
        Lengths = new byte[Words];
        Ids = new long[Words];
        var used = new bool[distinctWords];
        int distinctSeen = 0;
        for (int i = 0; i < Words; i++)
        {
            int rank = Array.BinarySearch(cumulative, random.NextDouble() * sum);
            rank = Math.Min(rank < 0 ? ~rank : rank, distinctWords - 1);
            text.AddRange(vocabulary[rank]);
            Lengths[i] = (byte)vocabulary[rank].Length;
            Ids[i] = ids[rank];
            if (!used[rank])
            {
                used[rank] = true;
                distinctSeen++;
            }
        }

        Text = [.. text];
        DistinctSeen = distinctSeen;
    }

    /// <summary>Every word's bytes, in stream order, with nothing between them.</summary>
    public byte[] Text { get; }

    /// <summary>The length of each word of the stream.</summary>
    public byte[] Lengths { get; }

    /// <summary>The id of each word of the stream (the struct-key benchmarks' key).</summary>
    public long[] Ids { get; }

    /// <summary>How many distinct words the stream holds: with Zipf frequencies, fewer than the vocabulary when it is large.</summary>
    public int DistinctSeen { get; }

    private static byte[][] Vocabulary(Random random, int count)
    {
        var words = new HashSet<string>(StringComparer.Ordinal);
        var builder = new StringBuilder();
        while (words.Count < count)
        {
            int length = Pick(random, s_lengthWeights) + 1;
            builder.Clear();
            for (int i = 0; i < length; i++)
            {
                builder.Append(Letters[Pick(random, s_letterWeights)]);
            }

            words.Add(builder.ToString());
        }

        // Frequent words are short: rank by length, ties in the order drawn.
        return [.. words.Select((word, order) => (word, order)).OrderBy(w => w.word.Length).ThenBy(w => w.order).Select(w => Encoding.ASCII.GetBytes(w.word))];
    }

    private static int Pick(Random random, int[] weights)
    {
        int total = 0;
        foreach (int weight in weights)
        {
            total += weight;
        }

        int draw = random.Next(total);
        for (int i = 0; i < weights.Length; i++)
        {
            draw -= weights[i];
            if (draw < 0)
            {
                return i;
            }
        }

        return weights.Length - 1;
    }
}
