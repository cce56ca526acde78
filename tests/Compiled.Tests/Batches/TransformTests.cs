using System.Globalization;
using Compiled.Testing;

namespace Compiled.Tests.Batches;

/// <summary>
/// [Transform] and [ForEachBatch] (Spark's <c>transform</c> and <c>foreachRDD</c>): the function is called once
/// per batch, empty batches included, with exactly the batch's records in arrival order; what a transform adds
/// goes on down the pipeline in that batch.
/// </summary>
public class TransformTests
{
    private static readonly int[][] Batches = [[3, 1, 4], [], [1, 5], [], [9, 2, 6, 5, 3]];

    private static Transforms.TestDriver Run(int[][] batches, TimeSpan? interval = null)
    {
        Transforms.Observed = [];
        Transforms.ObservedReversed = [];
        var test = new Transforms.TestDriver(interval);
        test.Input.Batches(batches);
        test.Run();
        return test;
    }

    private static int[] ReversedThenSize(int[] batch) => [.. batch.Reverse(), -batch.Length];

    [Fact]
    public void Transform_GetsTheBatchInArrivalOrder_AndItsOutputIsTheBatchDownstream()
    {
        using var test = Run(Batches);

        Assert.Equal(
            Batches.Select((batch, i) => new OutputBatch<int>((i + 1) * 1000L, ReversedThenSize(batch))),
            test.Reversed.Batches);
        Assert.Equal([4, 1, 3, -3], test.Reversed.Batches[0].Records);
        Assert.Equal([0], test.Reversed.Batches[1].Records); // called for an empty batch too, with no records
    }

    [Fact]
    public void Transform_Output_FlowsIntoPerRecordAndBatchStages()
    {
        using var test = Run(Batches);

        Assert.Equal(Batches.Select(b => ReversedThenSize(b).Select(n => n * 2).ToList()), test.DoubledReversed.Batches.Select(b => b.Records));
        Assert.Equal(Batches.Select(b => (long)(b.Length + 1)), test.ReversedCount.Records);
        Assert.Equal(
            Batches.Select(b => Reference.GroupByKey(ReversedThenSize(b).Select(n => (Math.Sign(n), n)).ToList())
                .Select(g => new Group<int, int>(g.Key, g.Values)).ToList()),
            test.PerSign.Batches.Select(b => b.Records));
        Assert.Equal([new Group<int, int>(1, [4, 1, 3]), new Group<int, int>(-1, [-3])], test.PerSign.Batches[0].Records);
        Assert.Equal([new Group<int, int>(0, [0])], test.PerSign.Batches[1].Records);
    }

    [Fact]
    public void ForEachBatch_IsCalledOncePerBatch_WithItsRecordsAndTime()
    {
        using var test = Run(Batches, TimeSpan.FromMilliseconds(250));

        Assert.NotNull(Transforms.Observed);
        Assert.Equal(Batches.Select((b, i) => (i + 1) * 250L), Transforms.Observed.Select(o => o.Time));
        Assert.Equal(Batches, Transforms.Observed.Select(o => o.Records));
    }

    [Fact]
    public void ForEachBatch_OfATransform_SeesTheTransformsOutput()
    {
        using var test = Run(Batches);

        Assert.NotNull(Transforms.ObservedReversed);
        Assert.Equal(Batches.Select((b, i) => ((i + 1) * 1000L, ReversedThenSize(b))), Transforms.ObservedReversed.Select(o => (o.Time, o.Records)));
    }

    [Fact]
    public void ForEachBatch_RunPastTheInput_IsStillCalled_WithNoRecords()
    {
        using var test = Run([[7]]);
        test.Run(2);

        Assert.NotNull(Transforms.Observed);
        Assert.Equal([(1000L, [7]), (2000L, []), (3000L, (int[])[])], Transforms.Observed.Select(o => (o.Time, o.Records)));
        Assert.Equal([[14, -2], [0], [0]], test.DoubledReversed.Batches.Select(b => b.Records));
    }

    [Fact]
    public void Transform_LargeBatches_SeeEveryRecord()
    {
        var random = new Random(3);
        int[][] batches = [.. Enumerable.Range(0, 12).Select(i => Enumerable.Range(0, i % 3 == 0 ? 0 : random.Next(1, 5000)).Select(_ => random.Next(1, 1000)).ToArray())];
        using var test = Run(batches);

        Assert.Equal(batches.Select(b => b.Select(n => n.ToString(CultureInfo.InvariantCulture)).ToList()), test.Texts.Batches.Select(b => b.Records));
        Assert.Equal(batches.Select(ReversedThenSize), test.Reversed.Batches.Select(b => b.Records.ToArray()));
        Assert.NotNull(Transforms.Observed);
        Assert.Equal(batches, Transforms.Observed.Select(o => o.Records));
    }
}
