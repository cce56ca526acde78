using Compiled.Hosting;
using Compiled.Testing;

namespace Compiled.Tests.State;

/// <summary>
/// [MapWithState] through the test driver, against Spark's mapWithState (MapWithStateRDDRecord.updateRecordWithData):
/// the function runs per record, in order, only for keys with new data; a key whose last update is older than the
/// timeout gets one last call, timing out, and leaves.
/// </summary>
/// <remarks>
/// Timeouts: Spark times a key out when its update time &lt; batch time − timeout, but only in batches where it
/// checkpoints the state (a full scan; by default every 10 batch intervals), so a key's last call comes at the first
/// checkpoint batch after it went idle. Compiled applies the same rule every batch: with the timeout T batches long,
/// a key last updated in batch u gets its last call in batch u + T + 1, the first batch k with u &lt; k − T. The
/// expected outputs below follow Compiled's rule; where a Spark test is ported, the comment says where Spark's
/// outputs would differ.
/// </remarks>
public class MapWithStateTests
{
    private static readonly string[][] SparkInput = [[], ["a"], ["a", "b"], ["a", "b", "c"], ["a", "b"], ["a"], []];

    // MapWithStateSuite "mapWithState - basic operations with simple API": the running count is returned. Spark
    // compares each batch as a set, and the state after each batch (stateSnapshots()) as the test driver lists it.
    [Fact]
    public void Spark_MapWithStateSuite_BasicOperationsWithSimpleApi()
    {
        using var test = new SparkMapWithState.TestDriver();
        test.Input.Batches(SparkInput);
        test.Run();

        Assert.Equal(
            [[], [1L], [2L, 1], [3L, 2, 1], [4L, 3], [5L], []],
            test.Sums.Batches.Select(b => b.Records));
        Assert.Equal(
            [[], [("a", 1L)], [("a", 2L), ("b", 1L)], [("a", 3L), ("b", 2L), ("c", 1L)], [("a", 4L), ("b", 3L), ("c", 1L)], [("a", 5L), ("b", 3L), ("c", 1L)], [("a", 5L), ("b", 3L), ("c", 1L)]],
            test.Simple.Snapshots.Select(b => b.Records));
    }

    // MapWithStateSuite "mapWithState - basic operations with advanced API": the state keeps the count, the key doubled is returned.
    [Fact]
    public void Spark_MapWithStateSuite_BasicOperationsWithAdvancedApi()
    {
        using var test = new SparkMapWithState.TestDriver();
        test.Input.Batches(SparkInput);
        test.Run();

        Assert.Equal(
            [[], ["aa"], ["aa", "bb"], ["aa", "bb", "cc"], ["aa", "bb"], ["aa"], []],
            test.Doubled.Batches.Select(b => b.Records));
    }

    // MapWithStateSuite "mapWithState - states as mapped data": (key, sum) is returned.
    [Fact]
    public void Spark_MapWithStateSuite_StatesAsMappedData()
    {
        using var test = new SparkMapWithState.TestDriver();
        test.Input.Batches(SparkInput);
        test.Run();

        Assert.Equal(
            [
                new OutputBatch<(string Key, long Value)>(1000, []),
                new OutputBatch<(string Key, long Value)>(2000, [("a", 1)]),
                new OutputBatch<(string Key, long Value)>(3000, [("a", 2), ("b", 1)]),
                new OutputBatch<(string Key, long Value)>(4000, [("a", 3), ("b", 2), ("c", 1)]),
                new OutputBatch<(string Key, long Value)>(5000, [("a", 4), ("b", 3)]),
                new OutputBatch<(string Key, long Value)>(6000, [("a", 5)]),
                new OutputBatch<(string Key, long Value)>(7000, []),
            ],
            test.Pairs.Batches);
    }

    // MapWithStateSuite "mapWithState - state removing": a key with a state is removed and returned; one without gets one.
    [Fact]
    public void Spark_MapWithStateSuite_StateRemoving()
    {
        using var test = new StateRemoving.TestDriver();
        test.Input.Batch().Batch("a").Batch("a", "b").Batch("a", "b", "c").Batch("a", "b", "c").Batch("a", "b").Batch("a").Batch();
        test.Run();

        Assert.Equal(
            [[], [], ['a'], ['b'], ['a', 'c'], ['b'], ['a'], []],
            test.Removed.Batches.Select(b => b.Records));
    }

    // MapWithStateSuite "mapWithState - state timing out", timeout 3 s at 1 s batches. Spark asserts only that b and
    // c are returned once each (its comments put them in batches 4 and 5, but its timeouts come at checkpoint
    // batches: both at batch 10, the first checkpoint). Under the rule, c (last data in batch 1) goes in batch 5 and
    // b (batch 2) in batch 6; a, with data in every batch from 6 on, never goes. Spark runs 20 batches; all 26 run here.
    [Fact]
    public void Spark_MapWithStateSuite_StateTimingOut()
    {
        using var test = new SparkTimingOut.TestDriver();
        test.Input.Batch("a", "b", "c").Batch("a", "b").Batch("a").Batch().Batch().Batch("a").Batches(Enumerable.Repeat(new[] { "a" }, 20));
        test.Run();

        Assert.Equal(26, test.TimedOut.Batches.Count);
        Assert.Equal(
            [(5000L, 'c'), (6000L, 'b')],
            test.TimedOut.Batches.SelectMany(b => b.Records.Select(r => (b.Time, r))));
    }

    [Fact]
    public void OnlyKeysWithNewData_AreCalled()
    {
        using var test = new Timeouts.TestDriver();
        test.Commands.Batch((1, 1), (2, 2), (3, 3)).Batch((2, 5)).Batch().Batch((3, 0));
        test.Run();

        Assert.Equal(
            [
                [E(1, 1, null, 1), E(2, 2, null, 2), E(3, 3, null, 3)],
                [E(2, 5, 2, 7)],
                [],
                [E(3, 0, 3, 3)],
            ],
            test.ForeverEvents.Batches.Select(b => b.Records));
    }

    [Fact]
    public void RecordsOfOneKeyInOneBatch_EachSeeTheStateThePreviousOneLeft()
    {
        using var test = new Timeouts.TestDriver();
        test.Commands.Batch((1, 5), (2, 1), (1, 0), (1, -1), (1, 0), (1, 2), (1, -2), (1, 3));
        test.Run();

        Assert.Equal(
            [
                E(1, 5, null, 5),
                E(2, 1, null, 1),
                E(1, 0, 5, 5),
                E(1, -1, 5, null),   // removed
                E(1, 0, null, null), // the next record of the same batch sees no state
                E(1, 2, null, 2),    // and may start a new one
                                     // (1, -2) reads and emits nothing
                E(1, 3, 2, 5),
            ],
            test.Events.Batches[0].Records);
    }

    [Fact]
    public void OptionalOutput_EmitsOnlyTheCallsThatReturnAValue()
    {
        using var test = new Timeouts.TestDriver();
        test.Commands.Batch((1, -2), (1, 4), (1, -2), (2, -2)).Batch((1, -2));
        test.Run();

        Assert.Equal([[E(1, 4, null, 4)], []], test.Events.Batches.Select(b => b.Records));

        // A function whose output is not nullable emits every call.
        using var sums = new SparkMapWithState.TestDriver();
        sums.Input.Batch("x", "x", "x");
        sums.Run();
        Assert.Equal([1L, 2, 3], sums.Sums.Batches[0].Records);
    }

    [Fact]
    public void StateRemove_RemovesTheKey_AndNoTimeoutCallFollows()
    {
        using var test = new Timeouts.TestDriver();
        test.Commands.Batch((1, 5)).Batch().Batch((1, -1)).Batch((1, 0));
        test.Run();
        test.Run(10);

        Assert.Equal(
            [(1000L, E(1, 5, null, 5)), (3000, E(1, -1, 5, null)), (4000, E(1, 0, null, null))],
            test.Events.Batches.SelectMany(b => b.Records.Select(r => (b.Time, r))));
    }

    // MapWithStateRDDSuite "updating state and generating mapped data in MapWithStateRDDRecord": "State strictly older
    // than timeout threshold should be timed out" (not when equal), "No data, no state should be changed, function
    // should not be called". Here the key's update batch is 1 and the timeout 3 batches: batch 4's threshold is the
    // update time (no timeout); batch 5's is past it.
    [Fact]
    public void Timeout_TheKeyGetsExactlyOneLastCall_TimingOut_WithItsState_ThenIsGone()
    {
        using var test = new Timeouts.TestDriver();
        test.Commands.Batch((1, 5));
        test.Run(10);
        test.Commands.Batch().Batch().Batch().Batch().Batch().Batch().Batch().Batch().Batch().Batch((1, 2)); // batch 11
        test.Run();

        Assert.Equal(
            [
                (1000L, E(1, 5, null, 5)),
                (5000, E(1, null, 5, 5, timingOut: true)), // value null, the state still there to read, IsTimingOut
                (11000, E(1, 2, null, 2)),                  // new data later starts from no state
            ],
            test.Events.Batches.SelectMany(b => b.Records.Select(r => (b.Time, r))));

        // Without a timeout the key keeps its state however long it is idle.
        Assert.Equal(
            [(1000L, E(1, 5, null, 5)), (11000, E(1, 2, 5, 7))],
            test.ForeverEvents.Batches.SelectMany(b => b.Records.Select(r => (b.Time, r))));
    }

    [Fact]
    public void Timeout_SeveralKeysTimingOutInOneBatch_EachGetOneLastCall_AfterTheBatchRecords()
    {
        using var test = new Timeouts.TestDriver();
        test.Commands.Batch((1, 1), (2, 2), (3, 3)).Batch().Batch().Batch().Batch((4, 4));
        test.Run();

        Assert.Equal(4, test.Events.Batches[4].Records.Count);
        Assert.Equal(E(4, 4, null, 4), test.Events.Batches[4].Records[0]); // the batch's records first, as Spark does
        Assert.Equal(
            [E(1, null, 1, 1, true), E(2, null, 2, 2, true), E(3, null, 3, 3, true)],
            test.Events.Batches[4].Records.Skip(1).OrderBy(e => e.Key)); // then the timeouts, in no documented order
    }

    // A key with data every T + 1 = 4 batches never times out: the data of batch u + 4 comes before its timeout
    // check. With data every 5 batches it times out in each gap, in batch u + 4, and starts again from no state.
    [Fact]
    public void Timeout_AKeyThatKeepsGettingData_NeverTimesOut_OneThatPausesLongerDoes()
    {
        const int batches = 40;
        var input = new List<(int Key, long Value)[]>();
        var expected = new List<(long Time, Event Event)>();
        for (int k = 1; k <= batches; k++)
        {
            var batch = new List<(int, long)>();
            if (k % 4 == 1)
            {
                batch.Add((1, 1));
                long count = ((k - 1) / 4) + 1; // the how-manieth record of key 1: its state counts them
                expected.Add((k * 1000L, E(1, 1, count == 1 ? null : count - 1, count)));
            }

            if (k % 5 == 1)
            {
                batch.Add((2, 1));
                expected.Add((k * 1000L, E(2, 1, null, 1)));
            }

            if (k % 5 == 0)
            {
                expected.Add((k * 1000L, E(2, null, 1, 1, timingOut: true)));
            }

            input.Add([.. batch]);
        }

        using var test = new Timeouts.TestDriver();
        test.Commands.Batches(input);
        test.Run();

        Assert.Equal(expected, test.Events.Batches.SelectMany(b => b.Records.Select(r => (b.Time, r))));
    }

    // Spark stores the state again, with the batch time, whenever it exists after a call and a timeout is set
    // ("wrappedState.isUpdated || (wrappedState.exists && timeoutThresholdTime.isDefined)"): a record that only reads
    // the state, or emits nothing, keeps the key alive too. MapWithStateRDDSuite: "State should not be timed out
    // after it has received data".
    [Fact]
    public void Timeout_ARecordThatOnlyReadsTheState_StillKeepsTheKeyAlive()
    {
        using var test = new Timeouts.TestDriver();
        test.Commands.Batch((1, 5), (2, 5)).Batch().Batch().Batch((1, 0), (2, -2));
        test.Run();
        test.Run(10);

        // Both were last touched in batch 4, so both time out in batch 8.
        Assert.Equal(
            [
                (1000L, E(1, 5, null, 5)), (1000L, E(2, 5, null, 5)),
                (4000, E(1, 0, 5, 5)),
                (8000, E(1, null, 5, 5, true)), (8000, E(2, null, 5, 5, true)),
            ],
            test.Events.Batches.SelectMany(b => b.Records.OrderBy(r => r.Key).Select(r => (b.Time, r))));
    }

    // MapWithStateRDDSuite: a remove in the batch where the key would time out removes it with no last call; and
    // (SPARK-13195) a key whose records leave no state is never timed out.
    [Fact]
    public void Timeout_NoLastCall_ForAKeyRemovedInItsTimeoutBatch_NorForAKeyThatNeverHadAState()
    {
        using var test = new Timeouts.TestDriver();
        test.Commands.Batch((1, 5), (2, 0), (3, -2)).Batch().Batch().Batch().Batch((1, -1));
        test.Run();
        test.Run(10);

        Assert.Equal(
            [(1000L, E(1, 5, null, 5)), (1000, E(2, 0, null, null)), (5000, E(1, -1, 5, null))],
            test.Events.Batches.SelectMany(b => b.Records.Select(r => (b.Time, r))));
    }

    // The timeout is a duration: a test driver with another batch interval times out after as long, in more or
    // fewer batches. At 500 ms, 3 s is 6 batches: last data at batch 1 (500 ms), timed out at batch 8 (4000 ms), the
    // first batch time t with 500 < t − 3000. At 3 s, it is one batch: timed out at batch 3.
    [Theory]
    [InlineData(500, 4000)]
    [InlineData(1000, 5000)]
    [InlineData(3000, 9000)]
    public void Timeout_IsADuration_AtAnyBatchIntervalThatDividesIt(int intervalMs, long timedOutAt)
    {
        using var test = new Timeouts.TestDriver(TimeSpan.FromMilliseconds(intervalMs));
        test.Commands.Batch((1, 5));
        test.Run(20);

        Assert.Equal(
            [(intervalMs, E(1, 5, null, 5)), (timedOutAt, E(1, null, 5, 5, true))],
            test.Events.Batches.SelectMany(b => b.Records.Select(r => (b.Time, r))));
    }

    [Fact]
    public void Timeout_ABatchIntervalThatDoesNotDivideIt_IsRefused()
    {
        Assert.Throws<BatchIntervalException>(() => new Timeouts.TestDriver(TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public void ByteSpanKeys_KeepStateAndTimeOut()
    {
        string longKey = new('k', 300);
        using var test = new ByteSessions.TestDriver();
        test.Input
            .Batch("a:1", "b:2", ":7", longKey + ":3", "a:3")
            .Batch("b:0", ":1")           // "b" removed
            .Batch(longKey + ":1")
            .Batch()                      // "a" (last data in batch 1) times out: 1 < 4 − 2
            .Batch("b:5")                 // ":" (batch 2) times out; "b" starts anew
            .Batch()                      // the long key (batch 3) times out
            .Batch()
            .Batch();                     // "b" (batch 5) times out
        test.Run();

        Assert.Equal(
            [
                [("a", 1L), ("b", 2), ("", 7), (longKey, 3), ("a", 4)],
                [("b", 0L), ("", 8)],
                [(longKey, 4L)],
                [("a", -4L)],
                [("b", 5L), ("", -8)],
                [(longKey, -4L)],
                [],
                [("b", -5L)],
            ],
            test.Output.Batches.Select(b => b.Records));
    }

    [Fact]
    public void UpdateWhileTimingOut_Throws_AndSaysWhatToDo()
    {
        using var test = new StateMisuse.TestDriver();
        test.Commands.Batch((1, 7));
        var error = Assert.Throws<InvalidOperationException>(() => test.Run(3)); // timeout 1 batch: key 1's last call is in batch 3
        Assert.Contains("timing out", error.Message, StringComparison.Ordinal);
        Assert.Contains("Test State.IsTimingOut first", error.Message, StringComparison.Ordinal);
        Assert.Equal([[7L], []], test.Output.Batches.Select(b => b.Records)); // batch 3 was not committed
    }

    // The throw above stops the store's end-of-batch sweep at key 1, with the keys before it already moved on and the
    // keys after it not: a further batch would run on that half-swept state, so the driver refuses, as a run ends.
    [Fact]
    public void AfterAFunctionThrowsAtTheEndOfABatch_TheDriverRunsNoFurtherBatch_AndSaysWhy()
    {
        using var test = new StateMisuse.TestDriver();
        test.Commands.Batch((1, 7));
        var original = Assert.Throws<InvalidOperationException>(() => test.Run(3));
        test.Commands.Batch((3, 1));
        var error = Assert.Throws<InvalidOperationException>(() => test.Run());
        Assert.Same(original, error.InnerException);
        Assert.Contains("Batch 3 failed", error.Message, StringComparison.Ordinal);
        Assert.Contains("create a new driver", error.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(test.RunToEnd);
        Assert.Equal(2, test.Output.Batches.Count); // nothing ran after the failure
    }

    [Fact]
    public void RemoveWhileTimingOut_Throws_AndSaysWhatToDo()
    {
        using var test = new StateMisuse.TestDriver();
        test.Commands.Batch((2, 7));
        var error = Assert.Throws<InvalidOperationException>(() => test.Run(3));
        Assert.Contains("timing out", error.Message, StringComparison.Ordinal);
        Assert.Contains("Test State.IsTimingOut first", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, test.Output.Batches.Count);
    }

    // Spark's State.get() throws NoSuchElementException("State is not set"); Compiled's Value throws too, and says how to avoid it.
    [Fact]
    public void ValueOfAKeyWithoutState_Throws_AndSaysWhatToDo()
    {
        using var test = new StateMisuse.TestDriver();
        test.Commands.Batch((3, 7));
        var error = Assert.Throws<InvalidOperationException>(() => test.Run());
        Assert.Contains("State.Exists", error.Message, StringComparison.Ordinal);
        Assert.Contains("State.GetValueOrDefault", error.Message, StringComparison.Ordinal);
    }

    // MapWithStateSuite "state - get, exists, update, remove", on the runtime's State<S> directly (isUpdated and
    // isRemoved, and the rules after a removal, are in StateStrictnessTests).
    [Fact]
    public void Spark_MapWithStateSuite_StateGetExistsUpdateRemove()
    {
        var entry = new StateEntry<int>();
        AssertState(new State<int>(ref entry, false), expected: null, timingOut: false);

        entry = new StateEntry<int> { Value = 1, Exists = true };
        AssertState(new State<int>(ref entry, false), expected: 1, timingOut: false);

        new State<int>(ref entry, false).Update(2);
        AssertState(new State<int>(ref entry, false), expected: 2, timingOut: false);
        Assert.Equal((2, true), (entry.Value, entry.Exists));

        entry = default;
        new State<int>(ref entry, false).Update(2);
        AssertState(new State<int>(ref entry, false), expected: 2, timingOut: false);

        new State<int>(ref entry, false).Remove();
        AssertState(new State<int>(ref entry, false), expected: null, timingOut: false);
        Assert.False(entry.Exists);

        entry = new StateEntry<int> { Value = 3, Exists = true };
        AssertState(new State<int>(ref entry, true), expected: 3, timingOut: true);
        Assert.Equal((3, true), (entry.Value, entry.Exists)); // the failed update and remove changed nothing
    }

    private static void AssertState(State<int> state, int? expected, bool timingOut)
    {
        Assert.Equal(timingOut, state.IsTimingOut);
        if (expected is { } value)
        {
            Assert.True(state.Exists);
            Assert.Equal(value, state.Value);
            Assert.Equal(value, state.GetValueOrDefault(-1));
        }
        else
        {
            Assert.False(state.Exists);
            Assert.Equal(-1, state.GetValueOrDefault(-1));
            bool threw = false;
            try
            {
                _ = state.Value;
            }
            catch (InvalidOperationException)
            {
                threw = true;
            }

            Assert.True(threw, "State.Value of a key without a state must throw");
        }

        if (timingOut)
        {
            bool updateThrew = false, removeThrew = false;
            try
            {
                state.Update(-1);
            }
            catch (InvalidOperationException)
            {
                updateThrew = true;
            }

            try
            {
                state.Remove();
            }
            catch (InvalidOperationException)
            {
                removeThrew = true;
            }

            Assert.True(updateThrew && removeThrew, "Update and Remove of a state that is timing out must throw");
        }
    }

    internal static Event E(int key, long? value, long? before, long? after, bool timingOut = false) => new(key, value, before, after, timingOut);
}
