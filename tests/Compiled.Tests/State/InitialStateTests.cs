using Compiled.Testing;

namespace Compiled.Tests.State;

/// <summary>
/// Initial state (Spark's <c>initialRDD</c> and <c>StateSpec.initialState</c>), from a test and from the pipeline;
/// Spark's <c>(time, key, values, state)</c> update function; and the whole state after each batch (Spark's
/// <c>stateSnapshots()</c>), all through the generated test driver. Spark lists keys by hash; Compiled lists the kept
/// keys first, in their order (initial keys in the order given), then the batch's new keys in order of arrival.
/// </summary>
public class InitialStateTests
{
    private static readonly string[][] SparkInput = [["a"], ["a", "b"], ["a", "b", "c"], ["a", "b"], ["a"], []];

    [Fact]
    public void Spark_BasicOperationsSuite_UpdateStateByKey_WithInitialValueRdd()
    {
        using var test = new WordTotals.TestDriver();
        test.Total.Initial(("a", 1), ("c", 2));
        test.Input.Batches(SparkInput);
        test.Run();

        (string, long)[][] expected =
        [
            [("a", 2), ("c", 2)],
            [("a", 3), ("c", 2), ("b", 1)],
            [("a", 4), ("c", 3), ("b", 2)],
            [("a", 5), ("c", 3), ("b", 3)],
            [("a", 6), ("c", 3), ("b", 3)],
            [("a", 6), ("c", 3), ("b", 3)],
        ];
        Assert.Equal(expected, test.Output.Batches.Select(b => b.Records));
        Assert.Equal(expected, test.Total.Snapshots.Select(b => b.Records)); // the state is what it emits
        Assert.Equal([1000L, 2000, 3000, 4000, 5000, 6000], test.Total.Snapshots.Select(b => b.Time));
    }

    [Fact]
    public void Spark_BasicOperationsSuite_UpdateStateByKey_TestingTimeStampsAsInput()
    {
        using var test = new TimeStamped.TestDriver();
        test.Stamped.Initial(("a", 0), ("c", 0));
        test.Input.Batches(SparkInput);
        CallLog.Take();
        test.Run(1);
        Assert.Equal(["1000 a", "1000 c"], CallLog.Take());
        test.Run();

        Assert.Equal(
            [
                [("a", 1000L), ("c", 0L)],
                [("a", 3000L), ("c", 0L), ("b", 2000L)],
                [("a", 6000L), ("c", 3000L), ("b", 5000L)],
                [("a", 10000L), ("c", 3000L), ("b", 9000L)],
                [("a", 15000L), ("c", 3000L), ("b", 9000L)],
                [("a", 15000L), ("c", 3000L), ("b", 9000L)],
            ],
            test.Output.Batches.Select(b => b.Records));
        Assert.Equal(["6000 a", "6000 c", "6000 b"], CallLog.Take()[^3..]);
    }

    [Fact]
    public void Spark_MapWithStateSuite_InitialStates_WithNothingReturnedFromTheMappingFunction()
    {
        using var test = new SilentCounts.TestDriver();
        test.Count.Initial(("a", 5), ("b", 3));
        test.Input.Batches(SparkInput);
        test.Run();

        Assert.All(test.Output.Batches, b => Assert.Empty(b.Records));
        Assert.Equal(6, test.Output.Batches.Count);
        Assert.Equal(
            [
                [("a", 6), ("b", 3)],
                [("a", 7), ("b", 4)],
                [("a", 8), ("b", 5), ("c", 1)],
                [("a", 9), ("b", 6), ("c", 1)],
                [("a", 10), ("b", 6), ("c", 1)],
                [("a", 10), ("b", 6), ("c", 1)],
            ],
            test.Count.Snapshots.Select(b => b.Records));
    }

    // Spark stamps initial states with the first batch's time, so a key given an initial state and no records times
    // out as one last updated in the first batch: with a 3 s timeout at 1 s batches, in batch 5 (5 − 1 > 3), with the
    // key that had a record in the first batch.
    [Fact]
    public void InitialState_OfAKeyWithoutRecords_TimesOutAsIfUpdatedInTheFirstBatch()
    {
        using var test = new Timeouts.TestDriver();
        test.Track.Initial((5, 50));
        test.Forever.Initial((5, 50));
        test.Commands.Batch((6, 1)).Batch().Batch().Batch().Batch().Batch();
        test.Run();

        Assert.Equal(
            [[new Event(6, 1, null, 1, TimingOut: false)], [], [], [], [new Event(5, null, 50, 50, TimingOut: true), new Event(6, null, 1, 1, TimingOut: true)], []],
            test.Events.Batches.Select(b => b.Records));
        Assert.Equal(
            [[(5, 50L), (6, 1L)], [(5, 50L), (6, 1L)], [(5, 50L), (6, 1L)], [(5, 50L), (6, 1L)], [], []],
            test.Track.Snapshots.Select(b => b.Records));
        Assert.All(test.Forever.Snapshots, b => Assert.Equal([(5, 50L), (6, 1L)], b.Records)); // no timeout: kept
    }

    // The README's example of Initial and Snapshots, as written there.
    [Fact]
    public void Readme_TestingAPipeline_StateOfAStage()
    {
        using var test = new WordTotals.TestDriver();
        test.Total.Initial(("a", 1), ("c", 2));
        test.Input.Batch("a").Batch("a", "b");
        test.Run();
        Assert.Equal([("a", 3), ("c", 2), ("b", 1)], test.Total.Snapshots[1].Records);
    }

    [Fact]
    public void InitialState_AfterABatchHasRun_IsRefused_AndSaysWhen()
    {
        using var test = new WordTotals.TestDriver();
        test.Input.Batch("a");
        test.Run();
        var error = Assert.Throws<InvalidOperationException>(() => test.Total.Initial(("a", 1)));
        Assert.Contains("before calling Run or RunToEnd", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InitialState_FromThePipeline_ReachesBothStages_AndATestCanAddToIt()
    {
        using var test = new SeededState.TestDriver();
        test.Balance.Initial((9, 900));
        test.Payments.Batch((1, 5), (2, 20)).Batch((1, 1)).Batch().Batch().Batch();
        CallLog.Take();
        test.Run(1);
        Assert.Equal(["1000 1", "1000 7", "1000 9", "1000 2"], CallLog.Take());
        test.Run();

        Assert.Equal(
            [
                [(1, 105L), (7, 700L), (9, 900L), (2, 20L)],
                [(1, 106L), (7, 700L), (9, 900L), (2, 20L)],
            ],
            test.Balances.Batches.Take(2).Select(b => b.Records));

        // "idle" (5) was last updated in batch 1 as an initial state: it times out in batch 4 (4 − 1 > 2); "other"
        // (20) in batch 4 too; "one" (10 + 5 + 1) in batch 5.
        Assert.Equal(
            [[], [], [], [("idle", 5L), ("other", 20L)], [("one", 16L)]],
            test.Closed.Batches.Select(b => b.Records));
        Assert.Equal([("one", 15L), ("idle", 5L), ("other", 20L)], test.Session.Snapshots[0].Records);
    }
}
