using System.Text;
using Compiled.Tests.Connectors;
using static Compiled.Tests.Hosting.Partitions.PartitionRuns;

namespace Compiled.Tests.Hosting.Partitions;

/// <summary>
/// The stages that keep values, windows, event time and a second stream, on N partitions: each partition collects its
/// part of the batch (a key's values, a window's part, its event windows and sessions, its records of each stream) and
/// the job merges them at the boundary in partition order, so the result equals one partition's, in the same order; and
/// over many short batches, what does not depend on where the batches cut the input is the same.
/// </summary>
public class PartitionedStageTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task GroupByKeyAndUpdateStateByKey_MultiMegabyteFile_OnNPartitions_KeepTheInputsOrderPerKey(int partitions)
    {
        // Each word's values folded in order: a value out of the input's order changes the hash.
        using var temp = new TempDirectory();
        string input = RandomTextFile(temp, seed: 30 + partitions, bytes: 4 << 20);
        (Result one, Result many) = await OneAndManyAsync(WordOrders.Definition, input, temp, partitions);
        Assert.True(one.Sinks["Groups"].Count > 1000, $"The file has {one.Sinks["Groups"].Count} distinct first words; the test needs many.");
        Assert.Equal(one.Sinks["Groups"], many.Sinks["Groups"]);
        Assert.Equal(one.Sinks["States"], many.Sinks["States"]);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task EveryKindOfWindow_MultiMegabyteFile_OnNPartitions_EqualsOnePartition(int partitions)
    {
        using var temp = new TempDirectory();
        string input = RandomTextFile(temp, seed: 50 + partitions, bytes: 3 << 20);
        (Result one, Result many) = await OneAndManyAsync(WindowStatistics.Definition, input, temp, partitions);
        Assert.True(one.Sinks["MergedOut"].Count > 1000, $"The window holds {one.Sinks["MergedOut"].Count} distinct words; the test needs many.");
        Assert.True(one.Sinks["RecentLinesOut"].Count > 10_000, $"The window holds {one.Sinks["RecentLinesOut"].Count} lines; the test needs many.");
        foreach (SinkDeclaration sink in WindowStatistics.Definition.Sinks)
        {
            Assert.NotEmpty(one.Sinks[sink.Name]);
            Assert.Equal(one.Sinks[sink.Name], many.Sinks[sink.Name]);
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task EventWindows_MultiMegabyteFile_OnNPartitions_EqualOnePartition(int partitions)
    {
        // One batch: every window is emitted at the end of the input, with its keys in the order one partition saw them.
        using var temp = new TempDirectory();
        string input = temp.Combine("events.txt");
        File.WriteAllText(input, Events(seed: 60 + partitions, bytes: 4 << 20));

        (Result one, Result many) = await OneAndManyAsync(UserWindows.Definition, input, temp, partitions);
        Assert.True(one.Sinks["SlidingOut"].Count > 10_000, $"The windows hold {one.Sinks["SlidingOut"].Count} user counts; the test needs many.");
        foreach (SinkDeclaration sink in UserWindows.Definition.Sinks)
        {
            Assert.Equal(one.Sinks[sink.Name], many.Sinks[sink.Name]);
        }
    }

    [Fact]
    public async Task EventWindows_ManyShortBatches_OnThreePartitions_EmitEachWindowOnceWithTheOnePartitionValues()
    {
        // Times wander back by less than the lateness, so no record is late however the batches cut the input: each
        // window is emitted once, in whichever batch the merged watermark passes its end, with the one-partition value.
        using var temp = new TempDirectory();
        string input = temp.Combine("events.txt");
        File.WriteAllText(input, Events(seed: 70, bytes: 6 << 20));

        (Result one, Result many) = await OneAndManyAsync(UserWindows.Definition, input, temp, 3, TimeSpan.FromMilliseconds(20));
        Assert.DoesNotContain("late", many.Log, StringComparison.OrdinalIgnoreCase);
        int emitting = Directory.GetFiles(temp.Combine("many"), "TumblingOut-*.txt").Count(f => new FileInfo(f).Length > 0);
        Assert.True(emitting > 1, $"The windows were emitted in {emitting} batch(es); the merged watermark must pass windows before the input ends.");
        foreach (string sink in new[] { "TumblingOut", "SlidingOut", "SessionsOut" })
        {
            Assert.Equal(one.Sinks[sink].Order(StringComparer.Ordinal), many.Sinks[sink].Order(StringComparer.Ordinal));
        }
    }

    // About 'bytes' bytes of "millis user amount" lines over 2,000 users, times rising 1 ms a line on average and
    // wandering back by up to a second (less than the pipeline's lateness of 2 s).
    private static string Events(int seed, int bytes)
    {
        var random = new Random(seed);
        var text = new StringBuilder(bytes + 64);
        long time = 1_700_000_000_000;
        while (text.Length < bytes)
        {
            time += random.Next(3);
            text.Append(time - random.Next(1000)).Append(" u").Append(random.Next(2000)).Append(' ')
                .Append((random.Next(10_000) / 4.0).ToString(System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
        }

        return text.ToString();
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task TwoStreamsOfOneSource_CogroupUnionAndTransformWith_OnNPartitions_EqualOnePartition(int partitions)
    {
        // Each stream folded in order, per key and over the batch: a value out of the input's order changes a hash.
        using var temp = new TempDirectory();
        string input = RandomTextFile(temp, seed: 80 + partitions, bytes: 3 << 20);
        (Result one, Result many) = await OneAndManyAsync(SplitStreams.Definition, input, temp, partitions);
        Assert.True(one.Sinks["Counts"].Count > 50, $"The union counted {one.Sinks["Counts"].Count} (letter, length) pairs; the test needs many.");
        foreach (SinkDeclaration sink in SplitStreams.Definition.Sinks)
        {
            Assert.NotEmpty(one.Sinks[sink.Name]);
            Assert.Equal(one.Sinks[sink.Name], many.Sinks[sink.Name]);
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task UpdateStateByKey_TensOfThousandsOfKeys_UpdatedSideBySide_OnNPartitions_EqualsOnePartition(int partitions)
    {
        // 40,000 ids in one batch: the job's store works out their updates on N threads and hands them out in order.
        using var temp = new TempDirectory();
        var random = new Random(70 + partitions);
        var text = new StringBuilder();
        for (int line = 0; line < 300_000; line++)
        {
            text.Append(random.Next(40_000)).Append(' ').Append(random.Next(100)).Append('\n');
        }

        string input = temp.Write("ids.txt", text.ToString());
        (Result one, Result many) = await OneAndManyAsync(IdStates.Definition, input, temp, partitions);
        Assert.True(one.Sinks["States"].Count > 30_000, $"The file has {one.Sinks["States"].Count} ids with a state; the test needs many.");
        Assert.Equal(one.Sinks["States"], many.Sinks["States"]);
    }

    [Fact]
    public async Task UpdateStateByKey_ManyShortBatches_OnThreePartitions_EndsWithTheOnePartitionCounts()
    {
        // Batches cut by time divide the records differently on 3 partitions, but each key's count over the run is the same.
        using var temp = new TempDirectory();
        string input = RandomTextFile(temp, seed: 40, bytes: 6 << 20);
        (Result one, Result many) = await OneAndManyAsync(WordOrders.Definition, input, temp, 3, TimeSpan.FromMilliseconds(20));
        Assert.Equal(StateCounts(one.Sinks["States"]), StateCounts(LastBatch(temp.Combine("many"), "States")));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task TwoFileSources_CogroupUnionAndReduce_OnNPartitions_EqualOnePartition(int partitions)
    {
        // Each source's files split into N ranges; partition p reads range p of each. Each side's values folded in order.
        using var temp = new TempDirectory();
        var random = new Random(90 + partitions);
        string orders = temp.Write("orders.txt", Movements(random, 2 << 20));
        string refunds = temp.Write("refunds.txt", Movements(random, 1 << 20));

        Result one = await RunAsync(OrdersAndRefunds.Definition, [orders, refunds], temp.Combine("one"), parallelism: 1);
        Result many = await RunAsync(OrdersAndRefunds.Definition, [orders, refunds], temp.Combine("many"), partitions);

        Assert.Contains($"runs on {partitions} partitions", many.Log, StringComparison.Ordinal);
        Assert.True(one.Sinks["Balances"].Count > 1000, $"The cogroup gave {one.Sinks["Balances"].Count} users; the test needs many.");
        Assert.Equal(one.Sinks["SpentOut"], many.Sinks["SpentOut"]);
        Assert.Equal(one.Sinks["Balances"], many.Sinks["Balances"]);

        // Below a union of two sources, records come in the order the sources were read, which one partition does not fix
        // either (it reads both at once): the same counts, in an order of their own.
        Assert.Equal(one.Sinks["MovementsOut"].Order(StringComparer.Ordinal), many.Sinks["MovementsOut"].Order(StringComparer.Ordinal));
    }

    // About 'bytes' bytes of "user,amount" lines over 5,000 users.
    private static string Movements(Random random, int bytes)
    {
        var text = new StringBuilder(bytes + 64);
        while (text.Length < bytes)
        {
            text.Append('u').Append(random.Next(5000)).Append(',').Append(random.Next(1, 1000)).Append('\n');
        }

        return text.ToString();
    }
}
