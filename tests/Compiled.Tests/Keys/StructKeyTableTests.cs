using System.Runtime.CompilerServices;
using Compiled.Keys;

namespace Compiled.Tests.Keys;

/// <summary><see cref="StructKeyTable{TKey, TValue}"/> against a <see cref="Dictionary{TKey, TValue}"/>.</summary>
public class StructKeyTableTests
{
    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 1024)]
    public void StructKeyTable_RandomLongKeys_MatchDictionary(int seed, int capacity) =>
        RandomOperations(seed, new StructKeyTable<long, long>(capacity), random => random.Next(4) switch
        {
            0 => random.Next(-50, 50),                        // small numbers, adjacent
            1 => (long)random.Next(4000) << 32,                // differ only in the high half
            2 => long.MinValue + random.Next(3),
            _ => random.NextInt64(),
        });

    [Theory]
    [InlineData(3, 4)]
    [InlineData(4, 0)]
    public void StructKeyTable_RandomRecordStructKeys_MatchDictionary(int seed, int capacity) =>
        RandomOperations(seed, new StructKeyTable<Pair, long>(capacity), random => new Pair(random.Next(60), random.Next(60) * 1_000_003));

    [Theory]
    [InlineData(6, 0)]
    [InlineData(7, 512)]
    public void StructKeyTable_RandomStringKeys_MatchDictionary(int seed, int capacity) =>
        RandomOperations(seed, new StructKeyTable<string, long>(capacity), random => random.Next(3) switch
        {
            // A new instance each time: equal strings are one key whatever their instance.
            0 => new string('x', random.Next(40)),                         // "" included; long keys
            1 => "s" + random.Next(3000).ToString(System.Globalization.CultureInfo.InvariantCulture),
            _ => "日本" + (char)('a' + random.Next(26)),
        });

    [Fact]
    public void StringKeys_KeepTheFirstInstance_AndNullIsAKeyApartFromEmpty()
    {
        var table = new StructKeyTable<string?, long>();
        string first = new('a', 3);
        table.GetValueRefOrAddDefault(first, out _) = 1;
        table.GetValueRefOrAddDefault(new string('a', 3), out bool exists) += 10;
        table.GetValueRefOrAddDefault(null, out bool nullExisted) = 2;
        table.GetValueRefOrAddDefault("", out bool emptyExisted) = 3;

        Assert.True(exists);
        Assert.False(nullExisted);
        Assert.False(emptyExisted);
        Assert.Equal(3, table.Count);
        Assert.Same(first, table.KeyAt(0));
        Assert.Equal([("aaa", 11L), (null, 2L), ("", 3L)], Enumerable.Range(0, table.Count).Select(i => (table.KeyAt(i), table.ValueAt(i))));
    }

    [Fact]
    public void Utf8TextKeys_AreCopiedWhenNew_SoTheBufferMayBeReused()
    {
        // Two keys cut from one buffer that the source then overwrites (and moves to its next record): the table's keys
        // are its own copies, and a later text equal to one of them finds it.
        byte[] bytes = "AAPLMSFT"u8.ToArray();
        var buffer = new Utf8TextBuffer(bytes);
        var table = new StructKeyTable<Utf8Text, long>();
        table.GetValueRefOrAddDefault(new Utf8Text(buffer, 0, 4), out _) = 1;
        table.GetValueRefOrAddDefault(new Utf8Text(buffer, 4, 4), out _) = 2;
        "MSFTAAPL"u8.CopyTo(bytes);
        buffer.Generation++;

        table.GetValueRefOrAddDefault(new Utf8Text(buffer, 4, 4), out bool exists) += 10;
        Assert.True(exists);
        Assert.Equal([("AAPL", 11L), ("MSFT", 2L)], Enumerable.Range(0, table.Count).Select(i => (table.KeyAt(i).ToString(), table.ValueAt(i))));
    }

    [Theory]
    [InlineData(5)]
    public void StructKeyTable_KeysThatAllCollide_MatchDictionary(int seed) =>
        RandomOperations(seed, new StructKeyTable<BadHash, long>(0), random => new BadHash(random.Next(400)), steps: 6000);

    [Fact]
    public void StructKeyTable_KeysInFirstSeenOrder_ClearThenReuse()
    {
        var table = new StructKeyTable<int, int>(capacity: 1);
        int[] keys = [5, 3, 5, 0, -7, 3, 5, 1 << 30];
        foreach (int key in keys)
        {
            table.GetValueRefOrAddDefault(key, out _)++;
        }

        Assert.Equal([5, 3, 0, -7, 1 << 30], Entries(table).Select(e => e.Key));
        Assert.Equal([3, 2, 1, 1, 1], Entries(table).Select(e => e.Value));

        table.Clear();
        Assert.Equal(0, table.Count);
        Assert.True(Unsafe.IsNullRef(ref table.GetValueRefOrNullRef(5)));
        table.GetValueRefOrAddDefault(-7, out bool exists) = 40;
        Assert.False(exists);
        table.GetValueRefOrAddDefault(5, out exists)++;
        Assert.False(exists);
        Assert.Equal([(-7, 40), (5, 1)], Entries(table));
    }

    [Fact]
    public void StructKeyTable_ClearThenAddGivesDefault()
    {
        var table = new StructKeyTable<int, string?>();
        table.GetValueRefOrAddDefault(1, out _) = "old";
        table.Clear();
        ref string? value = ref table.GetValueRefOrAddDefault(1, out bool exists);
        Assert.False(exists);
        Assert.Null(value);
    }

    [Fact]
    public void StructKeyTable_LookupOfKnownKeys_AllocatesNothing()
    {
        var table = new StructKeyTable<Pair, long>(capacity: 4);
        var keys = new Pair[700];
        for (int i = 0; i < keys.Length; i++)
        {
            keys[i] = new Pair(i, i * 31);
            table.GetValueRefOrAddDefault(keys[i], out _) = 1;
        }

        long found = 0;
        long allocated = AllocationMeter.LeastAllocated(() => found = Lookups(table, keys));

        Assert.Equal(keys.Length * 100, found);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void StructKeyTable_BatchesAfterClear_AllocateNothing()
    {
        var table = new StructKeyTable<long, long>(capacity: 0);
        int batch = 0;
        int batches = 10;
        long allocated = AllocationMeter.LeastAllocated(() =>
        {
            // Each run does twice the batches of the one before: memory that grew with every batch (an arena
            // never reset, say) would have to be reallocated in every run, not only now and then.
            for (int b = 0; b < batches; b++, batch++)
            {
                for (int i = 0; i < 300; i++)
                {
                    table.GetValueRefOrAddDefault((batch * 97 + i) % 2000, out _)++;
                }

                table.Clear();
            }

            batches *= 2;
        });

        Assert.Equal(0, allocated);
    }

    [Fact]
    public void StructKeyTable_AfterASpike_ShrinksBackToRecentUse()
    {
        var table = new StructKeyTable<long, long>(capacity: 64);
        var initial = table.Lengths;
        Batch(table, first: 1_000_000, distinct: 200_000);
        var high = table.Lengths;
        Assert.Equal(1 << 19, high.Buckets);
        table.Clear();

        // 8 small batches in a row (one of them empty), the largest of 300 keys: the table stays as it is
        // through the first 7, clearing each at the cost of its own keys, then shrinks after the 8th.
        long clearedBefore = table.BucketsCleared;
        for (int batch = 0; batch < 8; batch++)
        {
            Assert.Equal(high, table.Lengths);
            Batch(table, first: batch * 1000, distinct: batch == 2 ? 0 : 300 - batch);
            table.Clear();
        }

        Assert.Equal((8 * 300) - (0 + 1 + 300 + 3 + 4 + 5 + 6 + 7), table.BucketsCleared - clearedBefore);
        Assert.Equal((2048, 600), table.Lengths);

        // The shrunk table works, in first-seen order; a larger batch grows it again; idle batches take it
        // down to the constructor's capacity, and no further.
        Batch(table, first: -500, distinct: 300);
        Assert.Equal((2048, 600), table.Lengths);
        Assert.True(Unsafe.IsNullRef(ref table.GetValueRefOrNullRef(1_000_007)));
        table.Clear();
        Batch(table, first: 5, distinct: 20_000);
        Assert.True(table.Lengths.Buckets >= 32_768);
        for (int batch = 0; batch < 20; batch++)
        {
            table.Clear();
        }

        Assert.Equal(initial, table.Lengths);
    }

    [Fact]
    public void StructKeyTable_LargeCapacitySmallBatches_ClearOnlyTheirBuckets()
    {
        var table = new StructKeyTable<int, long>(capacity: 1 << 20);
        var initial = table.Lengths;
        for (int batch = 0; batch < 100; batch++)
        {
            for (int i = 0; i < 10; i++)
            {
                table.GetValueRefOrAddDefault((batch * 10) + i, out _)++;
            }

            table.Clear();
        }

        Assert.Equal(initial, table.Lengths);
        Assert.Equal(100 * 10, table.BucketsCleared);
    }

    [Fact]
    public void StructKeyTable_ClearOfAFewKeysInALargeTable_LeavesNoneBehind()
    {
        // Keys that all collide make one probe run: Clear, finding each entry's bucket again, opens gaps on
        // the path to the later ones.
        var table = new StructKeyTable<BadHash, long>(capacity: 1 << 14);
        var initial = table.Lengths;
        var random = new Random(10);
        for (int batch = 0; batch < 40; batch++)
        {
            BadHash[] keys = [.. Enumerable.Range(0, 250).OrderBy(_ => random.Next()).Take(random.Next(0, 250)).Select(i => new BadHash(i))];
            for (int round = 0; round < 2; round++)
            {
                foreach (BadHash key in keys)
                {
                    table.GetValueRefOrAddDefault(key, out bool exists)++;
                    Assert.True(exists == (round > 0), $"batch {batch}: exists is {exists} for {key} in round {round}");
                }
            }

            Assert.Equal(keys.Length, table.Count);
            long cleared = table.BucketsCleared;
            table.Clear();
            Assert.Equal(keys.Length, table.BucketsCleared - cleared);
            for (int i = 0; i < 250; i++)
            {
                Assert.True(Unsafe.IsNullRef(ref table.GetValueRefOrNullRef(new BadHash(i))), $"batch {batch}: {i} is still there after Clear");
            }
        }

        Assert.Equal(initial, table.Lengths);
    }

    [Fact]
    public void StructKeyTable_SteadyBatchesAfterASpike_AllocateNothing()
    {
        var table = new StructKeyTable<long, long>(capacity: 0);
        Batch(table, first: 0, distinct: 100_000);
        table.Clear();
        int batch = 0;
        void Pattern()
        {
            for (int b = 0; b < 40; b++, batch++)
            {
                int size = (b % 4) switch { 0 => 400, 1 => 40, 2 => 0, _ => 25 };
                for (int i = 0; i < size; i++)
                {
                    table.GetValueRefOrAddDefault((batch * 131) + i, out _)++;
                }

                table.Clear();
            }
        }

        Pattern();
        var settled = table.Lengths;
        Assert.Equal((2048, 800), settled);
        long allocated = AllocationMeter.LeastAllocated(Pattern);
        Assert.Equal(0, allocated);
        Assert.Equal(settled, table.Lengths);
    }

    [Fact]
    public void StructKeyTable_ClearDropsReferences()
    {
        var table = new StructKeyTable<int, object?>();
        WeakReference value = AddObject(table);
        table.Clear();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Assert.False(value.IsAlive, "The table still holds a value after Clear.");
    }

    // Adds a value object from a frame of its own, so no local of the test keeps it alive.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference AddObject(StructKeyTable<int, object?> table)
    {
        object value = new();
        table.GetValueRefOrAddDefault(7, out _) = value;
        return new WeakReference(value);
    }

    [Fact]
    public void StructKeyTable_OutOfRange_Throws()
    {
        var table = new StructKeyTable<int, int>();
        Assert.Throws<ArgumentOutOfRangeException>(() => table.KeyAt(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = table.ValueAt(0); });
        table.GetValueRefOrAddDefault(9, out _);
        Assert.Equal(9, table.KeyAt(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => table.KeyAt(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => table.KeyAt(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = table.ValueAt(1); });
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = table.ValueAt(-1); });
        Assert.Throws<ArgumentOutOfRangeException>(() => new StructKeyTable<int, int>(-1));
    }

    private static void RandomOperations<TKey>(int seed, StructKeyTable<TKey, long> table, Func<Random, TKey> nextKey, int steps = 30_000)
        where TKey : notnull, IEquatable<TKey>
    {
        var random = new Random(seed);
        var reference = new Dictionary<TKey, long>();
        var order = new List<TKey>();
        for (int step = 0; step < steps; step++)
        {
            TKey key = nextKey(random);
            int operation = random.Next(10_000);
            if (operation < 7000)
            {
                ref long value = ref table.GetValueRefOrAddDefault(key, out bool exists);
                bool known = reference.TryGetValue(key, out long expected);
                Assert.True(exists == known, $"seed {seed}, step {step}: exists is {exists} for {key}");
                Assert.True(value == expected, $"seed {seed}, step {step}: value {value}, expected {expected} for {key}");
                if (!known)
                {
                    order.Add(key);
                }

                value += step;
                reference[key] = expected + step;
            }
            else if (operation < 9960)
            {
                ref long value = ref table.GetValueRefOrNullRef(key);
                bool known = reference.TryGetValue(key, out long expected);
                Assert.True(Unsafe.IsNullRef(ref value) != known, $"seed {seed}, step {step}: {key} {(known ? "not found" : "found though absent")}");
                if (known)
                {
                    Assert.True(value == expected, $"seed {seed}, step {step}: value {value}, expected {expected} for {key}");
                }
            }
            else
            {
                Assert.Equal(order.Count, table.Count);
                Assert.Equal(order.Select(k => (k, reference[k])), Entries(table));
                if (operation >= 9998)
                {
                    table.Clear();
                    reference.Clear();
                    order.Clear();
                }
            }

            Assert.Equal(reference.Count, table.Count);
        }

        Assert.Equal(order.Select(k => (k, reference[k])), Entries(table));
    }

    // Adds the keys first, first + 1, ... (distinct of them) twice each, and checks the table holds them in
    // first-seen order with their counts, and nothing else.
    private static void Batch(StructKeyTable<long, long> table, long first, int distinct)
    {
        for (int round = 0; round < 2; round++)
        {
            for (long key = first; key < first + distinct; key++)
            {
                table.GetValueRefOrAddDefault(key, out bool exists)++;
                Assert.Equal(round > 0, exists);
            }
        }

        Assert.Equal(distinct, table.Count);
        for (int i = 0; i < distinct; i++)
        {
            Assert.Equal(first + i, table.KeyAt(i));
            Assert.Equal(2, table.ValueAt(i));
            Assert.Equal(2, table.GetValueRefOrNullRef(first + i));
        }
    }

    private static List<(TKey Key, TValue Value)> Entries<TKey, TValue>(StructKeyTable<TKey, TValue> table)
        where TKey : notnull, IEquatable<TKey>
    {
        var entries = new List<(TKey, TValue)>();
        for (int i = 0; i < table.Count; i++)
        {
            entries.Add((table.KeyAt(i), table.ValueAt(i)));
        }

        return entries;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static long Lookups(StructKeyTable<Pair, long> table, Pair[] keys)
    {
        long found = 0;
        for (int round = 0; round < 100; round++)
        {
            foreach (Pair key in keys)
            {
                found += table.GetValueRefOrAddDefault(key, out bool exists) == 1 && exists ? 1 : 0;
            }
        }

        return found;
    }

    /// <summary>A user key of two numbers.</summary>
    public readonly record struct Pair(int A, int B);

    /// <summary>A key whose hash is the same for every value: every key collides with every other.</summary>
    public readonly struct BadHash(int value) : IEquatable<BadHash>
    {
        public int Value { get; } = value;

        public bool Equals(BadHash other) => Value == other.Value;

        public override bool Equals(object? obj) => obj is BadHash other && Equals(other);

        public override int GetHashCode() => 42;

        public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
