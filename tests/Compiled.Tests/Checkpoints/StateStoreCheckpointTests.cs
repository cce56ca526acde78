using System.Text;
using Compiled.Checkpoints;
using Compiled.Keys;

namespace Compiled.Tests.Checkpoints;

/// <summary>Adds a key's values to its total; a total that reaches a multiple of 7 is removed.</summary>
internal readonly struct SumOrDrop : IUpdateStateFunction<int, long, long>, IUpdateStateFunction<ReadOnlySpan<byte>, long, long>
{
    public static long? Update(long batchTime, int key, ReadOnlySpan<long> values, long? state) => Next(values, state);

    public static long? Update(long batchTime, ReadOnlySpan<byte> key, ReadOnlySpan<long> values, long? state) => Next(values, state);

    private static long? Next(ReadOnlySpan<long> values, long? state)
    {
        long total = state ?? 0;
        foreach (long value in values)
        {
            total += value;
        }

        return total % 7 == 0 ? null : total;
    }
}

/// <summary>Keeps a <see cref="Tagged"/> state (a struct with a string) per key: the key as text and a count of values.</summary>
internal readonly struct TagCount : IUpdateStateFunction<ReadOnlySpan<byte>, long, Tagged>
{
    public static Tagged? Update(long batchTime, ReadOnlySpan<byte> key, ReadOnlySpan<long> values, Tagged? state) =>
        values.Length == 0 && state is { Count: > 3 } ? null : new Tagged(Encoding.UTF8.GetString(key) + "@" + batchTime, (state?.Count ?? 0) + values.Length);
}

/// <summary>A running total per key, emitted per record; a value of 0 removes the key; a key timing out emits its total negated.</summary>
internal readonly struct RunningTotal : IMapWithStateFunction<int, long, long, long>, IMapWithStateFunction<ReadOnlySpan<byte>, long, long, long>
{
    public static long Map(int key, long? value, State<long> state) => Apply(value, state);

    public static long Map(ReadOnlySpan<byte> key, long? value, State<long> state) => Apply(value, state);

    private static long Apply(long? value, State<long> state)
    {
        if (state.IsTimingOut)
        {
            return -state.Value;
        }

        if (value == 0)
        {
            if (state.Exists)
            {
                state.Remove();
            }

            return 0;
        }

        long total = state.GetValueOrDefault() + value!.Value;
        state.Update(total);
        return total;
    }
}

/// <summary>
/// The state stores written into a checkpoint section after some batches and read into new stores: the restored
/// store and the original, given the same further batches, make the same calls' outputs in the same order and hold
/// the same state; a cut section is refused and leaves the new store empty.
/// </summary>
public class StateStoreCheckpointTests
{
    private static List<List<(int Key, long Value)>> Batches(Random random, int count, int keys)
    {
        var batches = new List<List<(int, long)>>();
        for (int b = 0; b < count; b++)
        {
            var batch = new List<(int, long)>();
            int records = random.Next(0, 30);
            for (int r = 0; r < records; r++)
            {
                batch.Add((random.Next(keys), random.Next(0, 5)));
            }

            batches.Add(batch);
        }

        return batches;
    }

    private static byte[] Utf8(int key) => Encoding.UTF8.GetBytes("k" + key);

    // ---- UpdateStateStore ----

    private static List<string> Step(UpdateStateStore<int, long, long, StructKeys<int, UpdateEntry<long>>, SumOrDrop> store, List<(int Key, long Value)> batch, long time)
    {
        foreach ((int key, long value) in batch)
        {
            store.Add(key, value);
        }

        var output = new List<string>();
        while (store.NextState(time, out int key, out long state))
        {
            output.Add($"{key}={state}");
        }

        return output;
    }

    private static List<string> Step(UpdateStateStore<ReadOnlySpan<byte>, long, long, ByteKeys<UpdateEntry<long>>, SumOrDrop> store, List<(int Key, long Value)> batch, long time)
    {
        foreach ((int key, long value) in batch)
        {
            store.Add(Utf8(key), value);
        }

        var output = new List<string>();
        while (store.NextState(time, out ReadOnlySpan<byte> key, out long state))
        {
            output.Add($"{Encoding.UTF8.GetString(key)}={state}");
        }

        return output;
    }

    private static List<string> State<TKeys>(UpdateStateStore<int, long, long, TKeys, SumOrDrop> store)
        where TKeys : struct, IKeyTable<TKeys, int, UpdateEntry<long>>
    {
        var state = new List<string>();
        foreach (KeyedState<int, long> entry in store)
        {
            state.Add($"{entry.Key}={entry.State}");
        }

        return state;
    }

    private static List<string> State(UpdateStateStore<ReadOnlySpan<byte>, long, long, ByteKeys<UpdateEntry<long>>, SumOrDrop> store)
    {
        var state = new List<string>();
        foreach (KeyedState<ReadOnlySpan<byte>, long> entry in store)
        {
            state.Add($"{Encoding.UTF8.GetString(entry.Key)}={entry.State}");
        }

        return state;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void UpdateStateStore_StructKeys_ContinuesIdentically(int seed)
    {
        var random = new Random(seed);
        var batches = Batches(random, 20, 60);
        int split = 5 + random.Next(10);
        var original = new UpdateStateStore<int, long, long, StructKeys<int, UpdateEntry<long>>, SumOrDrop>();
        original.Put(1000, 11);
        for (int b = 0; b < split; b++)
        {
            Step(original, batches[b], b * 1000L);
        }

        byte[] file = StateSections.Write(original.WriteCheckpoint);
        var restored = new UpdateStateStore<int, long, long, StructKeys<int, UpdateEntry<long>>, SumOrDrop>();
        StateSections.Read(file, restored.ReadCheckpoint);
        Assert.True(original.Count > 10, $"seed {seed}: only {original.Count} keys at the checkpoint");
        Assert.Equal(State(original), State(restored));
        for (int b = split; b < batches.Count; b++)
        {
            Assert.Equal(Step(original, batches[b], b * 1000L), Step(restored, batches[b], b * 1000L));
            Assert.Equal(State(original), State(restored));
        }
    }

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    public void UpdateStateStore_ByteKeys_ContinuesIdentically(int seed)
    {
        var random = new Random(seed);
        var batches = Batches(random, 20, 60);
        int split = 5 + random.Next(10);
        var original = new UpdateStateStore<ReadOnlySpan<byte>, long, long, ByteKeys<UpdateEntry<long>>, SumOrDrop>();
        for (int b = 0; b < split; b++)
        {
            Step(original, batches[b], b * 1000L);
        }

        byte[] file = StateSections.Write(original.WriteCheckpoint);
        var restored = new UpdateStateStore<ReadOnlySpan<byte>, long, long, ByteKeys<UpdateEntry<long>>, SumOrDrop>();
        StateSections.Read(file, restored.ReadCheckpoint);
        Assert.True(original.Count > 10, $"seed {seed}: only {original.Count} keys at the checkpoint");
        Assert.Equal(State(original), State(restored));
        for (int b = split; b < batches.Count; b++)
        {
            Assert.Equal(Step(original, batches[b], b * 1000L), Step(restored, batches[b], b * 1000L));
            Assert.Equal(State(original), State(restored));
        }
    }

    [Fact]
    public void UpdateStateStore_ARegisteredStateType_ComesBack()
    {
        CheckpointValues.Register<Tagged>();
        var original = new UpdateStateStore<ReadOnlySpan<byte>, long, Tagged, ByteKeys<UpdateEntry<Tagged>>, TagCount>();
        var restored = new UpdateStateStore<ReadOnlySpan<byte>, long, Tagged, ByteKeys<UpdateEntry<Tagged>>, TagCount>();
        static List<string> Run(UpdateStateStore<ReadOnlySpan<byte>, long, Tagged, ByteKeys<UpdateEntry<Tagged>>, TagCount> store, int batch)
        {
            for (int r = 0; r < 10; r++)
            {
                store.Add(Utf8((r * (batch + 1)) % 7), r);
            }

            var output = new List<string>();
            while (store.NextState(batch, out ReadOnlySpan<byte> key, out Tagged state))
            {
                output.Add($"{Encoding.UTF8.GetString(key)}={state}");
            }

            return output;
        }

        for (int b = 0; b < 3; b++)
        {
            Run(original, b);
        }

        StateSections.Read(StateSections.Write(original.WriteCheckpoint), restored.ReadCheckpoint);
        Assert.Equal(original.Count, restored.Count);
        for (int b = 3; b < 8; b++)
        {
            Assert.Equal(Run(original, b), Run(restored, b));
        }
    }

    [Fact]
    public void UpdateStateStore_IsWrittenInShards_AndRestoresOnlyIntoAnEmptyStore()
    {
        var store = new UpdateStateStore<int, long, long, StructKeys<int, UpdateEntry<long>>, SumOrDrop>();
        for (int key = 0; key < 200; key++)
        {
            store.Put(key, key + 1);
        }

        byte[] file = StateSections.Write(store.WriteCheckpoint);
        int shards = 0;
        var shardsSeen = new HashSet<int>();
        StateSections.Read(file, (ref CheckpointReader.Section s) =>
        {
            Assert.Equal(200UL, s.ReadCount());
            shards = s.BeginShards();
            while (s.MoveNextEntry())
            {
                shardsSeen.Add(s.CurrentShard);
                int key = s.ReadKey<int>();
                Assert.Equal(KeyShards.Of(key, shards), s.CurrentShard);
                s.ReadCount();
                Assert.Equal(key + 1, s.ReadUnmanaged<long>());
            }
        });
        Assert.Equal(KeyedSections.ShardCount, shards);
        Assert.True(shardsSeen.Count > 8, $"200 keys fell into only {shardsSeen.Count} shards");

        var used = new UpdateStateStore<int, long, long, StructKeys<int, UpdateEntry<long>>, SumOrDrop>();
        used.Put(1, 1);
        var error = Assert.Throws<InvalidOperationException>(() => StateSections.Read(file, used.ReadCheckpoint));
        Assert.Contains("empty", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UpdateStateStore_ACutSection_IsRefused_AndLeavesTheStoreEmpty()
    {
        var store = new UpdateStateStore<ReadOnlySpan<byte>, long, long, ByteKeys<UpdateEntry<long>>, SumOrDrop>();
        for (int key = 0; key < 5; key++)
        {
            store.Put(Utf8(key), key + 1);
        }

        byte[] file = StateSections.Write(store.WriteCheckpoint);
        int tried = StateSections.EveryTruncationFails(
            file,
            () => new UpdateStateStore<ReadOnlySpan<byte>, long, long, ByteKeys<UpdateEntry<long>>, SumOrDrop>(),
            (fresh, reader) =>
            {
                var section = reader.GetSection(StateSections.Name);
                fresh.ReadCheckpoint(ref section);
                section.End();
            },
            fresh => fresh.Count == 0);
        Assert.True(tried > 20);
    }

    [Fact]
    public void UpdateStateStore_AKeyTwice_IsRefused()
    {
        // The same key twice in the table's one shard, at places 0 and 1.
        byte[] twice = StateSections.Payload(StateSections.Write((ref CheckpointWriter.Section s) =>
        {
            s.WriteCount(2);
            s.BeginShards(1);
            s.BeginShard(2);
            s.WriteKey(3);
            s.WriteCount(0);
            s.WriteUnmanaged(1L);
            s.WriteKey(3);
            s.WriteCount(1);
            s.WriteUnmanaged(2L);
        }));
        var fresh = new UpdateStateStore<int, long, long, StructKeys<int, UpdateEntry<long>>, SumOrDrop>();
        var error = Assert.Throws<CheckpointCorruptException>(() => StateSections.Read(StateSections.WithPayload(twice), fresh.ReadCheckpoint));
        Assert.Contains("same key twice", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, fresh.Count);
    }

    // ---- MapWithStateStore ----

    private static List<string> Step<TKeys>(MapWithStateStore<int, long, long, long, TKeys, RunningTotal> store, List<(int Key, long Value)> batch, long number)
        where TKeys : struct, IKeyTable<TKeys, int, StateEntry<long>>
    {
        var output = new List<string>();
        foreach ((int key, long value) in batch)
        {
            output.Add($"{key}:{store.Map(key, value)}");
        }

        while (store.NextTimeout(number, out long timedOut))
        {
            output.Add($"timeout:{timedOut}");
        }

        return output;
    }

    private static List<string> Step(MapWithStateStore<ReadOnlySpan<byte>, long, long, long, ByteKeys<StateEntry<long>>, RunningTotal> store, List<(int Key, long Value)> batch, long number)
    {
        var output = new List<string>();
        foreach ((int key, long value) in batch)
        {
            output.Add($"{key}:{store.Map(Utf8(key), value)}");
        }

        while (store.NextTimeout(number, out long timedOut))
        {
            output.Add($"timeout:{timedOut}");
        }

        return output;
    }

    private static List<string> State<TKeys>(MapWithStateStore<int, long, long, long, TKeys, RunningTotal> store)
        where TKeys : struct, IKeyTable<TKeys, int, StateEntry<long>>
    {
        var state = new List<string>();
        foreach (KeyedState<int, long> entry in store)
        {
            state.Add($"{entry.Key}={entry.State}@{entry.UpdatedBatch}");
        }

        return state;
    }

    private static List<string> State(MapWithStateStore<ReadOnlySpan<byte>, long, long, long, ByteKeys<StateEntry<long>>, RunningTotal> store)
    {
        var state = new List<string>();
        foreach (KeyedState<ReadOnlySpan<byte>, long> entry in store)
        {
            state.Add($"{Encoding.UTF8.GetString(entry.Key)}={entry.State}@{entry.UpdatedBatch}");
        }

        return state;
    }

    [Theory]
    [InlineData(11, 2L)]
    [InlineData(12, 0L)]
    [InlineData(13, null)]
    public void MapWithStateStore_StructKeys_WithTimeouts_ContinuesIdentically(int seed, long? timeout)
    {
        var random = new Random(seed);
        var batches = Batches(random, 24, 80);
        int split = 6 + random.Next(10);
        long first = 1_700_000_000L + random.Next(1000);
        var original = new MapWithStateStore<int, long, long, long, StructKeys<int, StateEntry<long>>, RunningTotal>(timeout);
        original.Put(5000, 50);
        int timeouts = 0;
        for (int b = 0; b < split; b++)
        {
            timeouts += Step(original, batches[b], first + b).Count(o => o.StartsWith("timeout", StringComparison.Ordinal));
        }

        byte[] file = StateSections.Write(original.WriteCheckpoint);
        var restored = new MapWithStateStore<int, long, long, long, StructKeys<int, StateEntry<long>>, RunningTotal>(timeout);
        StateSections.Read(file, restored.ReadCheckpoint);
        Assert.Equal(State(original), State(restored));
        for (int b = split; b < batches.Count; b++)
        {
            // Batch numbers skip now and then, as after a pause, so that timeouts fire.
            long number = first + b + (b > split + 3 ? 3 : 0);
            List<string> expected = Step(original, batches[b], number);
            timeouts += expected.Count(o => o.StartsWith("timeout", StringComparison.Ordinal));
            Assert.Equal(expected, Step(restored, batches[b], number));
            Assert.Equal(State(original), State(restored));
        }

        if (timeout is not null)
        {
            Assert.True(timeouts > 0, $"seed {seed}: no key timed out");
        }
    }

    [Fact]
    public void MapWithStateStore_AnInitialStateNotYetStamped_StaysUnstamped()
    {
        var original = new MapWithStateStore<int, long, long, long, StructKeys<int, StateEntry<long>>, RunningTotal>(1);
        original.Put(1, 10);
        original.Put(2, 20, updatedBatch: 7);
        var restored = new MapWithStateStore<int, long, long, long, StructKeys<int, StateEntry<long>>, RunningTotal>(1);
        StateSections.Read(StateSections.Write(original.WriteCheckpoint), restored.ReadCheckpoint);
        Assert.Equal(["1=10@", "2=20@7"], State(restored));
        Assert.Equal(Step(original, [], 9), Step(restored, [], 9));
        Assert.Equal(State(original), State(restored));
    }

    [Theory]
    [InlineData(21)]
    [InlineData(22)]
    public void MapWithStateStore_ByteKeys_WithATimeout_ContinuesIdentically(int seed)
    {
        var random = new Random(seed);
        var batches = Batches(random, 24, 80);
        int split = 6 + random.Next(10);
        var original = new MapWithStateStore<ReadOnlySpan<byte>, long, long, long, ByteKeys<StateEntry<long>>, RunningTotal>(3);
        for (int b = 0; b < split; b++)
        {
            Step(original, batches[b], b * 2);
        }

        byte[] file = StateSections.Write(original.WriteCheckpoint);
        var restored = new MapWithStateStore<ReadOnlySpan<byte>, long, long, long, ByteKeys<StateEntry<long>>, RunningTotal>(3);
        StateSections.Read(file, restored.ReadCheckpoint);
        Assert.Equal(State(original), State(restored));
        for (int b = split; b < batches.Count; b++)
        {
            Assert.Equal(Step(original, batches[b], b * 2), Step(restored, batches[b], b * 2));
            Assert.Equal(State(original), State(restored));
        }
    }

    [Fact]
    public void MapWithStateStore_ACutSection_IsRefused_AndLeavesTheStoreEmpty()
    {
        var store = new MapWithStateStore<int, long, long, long, StructKeys<int, StateEntry<long>>, RunningTotal>(2);
        store.Put(1, 10);
        store.Put(2, 20, 5);
        byte[] file = StateSections.Write(store.WriteCheckpoint);
        StateSections.EveryTruncationFails(
            file,
            () => new MapWithStateStore<int, long, long, long, StructKeys<int, StateEntry<long>>, RunningTotal>(2),
            (fresh, reader) =>
            {
                var section = reader.GetSection(StateSections.Name);
                fresh.ReadCheckpoint(ref section);
                section.End();
            },
            fresh => fresh.Count == 0);
    }
}
