using System.Globalization;
using System.Text;
using Compiled.Tests.Connectors;
using static Compiled.Tests.Hosting.Partitions.PartitionRuns;

namespace Compiled.Tests.Keys;

/// <summary>
/// A [ReduceByKey] of byte keys whose table outgrows the cache defers its keys while their slots are fetched
/// (<see cref="Compiled.Keys.ByteKeyTable{TValue}.Defer"/>): a whole run over a file still gives every key in the order
/// first seen, each key's values reduced in the order they came, as a reduce applied at once would.
/// </summary>
public class WaitingKeyPipelineTests
{
    [Fact]
    public async Task ReduceByKey_ManyKeysShortAndLong_ReducesEachKeysValuesInArrivalOrder_KeysInFirstSeenOrder()
    {
        using var temp = new TempDirectory();
        string text = Words(seed: 7, lines: 60_000);
        string input = temp.Write("words.txt", text);

        WordFolds.Restart();
        Result result = await RunAsync(WordFolds.Definition, input, temp.Combine("out"), parallelism: 1);

        List<string> expected = Reference(text);
        Assert.True(expected.Count > 10_000, $"The text has {expected.Count} distinct words; the table must outgrow the cache.");
        Assert.Equal(expected, result.Sinks["Folds"]);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task ReduceByKey_ManyKeys_OnNPartitions_EqualsOnePartition(int partitions)
    {
        using var temp = new TempDirectory();
        string input = temp.Write("words.txt", Words(seed: partitions, lines: 60_000));
        Result one = await RunAsync(WordSums.Definition, input, temp.Combine("one"), parallelism: 1);
        Result many = await RunAsync(WordSums.Definition, input, temp.Combine("many"), parallelism: partitions);
        Assert.True(one.Sinks["Sums"].Count > 10_000, $"The text has {one.Sinks["Sums"].Count} distinct words; the table must outgrow the cache.");
        Assert.Equal(one.Sinks["Sums"], many.Sinks["Sums"]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task CountByValue_ManyKeys_CountsEachWord_KeysInFirstSeenOrder(int partitions)
    {
        using var temp = new TempDirectory();
        string text = Words(seed: 13, lines: 60_000);
        string input = temp.Write("words.txt", text);
        Result result = await RunAsync(WordCounts.Definition, input, temp.Combine("out"), parallelism: partitions);

        // Every word's count; on one partition (one batch) in the order first seen, on two the same once sorted.
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (string word in text.Split(['\n', ' '], StringSplitOptions.RemoveEmptyEntries))
        {
            if (!counts.TryAdd(word, 1))
            {
                counts[word]++;
            }
            else
            {
                order.Add(word);
            }
        }

        List<string> expected = [.. order.Select(word => string.Create(CultureInfo.InvariantCulture, $"({word},{counts[word]})"))];
        Assert.True(expected.Count > 10_000, $"The text has {expected.Count} distinct words; the table must outgrow the cache.");
        Assert.Equal(expected, result.Sinks["Counts"]);
    }

    // Lines of 1 to 12 words from 30,000 short words (up to 16 bytes) and 3,000 longer ones, one space between words.
    private static string Words(int seed, int lines)
    {
        var random = new Random(seed);
        var text = new StringBuilder();
        for (int line = 0; line < lines; line++)
        {
            int words = random.Next(1, 13);
            for (int w = 0; w < words; w++)
            {
                text.Append(w == 0 ? "" : " ");
                text.Append(random.Next(11) == 0 ? $"a-word-longer-than-a-slot-{random.Next(3_000)}" : $"w{random.Next(30_000)}");
            }

            text.Append('\n');
        }

        return text.ToString();
    }

    // What WordFolds writes, worked out here: each word's positions in the text folded in order, words in first-seen order.
    private static List<string> Reference(string text)
    {
        var folds = new Dictionary<string, long>(StringComparer.Ordinal);
        var order = new List<string>();
        long position = 0;
        foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (string word in line.Split(' '))
            {
                position++;
                if (folds.TryGetValue(word, out long fold))
                {
                    folds[word] = WordFolds.Fold(fold, position);
                }
                else
                {
                    folds[word] = position;
                    order.Add(word);
                }
            }
        }

        return [.. order.Select(word => string.Create(CultureInfo.InvariantCulture, $"({word},{folds[word]})"))];
    }
}

/// <summary>Each word's positions in the input (1, 2, …, in the order read) folded in order: a value reduced out of order changes the fold.</summary>
[Pipeline(BatchInterval = "1s")]
public static partial class WordFolds
{
    private static long s_position;

    [Source]
    public static partial Lines Input();

    [FlatMap]
    public static Utf8Words Words(ReadOnlySpan<byte> line) => new(line, (byte)' ');

    [Map(InOrder = true)]
    public static KeyValue<long> Position(ReadOnlySpan<byte> word) => new(word, ++s_position);

    [ReduceByKey]
    public static long Fold(long a, long b) => (a * 31) + b;

    [Sink]
    public static partial void Folds(KeyValue<long> fold);

    /// <summary>Starts the positions again, for a test that runs the pipeline.</summary>
    public static void Restart() => s_position = 0;
}

/// <summary>Each word's length summed per word: a reduce that partitions may merge.</summary>
[Pipeline(BatchInterval = "1s")]
public static partial class WordSums
{
    [Source]
    public static partial Lines Input();

    [FlatMap]
    public static Utf8Words Words(ReadOnlySpan<byte> line) => new(line, (byte)' ');

    [Map]
    public static KeyValue<long> Length(ReadOnlySpan<byte> word) => new(word, word.Length);

    [ReduceByKey]
    public static long Sum(long a, long b) => a + b;

    [Sink]
    public static partial void Sums(KeyValue<long> sum);
}

/// <summary>Each word counted ([CountByValue] of byte keys).</summary>
[Pipeline(BatchInterval = "10m")]
public static partial class WordCounts
{
    [Source]
    public static partial Lines Input();

    [FlatMap]
    public static Utf8Words Words(ReadOnlySpan<byte> line) => new(line, (byte)' ');

    [CountByValue]
    public static ReadOnlySpan<byte> Word(ReadOnlySpan<byte> word) => word;

    [Sink]
    public static partial void Counts(KeyValue<long> count);
}
