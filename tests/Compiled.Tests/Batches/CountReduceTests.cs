using Compiled.Testing;

namespace Compiled.Tests.Batches;

/// <summary>
/// [Count] and [Reduce]: Spark's <c>DStream.count</c> (a map to <c>(null, 1L)</c> unioned with <c>(null, 0L)</c>
/// and reduced, so an empty batch counts 0) and <c>DStream.reduce</c> (a reduceByKey on one null key, so an empty
/// batch has no record).
/// </summary>
public class CountReduceTests
{
    private static readonly int[][] Batches =
    [
        [3, 8, 1],
        [],
        [5],
        [2, 4, 6, 8, 10, 7],
        [],
        [],
        [9, 9, 9],
    ];

    [Fact]
    public void Count_EveryBatch_IsTheNumberOfRecords_ZeroForAnEmptyBatch()
    {
        using var test = new CountAndReduce.TestDriver();
        test.Input.Batches(Batches);
        test.Run();

        Assert.Equal(
            Batches.Select((batch, i) => new OutputBatch<long>((i + 1) * 1000L, [batch.LongLength])),
            test.Count.Batches);
    }

    [Fact]
    public void Count_OfAFilteredStream_IsZeroWhenTheFilterDropsEverything()
    {
        using var test = new CountAndReduce.TestDriver();
        test.Input.Batches(Batches);
        test.Run();

        // Batch 3 ([5]) and batch 7 ([9, 9, 9]) have records, none even: still one record, 0.
        Assert.Equal(
            Batches.Select(batch => (IReadOnlyList<long>)[batch.LongCount(n => n % 2 == 0)]),
            test.EvenCount.Batches.Select(b => b.Records));
        Assert.Equal([1L, 0, 0, 5, 0, 0, 0], test.EvenCount.Records);
    }

    [Fact]
    public void Reduce_IsOneRecordPerNonEmptyBatch_AndNoneForAnEmptyBatch()
    {
        using var test = new CountAndReduce.TestDriver();
        test.Input.Batches(Batches);
        test.Run();

        Assert.Equal(
            Batches.Select((batch, i) => new OutputBatch<int>((i + 1) * 1000L, batch.Length == 0 ? [] : [batch.Aggregate((a, b) => a + b)])),
            test.Total.Batches);
        Assert.Equal([12, 5, 37, 27], test.Total.Records);
    }

    [Fact]
    public void Reduce_OfAFilteredStream_EmitsNothingWhenTheFilterDropsEverything()
    {
        using var test = new CountAndReduce.TestDriver();
        test.Input.Batches(Batches);
        test.Run();

        Assert.Equal(
            Batches.Select(batch => batch.Where(n => n % 2 == 0).ToArray())
                .Select(evens => (IReadOnlyList<int>)(evens.Length == 0 ? [] : [evens.Max()])),
            test.LargestEven.Batches.Select(b => b.Records));
        Assert.Equal(7, test.LargestEven.Batches.Count); // the batches without a record are there, empty
    }

    [Fact]
    public void Reduce_FoldsInArrivalOrder()
    {
        // Concat is neither commutative nor associative: the result shows the order of the fold. Spark leaves
        // it to the partitioning; Compiled folds left, in arrival order.
        using var test = new FoldWords.TestDriver();
        test.Input.Batch("a", "b", "c", "d").Batch().Batch("x").Batch("y", "z");
        test.Run();

        Assert.Equal(
            [
                new OutputBatch<string>(1000, ["(((a+b)+c)+d)"]),
                new OutputBatch<string>(2000, []),
                new OutputBatch<string>(3000, ["x"]),
                new OutputBatch<string>(4000, ["(y+z)"]),
            ],
            test.Folded.Batches);
    }

    [Fact]
    public void CountAndReduce_RunPastTheInput_KeepCountingZeroAndReducingNothing()
    {
        using var test = new CountAndReduce.TestDriver(TimeSpan.FromMilliseconds(200));
        test.Input.Batch(1, 2);
        test.Run(3);

        Assert.Equal([new OutputBatch<long>(200, [2]), new OutputBatch<long>(400, [0]), new OutputBatch<long>(600, [0])], test.Count.Batches);
        Assert.Equal([new OutputBatch<int>(200, [3]), new OutputBatch<int>(400, []), new OutputBatch<int>(600, [])], test.Total.Batches);
    }

    [Fact]
    public void CountAndReduce_LargeBatches_MatchTheModel()
    {
        var random = new Random(5);
        int[][] batches = [.. Enumerable.Range(0, 20).Select(i => Enumerable.Range(0, i % 4 == 0 ? 0 : random.Next(1, 3000)).Select(_ => random.Next(-1000, 1000)).ToArray())];
        using var test = new CountAndReduce.TestDriver();
        test.Input.Batches(batches);
        test.Run();

        Assert.Equal(batches.Select(b => (IReadOnlyList<long>)[b.Length]), test.Count.Batches.Select(b => b.Records));
        Assert.Equal(batches.Select(b => (IReadOnlyList<int>)(b.Length == 0 ? [] : [b.Sum()])), test.Total.Batches.Select(b => b.Records));
    }

    [Fact]
    public void Count_OfByteLinesAndOfKeyedByteRecords_CountsEmptyLinesToo()
    {
        using var test = new ByteCounts.TestDriver();
        test.Input.Batch("a b", "", "  c  ").Batch().Batch("", "").Batch("x y z w");
        test.Run();

        Assert.Equal([3L, 0, 2, 1], test.LineCount.Records);
        Assert.Equal([3L, 0, 0, 4], test.PairCount.Records); // words: runs of spaces make no empty words
    }
}
