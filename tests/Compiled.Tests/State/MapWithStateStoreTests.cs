using System.Text;
using Compiled.Keys;

namespace Compiled.Tests.State;

/// <summary>
/// <see cref="MapWithStateStore{TKey, TValue, TState, TOutput, TKeys, TFunction}"/> on its own: random batches
/// against <see cref="MapWithStateModel{TKey, TValue, TState, TOut}"/>, with and without a timeout, from small and
/// large first batch numbers, with initial states, and with the whole state captured and put back into a new store
/// halfway (which must change nothing).
/// </summary>
public class MapWithStateStoreTests
{
    [Theory]
    [InlineData(1, 1L, 3L)]
    [InlineData(2, 1_764_000_000L, 3L)]
    [InlineData(3, 1_764_000_000L, 0L)]
    [InlineData(4, 0L, 1L)]
    [InlineData(5, -40L, 2L)]
    [InlineData(6, 1_764_000_000L, null)]
    [InlineData(7, 1L, null)]
    public void StructKeys_MatchTheModel_ThroughARestoreHalfway(int seed, long firstBatch, long? timeout)
    {
        var random = new Random(seed);
        List<(int Key, long Value)[]> input = StatePropertyTests.RandomBatches(random, () => random.Next(12), () => StatePropertyTests.RandomCommand(random));
        var store = new MapWithStateStore<int, long, long, Event?, StructKeys<int, StateEntry<long>>, CommandFunction>(timeout);
        var model = new MapWithStateModel<int, long, long, Event>(StatePropertyTests.Rule, timeout, firstBatch: firstBatch);
        foreach (int key in new[] { 3, 100, 5 })
        {
            store.Put(key, key * 10);
            model.Put(key, key * 10);
        }

        int timeouts = 0, restoreAt = input.Count / 2;
        for (int k = 0; k < input.Count; k++)
        {
            if (k == restoreAt)
            {
                store = Restored(store, timeout);
            }

            long batch = firstBatch + k;
            var output = new List<Event>();
            foreach ((int key, long value) in input[k])
            {
                if (store.Map(key, value) is { } e)
                {
                    output.Add(e);
                }
            }

            while (store.NextTimeout(batch, out Event? e))
            {
                if (e is { } timedOut)
                {
                    Assert.True(timedOut.TimingOut, $"batch {batch}: a call at the end of the batch is a key timing out: {timedOut}");
                    output.Add(timedOut);
                }
            }

            var expected = model.Step(input[k]);
            timeouts += expected.TimedOut.Count;
            MapWithStateAssert.BatchEqual(expected, output, e => e.Key, $"seed {seed}, batch {batch}");
            AssertStatesEqual(model, store, $"seed {seed}, batch {batch}");
        }

        if (timeout is not null)
        {
            Assert.True(timeouts >= 5, $"seed {seed} exercised too little: {timeouts} timeouts");
        }
        else
        {
            Assert.Equal(0, timeouts);
        }
    }

    [Theory]
    [InlineData(21, 1L)]
    [InlineData(22, 1_764_000_000L)]
    [InlineData(23, 88L)]
    public void ByteKeys_MatchTheModel_ThroughARestoreHalfway(int seed, long firstBatch)
    {
        var random = new Random(seed);
        List<(string Key, long Value)[]> input = StatePropertyTests.RandomBatches(
            random, () => StatePropertyTests.ByteKeys[random.Next(StatePropertyTests.ByteKeys.Length)], () => random.Next(5) == 0 ? 0 : random.Next(1, 100));
        var store = new MapWithStateStore<ReadOnlySpan<byte>, long, long, (string Key, long Value), ByteKeys<StateEntry<long>>, SessionFunction>(2);
        var model = new MapWithStateModel<string, long, long, (string Key, long Value)>(
            (key, value, state) =>
            {
                if (state.IsTimingOut)
                {
                    return (key, -state.Value);
                }

                if (value == 0)
                {
                    state.Remove();
                    return (key, 0);
                }

                state.Update(state.GetValueOrDefault() + value!.Value);
                return (key, state.Value);
            },
            timeoutBatches: 2,
            StringComparer.Ordinal,
            firstBatch);
        int timeouts = 0;
        for (int k = 0; k < input.Count; k++)
        {
            if (k == input.Count / 2)
            {
                var restored = new MapWithStateStore<ReadOnlySpan<byte>, long, long, (string Key, long Value), ByteKeys<StateEntry<long>>, SessionFunction>(2);
                foreach (KeyedState<ReadOnlySpan<byte>, long> entry in store)
                {
                    restored.Put(entry.Key, entry.State, entry.UpdatedBatch!.Value);
                }

                store = restored;
            }

            var output = new List<(string Key, long Value)>();
            foreach ((string key, long value) in input[k])
            {
                output.Add(store.Map(Encoding.UTF8.GetBytes(key), value));
            }

            while (store.NextTimeout(firstBatch + k, out (string Key, long Value) timedOut))
            {
                output.Add(timedOut);
            }

            var expected = model.Step(input[k]);
            timeouts += expected.TimedOut.Count;
            MapWithStateAssert.BatchEqual(expected, output, r => r.Key, $"seed {seed}, batch {firstBatch + k}");
            var states = new List<(string, long, long?)>();
            foreach (KeyedState<ReadOnlySpan<byte>, long> entry in store)
            {
                states.Add((Encoding.UTF8.GetString(entry.Key), entry.State, entry.UpdatedBatch));
            }

            Assert.Equal(
                model.States.Select(s => (s.Key, s.Value.State, (long?)s.Value.Updated)).OrderBy(s => s.Key, StringComparer.Ordinal),
                states.OrderBy(s => s.Item1, StringComparer.Ordinal));
        }

        Assert.True(timeouts >= 5, $"seed {seed} exercised too little: {timeouts} timeouts");
    }

    [Fact]
    public void InitialState_CountsAsUpdatedInTheFirstBatch_AndTimesOutAfterTheTimeout()
    {
        const long First = 1_764_000_000;
        var store = new MapWithStateStore<int, long, long, Event?, StructKeys<int, StateEntry<long>>, CommandFunction>(timeoutBatches: 2);
        store.Put(7, 70);
        Assert.Equal([(7, 70L, (long?)null)], Snapshot(store)); // not stamped until the first batch ends

        Assert.False(store.NextTimeout(First, out _));
        Assert.Equal([(7, 70L, (long?)First)], Snapshot(store));
        Assert.False(store.NextTimeout(First + 1, out _));
        Assert.False(store.NextTimeout(First + 2, out _)); // 2 batches idle: not more than the timeout
        Assert.True(store.NextTimeout(First + 3, out Event? last));
        Assert.Equal(new Event(7, null, 70, 70, TimingOut: true), last);
        Assert.False(store.NextTimeout(First + 3, out _));
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public void KeysThatGetNoState_AndRemovedKeys_LeaveAtTheEndOfTheBatch()
    {
        var store = new MapWithStateStore<int, long, long, Event?, StructKeys<int, StateEntry<long>>, CommandFunction>();
        Assert.Equal(new Event(1, 5, null, 5, false), store.Map(1, 5));
        Assert.Equal(new Event(2, 0, null, null, false), store.Map(2, 0));    // read only: no state
        Assert.Equal(new Event(3, 4, null, 4, false), store.Map(3, 4));
        Assert.Equal(new Event(3, -1, 4, null, false), store.Map(3, -1));   // removed
        Assert.Equal(3, store.Count);                                        // the batch has not ended
        Assert.False(store.NextTimeout(10, out _));
        Assert.Equal([(1, 5L, (long?)10)], Snapshot(store));
        Assert.Equal(new Event(3, 2, null, 2, false), store.Map(3, 2));     // a removed key that comes back is new
    }

    [Fact]
    public void EndBatch_EndsABatchWithoutATimeout_AndIsRefusedWithOne()
    {
        var store = new MapWithStateStore<int, long, long, Event?, StructKeys<int, StateEntry<long>>, CommandFunction>();
        store.Map(1, 5);
        store.Map(2, 0);
        store.EndBatch(1_764_000_000);
        Assert.Equal([(1, 5L, (long?)1_764_000_000)], Snapshot(store));

        var withTimeout = new MapWithStateStore<int, long, long, Event?, StructKeys<int, StateEntry<long>>, CommandFunction>(1);
        var error = Assert.Throws<InvalidOperationException>(() => withTimeout.EndBatch(1));
        Assert.Contains("end the batch with NextTimeout", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ANegativeTimeout_IsRejected_WithWhatToGive()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new MapWithStateStore<int, long, long, Event?, StructKeys<int, StateEntry<long>>, CommandFunction>(-1));
        Assert.Contains("null for keys that never time out", error.Message, StringComparison.Ordinal);
    }

    private static MapWithStateStore<int, long, long, Event?, StructKeys<int, StateEntry<long>>, CommandFunction> Restored(
        MapWithStateStore<int, long, long, Event?, StructKeys<int, StateEntry<long>>, CommandFunction> store, long? timeout)
    {
        var restored = new MapWithStateStore<int, long, long, Event?, StructKeys<int, StateEntry<long>>, CommandFunction>(timeout);
        foreach (KeyedState<int, long> entry in store)
        {
            if (entry.UpdatedBatch is { } updated)
            {
                restored.Put(entry.Key, entry.State, updated);
            }
            else
            {
                restored.Put(entry.Key, entry.State);
            }
        }

        Assert.Equal(Snapshot(store), Snapshot(restored));
        return restored;
    }

    private static List<(int Key, long State, long? Updated)> Snapshot(
        MapWithStateStore<int, long, long, Event?, StructKeys<int, StateEntry<long>>, CommandFunction> store)
    {
        var states = new List<(int, long, long?)>();
        foreach (KeyedState<int, long> entry in store)
        {
            states.Add((entry.Key, entry.State, entry.UpdatedBatch));
        }

        return states;
    }

    private static void AssertStatesEqual(
        MapWithStateModel<int, long, long, Event> model,
        MapWithStateStore<int, long, long, Event?, StructKeys<int, StateEntry<long>>, CommandFunction> store,
        string where)
    {
        var expected = model.States.Select(s => (s.Key, s.Value.State, (long?)s.Value.Updated)).OrderBy(s => s.Key).ToList();
        var actual = Snapshot(store).OrderBy(s => s.Key).ToList();
        Assert.True(expected.SequenceEqual(actual), $"{where}: expected states [{string.Join(", ", expected)}], got [{string.Join(", ", actual)}]");
    }

    // The Timeouts pipeline's rule as a struct function object, as the generated code declares one.
    private struct CommandFunction : IMapWithStateFunction<int, long, long, Event?>
    {
        public static Event? Map(int key, long? value, State<long> state) => Timeouts.Commands(key, value, state);
    }

    // Sums a key's values; 0 removes the key (emitting 0); a key timing out emits its sum negated.
    private struct SessionFunction : IMapWithStateFunction<ReadOnlySpan<byte>, long, long, (string Key, long Value)>
    {
        public static (string Key, long Value) Map(ReadOnlySpan<byte> key, long? value, State<long> state)
        {
            string text = Encoding.UTF8.GetString(key);
            if (state.IsTimingOut)
            {
                return (text, -state.Value);
            }

            if (value == 0)
            {
                state.Remove();
                return (text, 0);
            }

            state.Update(state.GetValueOrDefault() + value!.Value);
            return (text, state.Value);
        }
    }
}
