using System.Text;
using Compiled.Keys;

namespace Compiled.Tests.State;

/// <summary>
/// <see cref="UpdateStateStore{TKey, TValue, TState, TKeys, TFunction}"/> on its own: random batches against
/// <see cref="UpdateStateModel{TKey, TValue, TState}"/> (the same calls, in the same order, with the key and the batch
/// time; the same states out), with initial states, and with the whole state put back into a new store halfway.
/// </summary>
public class UpdateStateStoreTests
{
    [ThreadStatic]
    private static List<(long Time, string Key, long[] Values, Tally? State)>? t_calls;

    private static List<(long Time, string Key, long[] Values, Tally? State)> Calls => t_calls ??= [];

    [Theory]
    [InlineData(41, 1_000L)]
    [InlineData(42, 1_764_000_000_000L)]
    [InlineData(43, 500L)]
    public void StructKeys_MatchTheModel_ThroughARestoreHalfway(int seed, long firstTime)
    {
        var random = new Random(seed);
        List<(int Key, long Value)[]> input = StatePropertyTests.RandomBatches(random, () => random.Next(10), () => StatePropertyTests.RandomTallyValue(random));
        var store = new UpdateStateStore<int, long, Tally, StructKeys<int, UpdateEntry<Tally>>, TallyFunction>();
        var model = UpdateStateByKeyTests.TalliesModel();
        store.Put(4, new Tally(9, 90, 90, 0));
        model.Put(4, new Tally(9, 90, 90, 0));
        store.Put(40, new Tally(1, 1, 1, 0));
        model.Put(40, new Tally(1, 1, 1, 0));
        Calls.Clear();
        int removals = 0;
        for (int k = 0; k < input.Count; k++)
        {
            if (k == input.Count / 2)
            {
                var restored = new UpdateStateStore<int, long, Tally, StructKeys<int, UpdateEntry<Tally>>, TallyFunction>();
                foreach (KeyedState<int, Tally> entry in store)
                {
                    restored.Put(entry.Key, entry.State);
                }

                store = restored;
            }

            long time = firstTime + (k * 1000L);
            foreach ((int key, long value) in input[k])
            {
                store.Add(key, value);
            }

            var output = new List<(int, Tally)>();
            while (store.NextState(time, out int key, out Tally state))
            {
                output.Add((key, state));
            }

            List<(int Key, Tally State)> expected = model.Step(input[k]);
            removals += model.Calls.Count - expected.Count;
            Assert.True(expected.SequenceEqual(output), $"seed {seed}, batch {k + 1}: expected [{string.Join(", ", expected)}], got [{string.Join(", ", output)}]");
            Assert.Equal(model.Calls.Select(c => (time, c.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), string.Join(",", c.Values), c.State)), Calls.Select(c => (c.Time, c.Key, string.Join(",", c.Values), c.State)));
            Calls.Clear();
            var states = new List<(int, Tally)>();
            foreach (KeyedState<int, Tally> entry in store)
            {
                Assert.Null(entry.UpdatedBatch);
                states.Add((entry.Key, entry.State));
            }

            Assert.Equal(expected, states);
        }

        Assert.True(removals >= 5, $"seed {seed} exercised too little: {removals} removals");
    }

    [Theory]
    [InlineData(51)]
    [InlineData(52)]
    public void ByteKeys_MatchTheModel(int seed)
    {
        var random = new Random(seed);
        List<(string Key, long Value)[]> input = StatePropertyTests.RandomBatches(
            random, () => StatePropertyTests.ByteKeys[random.Next(StatePropertyTests.ByteKeys.Length)], () => StatePropertyTests.RandomTallyValue(random));
        var store = new UpdateStateStore<ReadOnlySpan<byte>, long, Tally, ByteKeys<UpdateEntry<Tally>>, ByteTallyFunction>();
        var model = UpdateStateByKeyTests.TalliesModel<string>(StringComparer.Ordinal);
        store.Put("ab"u8, new Tally(3, 3, 3, 0));
        model.Put("ab", new Tally(3, 3, 3, 0));
        Calls.Clear();
        for (int k = 0; k < input.Count; k++)
        {
            foreach ((string key, long value) in input[k])
            {
                store.Add(Encoding.UTF8.GetBytes(key), value);
            }

            var output = new List<(string, Tally)>();
            while (store.NextState(k + 1, out ReadOnlySpan<byte> key, out Tally state))
            {
                output.Add((Encoding.UTF8.GetString(key), state));
            }

            List<(string Key, Tally State)> expected = model.Step(input[k]);
            Assert.True(expected.SequenceEqual(output), $"seed {seed}, batch {k + 1}: expected [{string.Join(", ", expected)}], got [{string.Join(", ", output)}]");
            Assert.Equal(model.Calls.Select(c => c.Key), Calls.Select(c => c.Key));
            Assert.All(Calls, c => Assert.Equal(k + 1, c.Time));
            Calls.Clear();
        }
    }

    [Fact]
    public void AKeyWithNeitherStateNorValues_IsNotCalled_AndNullRemovesAKey()
    {
        var store = new UpdateStateStore<int, long, Tally, StructKeys<int, UpdateEntry<Tally>>, TallyFunction>();
        Calls.Clear();
        Assert.False(store.NextState(1000, out _, out _));
        Assert.Empty(Calls);

        store.Add(1, 5);
        store.Add(2, 0);                                 // 0 removes: the key gets no state
        store.Add(1, 6);
        Assert.True(store.NextState(2000, out int key, out Tally state));
        Assert.Equal((1, new Tally(1, 11, (5 * 31) + 6, 0)), (key, state));
        Assert.False(store.NextState(2000, out _, out _));
        Assert.Equal([(2000L, "1", "5,6"), (2000L, "2", "0")], Calls.Select(c => (c.Time, c.Key, string.Join(",", c.Values))));
        Assert.Equal(1, store.Count);
    }

    // The Tally rule with Spark's (time, key, values, state) form, logging each call.
    private struct TallyFunction : IUpdateStateFunction<int, long, Tally>
    {
        public static Tally? Update(long batchTime, int key, ReadOnlySpan<long> values, Tally? state)
        {
            Calls.Add((batchTime, key.ToString(System.Globalization.CultureInfo.InvariantCulture), values.ToArray(), state));
            return Tallies.Step(values, state);
        }
    }

    private struct ByteTallyFunction : IUpdateStateFunction<ReadOnlySpan<byte>, long, Tally>
    {
        public static Tally? Update(long batchTime, ReadOnlySpan<byte> key, ReadOnlySpan<long> values, Tally? state)
        {
            Calls.Add((batchTime, Encoding.UTF8.GetString(key), values.ToArray(), state));
            return Tallies.Step(values, state);
        }
    }
}
