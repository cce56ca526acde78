using System.Globalization;
using System.Text;
using Compiled.Tests.Connectors;
using static Compiled.Tests.Hosting.Partitions.PartitionRuns;

namespace Compiled.Tests.Keys;

/// <summary>
/// A [ReduceByKey] of struct keys whose table grows past 8 MiB of slots defers its keys while their slots are fetched
/// (<see cref="Compiled.Keys.StructKeyTable{TKey, TValue}.Defer"/>): a whole run over a file still gives every key in
/// the order first seen, each key's values reduced in the order they came, as a reduce applied at once would.
/// </summary>
public class StructWaitingKeyPipelineTests
{
    [Fact]
    public async Task ReduceByKey_ManyStructKeys_ReducesEachKeysValuesInArrivalOrder_KeysInFirstSeenOrder()
    {
        using var temp = new TempDirectory();
        string text = Ids(seed: 5, lines: 400_000);
        string input = temp.Write("ids.txt", text);

        IdFolds.Restart();
        Result result = await RunAsync(IdFolds.Definition, input, temp.Combine("out"), parallelism: 1);

        List<string> expected = Reference(text);
        Assert.True(expected.Count > 131_072, $"The input has {expected.Count} distinct ids; the table must grow past 8 MiB of slots.");
        Assert.Equal(expected, result.Sinks["Folds"]);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task ReduceByKey_ManyStructKeys_OnNPartitions_EqualsOnePartition(int partitions)
    {
        using var temp = new TempDirectory();
        string input = temp.Write("ids.txt", Ids(seed: partitions, lines: 400_000));
        Result one = await RunAsync(IdSums.Definition, input, temp.Combine("one"), parallelism: 1);
        Result many = await RunAsync(IdSums.Definition, input, temp.Combine("many"), parallelism: partitions);
        Assert.True(one.Sinks["Sums"].Count > 131_072, $"The input has {one.Sinks["Sums"].Count} distinct ids; the table must grow past 8 MiB of slots.");
        Assert.Equal(one.Sinks["Sums"], many.Sinks["Sums"]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task CountByValue_ManyStructKeys_CountsEachId_KeysInFirstSeenOrder(int partitions)
    {
        using var temp = new TempDirectory();
        string text = Ids(seed: 17, lines: 400_000);
        string input = temp.Write("ids.txt", text);
        Result result = await RunAsync(IdCounts.Definition, input, temp.Combine("out"), parallelism: partitions);

        var counts = new Dictionary<long, long>();
        var order = new List<long>();
        foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            long id = long.Parse(line, CultureInfo.InvariantCulture);
            if (!counts.TryAdd(id, 1))
            {
                counts[id]++;
            }
            else
            {
                order.Add(id);
            }
        }

        List<string> expected = [.. order.Select(id => string.Create(CultureInfo.InvariantCulture, $"({id},{counts[id]})"))];
        Assert.True(expected.Count > 131_072, $"The input has {expected.Count} distinct ids; the table must grow past 8 MiB of slots.");
        Assert.Equal(expected, result.Sinks["Counts"]);
    }

    // A line per record: an id of up to 6 digits, from 160,000 ids.
    private static string Ids(int seed, int lines)
    {
        var random = new Random(seed);
        var text = new StringBuilder();
        for (int line = 0; line < lines; line++)
        {
            text.Append(random.Next(160_000).ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        return text.ToString();
    }

    // What IdFolds writes, worked out here: each id's line numbers folded in order, ids in first-seen order.
    private static List<string> Reference(string text)
    {
        var folds = new Dictionary<long, long>();
        var order = new List<long>();
        long position = 0;
        foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            long id = long.Parse(line, CultureInfo.InvariantCulture);
            position++;
            if (folds.TryGetValue(id, out long fold))
            {
                folds[id] = IdFolds.Fold(fold, position);
            }
            else
            {
                folds[id] = position;
                order.Add(id);
            }
        }

        return [.. order.Select(id => string.Create(CultureInfo.InvariantCulture, $"({id},{folds[id]})"))];
    }
}

/// <summary>Each id's line numbers (1, 2, …, in the order read) folded in order: a value reduced out of order changes the fold.</summary>
[Pipeline(BatchInterval = "1s")]
public static partial class IdFolds
{
    private static long s_position;

    [Source]
    public static partial Lines Input();

    [Map(InOrder = true)]
    public static (long Id, long Position) Position(ReadOnlySpan<byte> line) => (long.Parse(line, CultureInfo.InvariantCulture), ++s_position);

    [ReduceByKey]
    public static long Fold(long a, long b) => (a * 31) + b;

    [Sink]
    public static partial void Folds((long Id, long Fold) fold);

    /// <summary>Starts the positions again, for a test that runs the pipeline.</summary>
    public static void Restart() => s_position = 0;
}

/// <summary>Each id's count of lines times its id, summed per id: a reduce that partitions may merge.</summary>
[Pipeline(BatchInterval = "1s")]
public static partial class IdSums
{
    [Source]
    public static partial Lines Input();

    [Map]
    public static (long Id, long Value) Value(ReadOnlySpan<byte> line)
    {
        long id = long.Parse(line, CultureInfo.InvariantCulture);
        return (id, id + 1);
    }

    [ReduceByKey]
    public static long Sum(long a, long b) => a + b;

    [Sink]
    public static partial void Sums((long Id, long Sum) sum);
}

/// <summary>Each id counted ([CountByValue] of struct keys).</summary>
[Pipeline(BatchInterval = "10m")]
public static partial class IdCounts
{
    [Source]
    public static partial Lines Input();

    [CountByValue]
    public static long Id(ReadOnlySpan<byte> line) => long.Parse(line, CultureInfo.InvariantCulture);

    [Sink]
    public static partial void Counts(long id, long count);
}
