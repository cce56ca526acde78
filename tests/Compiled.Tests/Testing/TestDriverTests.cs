using Compiled.Batching;
using Compiled.Hosting;
using Compiled.Tests.Batches;
using Compiled.Tests.Pipelines;
using Compiled.Tests.Sources;
using Compiled.Testing;

namespace Compiled.Tests.Testing;

/// <summary>The generated test driver: typed batches in, typed batches out, batch k at k × the interval.</summary>
public class TestDriverTests
{
    [Fact]
    public void TestDriver_WordCount_OneOutputBatchPerInputBatch()
    {
        using var test = new WordCountPipeline.TestDriver();
        test.Input.Batch("a b a", "b c").Batch().Batch("c");
        test.Run();

        Assert.Equal(3, test.BatchesRun);
        Assert.Equal(
            [
                new OutputBatch<(string Key, long Value)>(1000, [("a", 2), ("b", 2), ("c", 1)]),
                new OutputBatch<(string Key, long Value)>(2000, []),
                new OutputBatch<(string Key, long Value)>(3000, [("c", 1)]),
            ],
            test.Output.Batches);
    }

    [Fact]
    public void TestDriver_RunWithoutInput_RunsEmptyBatches_AndRunsContinue()
    {
        using var test = new WordCountPipeline.TestDriver(TimeSpan.FromMilliseconds(250));
        test.Input.Batch("x");
        test.Run(3);
        test.Input.Batch("ignored: batch 2 already ran").Batch("y y");
        test.Run(1);

        Assert.Equal([250L, 500, 750, 1000], test.Output.Batches.Select(b => b.Time));
        Assert.Equal([("x", 1L)], test.Output.Batches[0].Records);
        Assert.Empty(test.Output.Batches[1].Records);
        Assert.Empty(test.Output.Batches[2].Records);
        Assert.Empty(test.Output.Batches[3].Records); // batch 4's input was never given
        test.Run();
        Assert.Equal(4, test.BatchesRun); // the inputs hold 3 batches, all run already
    }

    [Fact]
    public void TestDriver_TypedSource_TakesRecordsOfItsType()
    {
        using var test = new Remainders.TestDriver();
        test.Numbers.Batch(1, 2, 3, 4, -5, 6).Batch(7);
        test.Run();

        Assert.Equal(
            [
                new OutputBatch<(int, long)>(500, [(1, 2), (2, 1), (0, 2)]),
                new OutputBatch<(int, long)>(1000, [(1, 1)]),
            ],
            test.Output.Batches);
    }

    [Fact]
    public void TestDriver_TupleSource_TwoSinks()
    {
        using var test = new Totals.TestDriver();
        test.Orders.Batch((1, 500), (2, 20_000), (1, 700)).Batch((2, 1));
        test.Run();

        Assert.Equal([(1, 1200L), (2, 20_000)], test.Output.Batches[0].Records);
        Assert.Equal([(2, 1L)], test.Output.Batches[1].Records);
        Assert.Equal([[(2, 20_000L)], []], test.BigOrders.Batches.Select(b => b.Records));
    }

    [Fact]
    public void TestDriver_ByteSink_CapturesLinesAsStrings()
    {
        using var test = new ErrorLines.TestDriver();
        test.Input.Batch("ok", "ERROR disk full", "naïve ERROR ünïcode");
        test.Run();

        Assert.Equal(["ERROR disk full", "naïve ERROR ünïcode"], test.Output.Records);
    }

    [Fact]
    public void TestDriver_OperatorThrows_TheTestSeesTheException()
    {
        using var test = new ThrowingPipeline.TestDriver();
        test.Input.Batch("fine", "boom");
        var error = Assert.Throws<FormatException>(() => test.Run());
        Assert.Equal("cannot parse 'boom'", error.Message);
        Assert.Empty(test.Output.Batches);
    }

    [Fact]
    public void TestDriver_BatchK_IsNumberK_AndReportsItsProgress()
    {
        using var test = new WordCountPipeline.TestDriver(TimeSpan.FromMilliseconds(250));
        var committed = new List<BatchProgress>();
        test.BatchCommitted += committed.Add;
        Assert.Null(test.LastProgress);
        test.Input.Batch("a b", "c").Batch().Batch("d");
        test.Run(2);
        test.RunToEnd();

        Assert.Equal(
            [(1L, 250L, BatchEnd.Running, 2L), (2, 500, BatchEnd.Running, 0), (3, 750, BatchEnd.EndOfInput, 1)],
            committed.Select(p => (p.Number, p.Time, p.End, p.Records)));
        Assert.Same(committed[^1], test.LastProgress);
    }

    [Fact]
    public void TestDriver_Progress_CountsEachSourcesRecords()
    {
        using var test = new Ads.TestDriver();
        test.Impressions.Batch((1, 10), (1, 11), (2, 12)).Batch((3, 13));
        test.Clicks.Batch((1, 10)).Batch();
        test.Run(1);
        Assert.Equal([3L, 1], test.LastProgress!.RecordsIn);
        test.Run(1);
        Assert.Equal([1L, 0], test.LastProgress!.RecordsIn);
    }

    [Fact]
    public void TestDriver_AWindowedSink_ReceivesOnlyTheBatchesAtItsSlide()
    {
        // A window sliding every 2 batches: its sinks receive batches 2 and 4, the job's decision the coordinator asks.
        using var test = new Windowed.TestDriver();
        test.Input.Batch((1, 1)).Batch((1, 2)).Batch((2, 3)).Batch();
        test.Run();

        Assert.Equal([2000L, 4000], test.RecentLast.Batches.Select(b => b.Time));
        Assert.Equal([(1, 2)], test.RecentLast.Batches[0].Records);
        Assert.Equal([(2, 3)], test.RecentLast.Batches[1].Records);
    }
}
