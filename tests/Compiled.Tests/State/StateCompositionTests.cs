using Compiled.Testing;

namespace Compiled.Tests.State;

/// <summary>The stateful stages with other stages: values of a reference type, and aggregates and windows below them.</summary>
public class StateCompositionTests
{
    [Fact]
    public void UpdateStateByKey_ValuesOfAReferenceType_ArriveInOrder()
    {
        using var test = new WordsByKey.TestDriver();
        CallLog.Take();
        test.Words.Batch((1, "to"), (2, "be"), (1, "or"), (1, "not")).Batch((2, "to"), (2, "be"));
        test.Run();

        Assert.Equal(["[to,or,not] none", "[be] none", "[] 3", "[to,be] 1"], CallLog.Take());
        Assert.Equal([[(1, 3L), (2, 1)], [(1, 3L), (2, 3)]], test.Counts.Batches.Select(b => b.Records));
    }

    // What the timing-out calls emit at a batch boundary reaches the aggregates and windows below in that same batch.
    [Fact]
    public void MapWithState_ItsOutputs_AndItsTimeouts_FeedAReduceByKey_InTheirBatch()
    {
        using var test = NewAfterState();

        // Each batch sorted by bucket: a reduce's keys come out in first-seen order, and the time-outs' order is not documented.
        Assert.Equal(
            [
                new OutputBatch<(int, long)>(1000, [(0, 100), (1, 200)]), // keys 1, 2, 3: buckets 1, 0, 1
                new OutputBatch<(int, long)>(2000, [(1, 100)]),           // key 1 again
                new OutputBatch<(int, long)>(3000, []),
                new OutputBatch<(int, long)>(4000, [(0, 1), (1, 1)]),     // keys 2 and 3 (last data in batch 1) time out: 1 < 4 − 2
                new OutputBatch<(int, long)>(5000, [(1, 1)]),             // key 1 (batch 2) times out
                new OutputBatch<(int, long)>(6000, []),
            ],
            test.PerBucket.Batches.Select(b => new OutputBatch<(int, long)>(b.Time, [.. b.Records.OrderBy(r => r.Item1)])));
    }

    [Fact]
    public void MapWithState_ItsOutputs_AndItsTimeouts_FeedAWindow_InTheirBatch()
    {
        using var test = NewAfterState();

        // Outputs per batch: 3, 1, 0, 2 (time-outs), 1 (time-out), 0; the window holds two batches.
        Assert.Equal([[3L], [4L], [1L], [2L], [3L], [1L]], test.RecentOutputs.Batches.Select(b => b.Records));
    }

    [Fact]
    public void UpdateStateByKey_ItsStates_FeedACountByValue_EveryBatch()
    {
        using var test = NewAfterState();

        Assert.Equal(
            [
                [(1L, 3L)],                 // keys 1, 2, 3 have seen one value each
                [(2L, 1L), (1L, 2L)],       // key 1 two
                [(2L, 1L), (1L, 2L)],
                [(2L, 1L), (1L, 2L)],
                [(2L, 1L), (1L, 2L)],       // updateStateByKey has no timeout: the states stay
                [(2L, 1L), (1L, 2L)],
            ],
            test.KeysPerCount.Batches.Select(b => b.Records));
    }

    private static AfterState.TestDriver NewAfterState()
    {
        var test = new AfterState.TestDriver();
        test.Readings.Batch((1, 1), (2, 1), (3, 1)).Batch((1, 1)).Batch().Batch().Batch().Batch();
        test.Run();
        return test;
    }
}
