using Compiled.Testing;

namespace Compiled.Tests.State;

/// <summary>
/// [UpdateStateByKey] through the test driver: Spark's updateStateByKey (StateDStream.compute) calls the update
/// function, every batch, for every key that has a state or new values; None drops a key. Expected outputs are
/// written out by hand or come from <see cref="UpdateStateModel{TKey, TValue, TState}"/>.
/// </summary>
public class UpdateStateByKeyTests
{
    // BasicOperationsSuite "updateStateByKey": map(x => (x, 1)).updateStateByKey((values, state) => Some(values.sum + state.getOrElse(0))).
    // Spark compares each batch as a set (useSet = true); Compiled's order is first-seen, so the lists are exact.
    [Fact]
    public void Spark_BasicOperationsSuite_UpdateStateByKey_RunningCount()
    {
        using var test = new RunningWordCount.TestDriver();
        test.Input.Batch("a").Batch("a", "b").Batch("a", "b", "c").Batch("a", "b").Batch("a").Batch();
        test.Run();

        Assert.Equal(
            [
                new OutputBatch<(string Key, long Value)>(1000, [("a", 1)]),
                new OutputBatch<(string Key, long Value)>(2000, [("a", 2), ("b", 1)]),
                new OutputBatch<(string Key, long Value)>(3000, [("a", 3), ("b", 2), ("c", 1)]),
                new OutputBatch<(string Key, long Value)>(4000, [("a", 4), ("b", 3), ("c", 1)]),
                new OutputBatch<(string Key, long Value)>(5000, [("a", 5), ("b", 3), ("c", 1)]),
                new OutputBatch<(string Key, long Value)>(6000, [("a", 5), ("b", 3), ("c", 1)]),
            ],
            test.Output.Batches);
    }

    // CheckpointSuite "updateStateByKey": ten batches of "a" give (a, 1) ... (a, 10) (here without the restart from
    // a checkpoint, which Compiled does not have).
    [Fact]
    public void Spark_CheckpointSuite_UpdateStateByKey_TenBatchesOfOneKey()
    {
        using var test = new RunningWordCount.TestDriver();
        test.Input.Batches(Enumerable.Repeat(new[] { "a" }, 10));
        test.Run();

        Assert.Equal(
            Enumerable.Range(1, 10).Select(x => new OutputBatch<(string Key, long Value)>(x * 1000L, [("a", x)])),
            test.Output.Batches);
    }

    // BasicOperationsSuite "updateStateByKey - object lifecycle": a state seen twice in a row without new values is
    // dropped; the output is mapValues(_.counter). Spark's null input batches (no RDD at all: the update function is
    // re-applied to the old states) are empty batches here.
    [Fact]
    public void Spark_BasicOperationsSuite_UpdateStateByKey_ObjectLifecycle()
    {
        using var test = new ObjectLifecycle.TestDriver();
        test.Input.Batch("a", "b").Batch().Batch("a", "c", "a").Batch("c").Batch().Batch();
        test.Run();

        Assert.Equal(
            [
                new OutputBatch<(string Key, long Value)>(1000, [("a", 1), ("b", 1)]),
                new OutputBatch<(string Key, long Value)>(2000, [("a", 1), ("b", 1)]),
                new OutputBatch<(string Key, long Value)>(3000, [("a", 3), ("c", 1)]),
                new OutputBatch<(string Key, long Value)>(4000, [("a", 3), ("c", 2)]),
                new OutputBatch<(string Key, long Value)>(5000, [("c", 2)]),
                new OutputBatch<(string Key, long Value)>(6000, []),
            ],
            test.Output.Batches);
    }

    // The words of a line go through a [FlatMap] before the state: the running count of StatefulNetworkWordCount.
    [Fact]
    public void RunningCount_AfterFlatMap_CountsEveryWordOfEveryLine()
    {
        using var test = new RunningWordCount.TestDriver();
        test.Input.Batch("to be or", "not to be").Batch("be quick");
        test.Run();

        Assert.Equal([("to", 2L), ("be", 2), ("or", 1), ("not", 1)], test.Output.Batches[0].Records);
        Assert.Equal([("to", 2L), ("be", 3), ("or", 1), ("not", 1), ("quick", 1)], test.Output.Batches[1].Records);
    }

    [Fact]
    public void EveryKeyWithAState_IsCalledOnceEveryBatch_EvenWithoutNewValues()
    {
        using var test = new Tallies.TestDriver();
        CallLog.Take();
        test.Readings.Batch((1, 5), (2, 7)).Batch().Batch((2, 1)).Batch().Batch();
        var calls = new List<List<string>>();
        for (int batch = 0; batch < 5; batch++)
        {
            test.Run(1);
            calls.Add(CallLog.Take());
        }

        // Tally(Calls, Sum, Fingerprint, Idle): Calls counts the calls, so a key called twice, or skipped, in a batch shows.
        Assert.Equal(
            [
                new OutputBatch<(int, KeyedTally)>(1000, [(1, new(1, new(1, 5, 5, 0))), (2, new(2, new(1, 7, 7, 0)))]),
                new OutputBatch<(int, KeyedTally)>(2000, [(1, new(1, new(2, 5, 5, 1))), (2, new(2, new(2, 7, 7, 1)))]),
                new OutputBatch<(int, KeyedTally)>(3000, [(1, new(1, new(3, 5, 5, 2))), (2, new(2, new(3, 8, (7 * 31) + 1, 0)))]),
                new OutputBatch<(int, KeyedTally)>(4000, [(2, new(2, new(4, 8, (7 * 31) + 1, 1)))]), // key 1: third idle call, removed
                new OutputBatch<(int, KeyedTally)>(5000, [(2, new(2, new(5, 8, (7 * 31) + 1, 2)))]),
            ],
            test.Output.Batches);
        Assert.Equal(
            [
                ["1: [5] none", "2: [7] none"],
                ["1: [] 1", "2: [] 1"],
                ["1: [] 2", "2: [1] 2"],
                ["1: [] 3", "2: [] 3"],
                ["2: [] 4"], // key 1 is gone: not called again
            ],
            calls);
    }

    [Fact]
    public void ReturningNull_RemovesTheKey_AndItsNextValuesStartFromNoState()
    {
        using var test = new Tallies.TestDriver();
        CallLog.Take();
        test.Readings.Batch((1, 5), (2, 1)).Batch((1, 0)).Batch().Batch((1, 3));
        test.Run();

        Assert.Equal(
            [
                [(1, new(1, new(1, 5, 5, 0))), (2, new(2, new(1, 1, 1, 0)))],
                [(2, new(2, new(2, 1, 1, 1)))],                      // 0 makes the function return null: key 1 is removed
                [(2, new(2, new(3, 1, 1, 2)))],                      // and not called in a batch without values for it
                [(1, new(1, new(1, 3, 3, 0)))],                      // key 2 idle 3 times: removed; key 1 anew: Calls = 1, Sum = 3
            ],
            test.Output.Batches.Select(b => b.Records));
        Assert.Equal(["1: [5] none", "2: [1] none", "1: [0] 1", "2: [] 1", "2: [] 2", "2: [] 3", "1: [3] none"], CallLog.Take());
    }

    [Fact]
    public void ValuesOfAKey_ReachTheFunction_InArrivalOrder_EvenInterleavedWithOtherKeys()
    {
        using var test = new Tallies.TestDriver();
        CallLog.Take();
        test.Readings.Batch((1, 3), (2, 9), (1, 1), (3, 4), (1, 2), (2, 8), (1, 7));
        test.Run();

        Assert.Equal(["1: [3,1,2,7] none", "2: [9,8] none", "3: [4] none"], CallLog.Take());
        long fingerprint = ((((((3 * 31) + 1) * 31) + 2) * 31) + 7);
        Assert.Equal((1, new KeyedTally(1, new Tally(1, 13, fingerprint, 0))), test.Output.Batches[0].Records[0]);
    }

    [Fact]
    public void ManyValuesOfManyKeys_InOneBatch_AllArriveInOrder()
    {
        // 5,000 values over 7 keys, then 3,000 of one key: more than the value lists hold at first.
        var batch1 = Enumerable.Range(1, 5000).Select(i => (Key: i % 7, Value: (long)i)).ToArray();
        var batch2 = Enumerable.Range(1, 3000).Select(i => (Key: 4, Value: (long)(10_000 - i))).ToArray();
        using var test = new Tallies.TestDriver();
        test.Readings.Batch(batch1).Batch(batch2);
        test.Run();

        var model = TalliesModel();
        Assert.Equal(model.Step(batch1).Select(Keyed), test.Output.Batches[0].Records);
        Assert.Equal(model.Step(batch2).Select(Keyed), test.Output.Batches[1].Records);
    }

    [Fact]
    public void KeysComeOut_InTheOrderFirstSeen_AndARemovedKeyThatComesBackIsNew()
    {
        using var test = new Tallies.TestDriver();
        test.Readings
            .Batch((3, 1), (1, 1), (2, 1), (1, 1))
            .Batch((2, 1), (4, 1), (1, 1))
            .Batch((5, 1), (1, 0))
            .Batch((1, 1), (6, 1), (3, 1));
        test.Run();

        Assert.Equal(
            [[3, 1, 2], [3, 1, 2, 4], [3, 2, 4, 5], [3, 2, 4, 5, 1, 6]],
            test.Output.Batches.Select(b => b.Records.Select(r => r.Item1).ToArray()));
    }

    [Fact]
    public void EmptyBatches_BeforeAnyValue_AndAfterEveryKeyIsRemoved_AreEmptyBatches()
    {
        using var test = new Tallies.TestDriver();
        CallLog.Take();
        test.Readings.Batch().Batch().Batch((1, 2)).Batch((1, 0)).Batch();
        test.Run();
        test.Run(2); // past the end of the input: empty batches

        Assert.Equal(
            [
                new OutputBatch<(int, KeyedTally)>(1000, []),
                new OutputBatch<(int, KeyedTally)>(2000, []),
                new OutputBatch<(int, KeyedTally)>(3000, [(1, new(1, new(1, 2, 2, 0)))]),
                new OutputBatch<(int, KeyedTally)>(4000, []),
                new OutputBatch<(int, KeyedTally)>(5000, []),
                new OutputBatch<(int, KeyedTally)>(6000, []),
                new OutputBatch<(int, KeyedTally)>(7000, []),
            ],
            test.Output.Batches);
        Assert.Equal(["1: [2] none", "1: [0] 1"], CallLog.Take());
    }

    [Fact]
    public void ByteSpanKeys_FromAMapToKeyValue_KeepTheirStateAcrossBatches()
    {
        string longKey = new('k', 300);
        using var test = new ByteTallies.TestDriver();
        CallLog.Take();
        test.Input
            .Batch(":1", "a:2", "ab:3", "ключ:4", longKey + ":5", "a:6")
            .Batch("ab:7", "a:b:8")      // the key of "a:b:8" is "a:b"
            .Batch("a:0", "ключ:9");     // 0 removes "a"
        test.Run();

        Assert.Equal(
            [
                [("", new Tally(1, 1, 1, 0)), ("a", new(1, 8, (2 * 31) + 6, 0)), ("ab", new(1, 3, 3, 0)), ("ключ", new(1, 4, 4, 0)), (longKey, new(1, 5, 5, 0))],
                [("", new Tally(2, 1, 1, 1)), ("a", new(2, 8, (2 * 31) + 6, 1)), ("ab", new(2, 10, (3 * 31) + 7, 0)), ("ключ", new(2, 4, 4, 1)), (longKey, new(2, 5, 5, 1)), ("a:b", new(1, 8, 8, 0))],
                [("", new Tally(3, 1, 1, 2)), ("ab", new(3, 10, (3 * 31) + 7, 1)), ("ключ", new(3, 13, (4 * 31) + 9, 0)), (longKey, new(3, 5, 5, 2)), ("a:b", new(2, 8, 8, 1))],
            ],
            test.Output.Batches.Select(b => b.Records));
    }

    [Fact]
    public void StructKeys_StraightFromATupleSource()
    {
        using var test = new StructSessions.TestDriver();
        test.Readings.Batch((7, 10), (-1, 5), (7, 1)).Batch().Batch((int.MaxValue, 2), (-1, -5));
        test.Run();

        Assert.Equal(
            [
                [(7, 11L), (-1, 5)],
                [(7, 11L), (-1, 5)],
                [(7, 11L), (-1, 0), (int.MaxValue, 2)],
            ],
            test.Sums.Batches.Select(b => b.Records));
    }

    [Fact]
    public void CompositeStructKeys_ATupleOfTwoFields()
    {
        using var test = new PairKeys.TestDriver();
        test.Orders.Batch((1, 10, 500), (1, 11, 200), (2, 10, 300), (1, 10, 1)).Batch((2, 10, 7));
        test.Run();

        Assert.Equal(
            [
                [((1, 10), 501L), ((1, 11), 200), ((2, 10), 300)],
                [((1, 10), 501L), ((1, 11), 200), ((2, 10), 307)],
            ],
            test.Output.Batches.Select(b => b.Records));
    }

    [Fact]
    public void TheModel_AgreesWithTheHandWrittenCases()
    {
        // The reference model the property tests rely on, checked against a case worked out by hand above.
        var model = TalliesModel();
        Assert.Equal([(1, new Tally(1, 5, 5, 0)), (2, new Tally(1, 1, 1, 0))], model.Step([(1, 5), (2, 1)]));
        Assert.Equal([(2, new Tally(2, 1, 1, 1))], model.Step([(1, 0)]));
        Assert.Equal([(2, new Tally(3, 1, 1, 2))], model.Step([]));
        Assert.Equal([(1, new Tally(1, 3, 3, 0))], model.Step([(1, 3)]));
    }

    /// <summary>The model of <see cref="Tallies"/>: the <see cref="Tally"/> rule, written again from its description.</summary>
    internal static UpdateStateModel<TKey, long, Tally> TalliesModel<TKey>(IEqualityComparer<TKey>? comparer = null)
        where TKey : notnull =>
        new((_, values, state) =>
        {
            if (values.Contains(0L))
            {
                return null;
            }

            Tally before = state ?? new Tally(0, 0, 0, 0);
            long fingerprint = before.Fingerprint;
            foreach (long value in values)
            {
                fingerprint = unchecked((fingerprint * 31) + value);
            }

            int idle = values.Length == 0 ? before.Idle + 1 : 0;
            return idle == 3 ? null : new Tally(before.Calls + 1, before.Sum + values.Sum(), fingerprint, idle);
        }, comparer);

    internal static UpdateStateModel<int, long, Tally> TalliesModel() => TalliesModel<int>();

    internal static (int, KeyedTally) Keyed((int Key, Tally State) entry) => (entry.Key, new KeyedTally(entry.Key, entry.State));
}
