using System.Runtime.CompilerServices;
using System.Text;
using Compiled.Keys;

namespace Compiled.Tests.Keys;

/// <summary><see cref="ByteKeyTable{TValue}"/> against a <see cref="Dictionary{TKey, TValue}"/> of byte arrays compared by content.</summary>
public class ByteKeyTableTests
{
    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 1)]
    [InlineData(3, 16)]
    [InlineData(4, 1024)]
    public void ByteKeyTable_RandomOperations_MatchDictionary(int seed, int capacity)
    {
        var random = new Random(seed);
        byte[][] keys = KeyMix(random, distinct: 3000);
        var table = new ByteKeyTable<long>(capacity);
        var reference = new Dictionary<byte[], long>(ByteContent.Comparer);
        var order = new List<byte[]>();

        // Keys are passed as slices of a scratch buffer that is overwritten after each call: the table must
        // keep its own copy of a key's bytes.
        byte[] scratch = new byte[256];
        for (int step = 0; step < 30_000; step++)
        {
            byte[] key = keys[random.Next(keys.Length)];
            int at = random.Next(scratch.Length - key.Length + 1);
            key.CopyTo(scratch, at);
            ReadOnlySpan<byte> view = scratch.AsSpan(at, key.Length);
            // Mostly adds and lookups; a clear now and then, rare enough that the table grows through several resizes.
            int operation = random.Next(10_000);
            if (operation < 7000)
            {
                ref long value = ref table.GetValueRefOrAddDefault(view, out bool exists);
                bool known = reference.TryGetValue(key, out long expected);
                Assert.True(exists == known, $"seed {seed}, step {step}: exists is {exists} for {Show(key)}");
                Assert.True(value == expected, $"seed {seed}, step {step}: value {value}, expected {expected} for {Show(key)}");
                if (!known)
                {
                    order.Add(key);
                }

                value += step;
                reference[key] = expected + step;
            }
            else if (operation < 9960)
            {
                ref long value = ref table.GetValueRefOrNullRef(view);
                if (reference.TryGetValue(key, out long expected))
                {
                    Assert.False(Unsafe.IsNullRef(ref value), $"seed {seed}, step {step}: {Show(key)} not found");
                    Assert.Equal(expected, value);
                }
                else
                {
                    Assert.True(Unsafe.IsNullRef(ref value), $"seed {seed}, step {step}: absent {Show(key)} found");
                }
            }
            else if (operation < 9998)
            {
                AssertSame(table, reference, order);
            }
            else
            {
                AssertSame(table, reference, order);
                table.Clear();
                reference.Clear();
                order.Clear();
            }

            Array.Fill(scratch, (byte)0xEE, at, key.Length);
            Assert.Equal(reference.Count, table.Count);
        }

        AssertSame(table, reference, order);
    }

    [Fact]
    public void ByteKeyTable_KeysInFirstSeenOrder()
    {
        var table = new ByteKeyTable<int>(capacity: 2);
        string[] words = ["the", "cat", "", "the", "sat", "on", "the", "mat", "", "a-key-longer-than-eight-bytes", "cat"];
        foreach (string word in words)
        {
            table.GetValueRefOrAddDefault(Encoding.ASCII.GetBytes(word), out _)++;
        }

        string[] expectedKeys = ["the", "cat", "", "sat", "on", "mat", "a-key-longer-than-eight-bytes"];
        int[] expectedCounts = [3, 2, 2, 1, 1, 1, 1];
        Assert.Equal(expectedKeys.Length, table.Count);
        for (int i = 0; i < table.Count; i++)
        {
            Assert.Equal(expectedKeys[i], Encoding.ASCII.GetString(table.KeyAt(i)));
            Assert.Equal(expectedCounts[i], table.ValueAt(i));
        }
    }

    [Fact]
    public void ByteKeyTable_ClearThenReuse()
    {
        var table = new ByteKeyTable<string?>(capacity: 4);
        for (int i = 0; i < 100; i++)
        {
            table.GetValueRefOrAddDefault(Encoding.ASCII.GetBytes($"key-{i}"), out _) = $"old {i}";
        }

        table.Clear();
        Assert.Equal(0, table.Count);
        Assert.True(Unsafe.IsNullRef(ref table.GetValueRefOrNullRef("key-1"u8)));
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = table.KeyAt(0); });

        // Reuse in another order: the keys come back new, with default values, in the new first-seen order.
        for (int i = 99; i >= 0; i -= 3)
        {
            ref string? value = ref table.GetValueRefOrAddDefault(Encoding.ASCII.GetBytes($"key-{i}"), out bool exists);
            Assert.False(exists);
            Assert.Null(value);
            value = $"new {i}";
        }

        Assert.Equal(34, table.Count);
        Assert.Equal("key-99", Encoding.ASCII.GetString(table.KeyAt(0)));
        Assert.Equal("new 0", table.ValueAt(33));
        Assert.Equal("key-0", Encoding.ASCII.GetString(table.KeyAt(33)));
        Assert.True(Unsafe.IsNullRef(ref table.GetValueRefOrNullRef("key-98"u8)));
        Assert.Equal("new 96", table.GetValueRefOrNullRef("key-96"u8));
    }

    [Fact]
    public void ByteKeyTable_KeysWithTheSameHash_StayApart()
    {
        // Find keys whose 32-bit hashes are equal (the seed is random, so search for them): the table must
        // compare the bytes, not only the hashes.
        var seen = new Dictionary<uint, byte[]>();
        var pairs = new List<(byte[], byte[])>();
        for (int i = 0; i < 400_000 && pairs.Count < 4; i++)
        {
            byte[] key = Encoding.ASCII.GetBytes($"k{i}");
            uint hash = KeyHash.Of(key);
            if (!seen.TryAdd(hash, key))
            {
                pairs.Add((seen[hash], key));
            }
        }

        Assert.NotEmpty(pairs);
        var table = new ByteKeyTable<int>();
        foreach ((byte[] first, byte[] second) in pairs)
        {
            table.GetValueRefOrAddDefault(first, out bool exists) = 1;
            Assert.False(exists);
            table.GetValueRefOrAddDefault(second, out exists) = 2;
            Assert.False(exists, $"{Show(second)} was taken for {Show(first)}");
            Assert.Equal(1, table.GetValueRefOrNullRef(first));
            Assert.Equal(2, table.GetValueRefOrNullRef(second));
        }

        Assert.Equal(pairs.Count * 2, table.Count);
    }

    [Fact]
    public void ByteKeyTable_LookupOfKnownKeys_AllocatesNothing()
    {
        var table = new ByteKeyTable<long>(capacity: 8);
        byte[][] keys = KeyMix(new Random(5), distinct: 500);
        foreach (byte[] key in keys)
        {
            table.GetValueRefOrAddDefault(key, out _)++;
        }

        long found = 0;
        long allocated = AllocationMeter.LeastAllocated(() => found = Lookups(table, keys));

        Assert.Equal(keys.Length * 100, found);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void ByteKeyTable_BatchesAfterClear_AllocateNothing()
    {
        // Each batch sees some old keys and some new ones, then the table is cleared: once the arrays have
        // grown to a batch's size, the next batches reuse them (the arena included).
        var table = new ByteKeyTable<long>(capacity: 0);
        byte[][] keys = KeyMix(new Random(6), distinct: 2000);
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
                    table.GetValueRefOrAddDefault(keys[(batch * 97 + i) % keys.Length], out _)++;
                }

                table.Clear();
            }

            batches *= 2;
        });

        Assert.Equal(0, allocated);
    }

    [Fact]
    public void ByteKeyTable_AfterASpike_ShrinksBackToRecentUse()
    {
        var table = new ByteKeyTable<long>(capacity: 64);
        var initial = table.Lengths;
        Batch(table, "spike", distinct: 200_000, seen: 2);
        var high = table.Lengths;
        Assert.Equal(1 << 19, high.Buckets);
        table.Clear();

        // One small batch is no reason to shrink: the next one might be large again.
        Batch(table, "first", distinct: 500, seen: 3);
        table.Clear();
        Assert.Equal(high, table.Lengths);

        // Seven more small batches (one of them empty) make 8 in a row: the table shrinks to what they used,
        // with room to spare, and clearing them cost their own keys, not the half a million buckets.
        long clearedBefore = table.BucketsCleared;
        for (int batch = 0; batch < 7; batch++)
        {
            Assert.Equal(high, table.Lengths);
            Batch(table, $"small{batch}", distinct: batch == 3 ? 0 : 100 + (batch * 50), seen: 2);
            table.Clear();
        }

        var low = table.Lengths;
        Assert.Equal(100 + 150 + 200 + 0 + 300 + 350 + 400, table.BucketsCleared - clearedBefore);
        Assert.Equal(2048, low.Buckets);   // four times the 500 keys of the largest batch, as a power of two
        Assert.Equal(1000, low.Entries);    // twice the keys
        Assert.Equal(initial.Arena, low.Arena);   // no key of these batches is longer than 16 bytes: the arena holds none

        // The shrunk table works: a batch as large as the largest fits without growing, in first-seen order...
        Batch(table, "after", distinct: 500, seen: 4);
        Assert.Equal(low, table.Lengths);
        Assert.True(Unsafe.IsNullRef(ref table.GetValueRefOrNullRef("spike-7"u8)));
        table.Clear();

        // ...and a larger one grows it again.
        Batch(table, "again", distinct: 30_000, seen: 2);
        Assert.True(table.Lengths.Buckets >= 65_536);
    }

    [Fact]
    public void ByteKeyTable_IdleBatches_ShrinkToTheConstructorCapacity()
    {
        var table = new ByteKeyTable<string?>(capacity: 100);
        var initial = table.Lengths;
        for (int i = 0; i < 50_000; i++)
        {
            table.GetValueRefOrAddDefault(Encoding.ASCII.GetBytes($"a-longer-key-{i}"), out _) = "x";
        }

        table.Clear();
        for (int batch = 0; batch < 7; batch++)
        {
            table.Clear();
        }

        Assert.NotEqual(initial, table.Lengths);
        table.Clear();
        Assert.Equal(initial, table.Lengths);

        table.GetValueRefOrAddDefault("k"u8, out bool exists) = "new";
        Assert.False(exists);
        Assert.Equal(1, table.Count);
        Assert.Equal("new", table.ValueAt(0));
    }

    [Fact]
    public void ByteKeyTable_LargeCapacitySmallBatches_ClearOnlyTheirBuckets()
    {
        // The constructor's capacity is the floor: a table made large stays large, so small batches must not
        // pay for it when cleared.
        var table = new ByteKeyTable<long>(capacity: 1 << 20);
        var initial = table.Lengths;
        for (int batch = 0; batch < 100; batch++)
        {
            Batch(table, $"b{batch}", distinct: 10, seen: 2);
            table.Clear();
        }

        Assert.Equal(initial, table.Lengths);
        Assert.Equal(100 * 10, table.BucketsCleared);
    }

    [Fact]
    public void ByteKeyTable_ClearOfAFewKeysInALargeTable_LeavesNoneBehind()
    {
        // A few keys in a large table: Clear finds each key's bucket again rather than zeroing them all. Keys
        // whose home buckets are among the first 64 make one long probe run, where zeroing one key's bucket
        // opens a gap on the path to the next key's.
        var table = new ByteKeyTable<long>(capacity: 1 << 16);
        var initial = table.Lengths;
        int mask = initial.Buckets - 1;
        var clustered = new List<byte[]>();
        for (int i = 0; clustered.Count < 300; i++)
        {
            byte[] key = Encoding.ASCII.GetBytes($"c{i}");
            if ((KeyHash.Of(key) & mask) < 64)
            {
                clustered.Add(key);
            }
        }

        byte[][] candidates = [.. clustered, .. KeyMix(new Random(8), distinct: 200)];
        var random = new Random(9);
        for (int batch = 0; batch < 40; batch++)
        {
            byte[][] keys = [.. candidates.OrderBy(_ => random.Next()).Take(random.Next(0, 500))];
            for (int round = 0; round < 2; round++)
            {
                foreach (byte[] key in keys)
                {
                    table.GetValueRefOrAddDefault(key, out bool exists)++;
                    Assert.True(exists == (round > 0), $"batch {batch}: exists is {exists} for {Show(key)} in round {round}");
                }
            }

            Assert.Equal(keys.Length, table.Count);
            long cleared = table.BucketsCleared;
            table.Clear();
            Assert.Equal(keys.Length, table.BucketsCleared - cleared);
            foreach (byte[] key in candidates)
            {
                Assert.True(Unsafe.IsNullRef(ref table.GetValueRefOrNullRef(key)), $"batch {batch}: {Show(key)} is still there after Clear");
            }
        }

        // The slots never grew, so every Clear above went slot by slot. (The arena, which holds only keys longer
        // than 16 bytes and starts small, grows to the long keys of the mix.)
        Assert.Equal((initial.Buckets, initial.Entries), (table.Lengths.Buckets, table.Lengths.Entries));
    }

    [Fact]
    public void ByteKeyTable_SteadyBatchesAfterASpike_AllocateNothing()
    {
        var table = new ByteKeyTable<long>(capacity: 16);
        Batch(table, "spike", distinct: 100_000, seen: 1);
        table.Clear();
        byte[][] keys = KeyMix(new Random(7), distinct: 3000);

        // A pattern that repeats every 4 batches, a large one among them: after the table has shrunk to it
        // (the first run), it neither grows nor shrinks again.
        int batch = 0;
        void Pattern()
        {
            for (int b = 0; b < 40; b++, batch++)
            {
                int size = (b % 4) switch { 0 => 400, 1 => 40, 2 => 0, _ => 25 };
                for (int i = 0; i < size; i++)
                {
                    table.GetValueRefOrAddDefault(keys[(batch * 131 + i) % keys.Length], out _)++;
                }

                table.Clear();
            }
        }

        Pattern();
        var settled = table.Lengths;
        Assert.True(settled.Buckets <= 2048, $"the table kept {settled.Buckets} buckets");
        long allocated = AllocationMeter.LeastAllocated(Pattern);
        Assert.Equal(0, allocated);
        Assert.Equal(settled, table.Lengths);
    }

    [Fact]
    public void ByteKeyTable_ClearDropsReferences()
    {
        var table = new ByteKeyTable<object?>();
        WeakReference value = AddObject(table);
        table.Clear();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Assert.False(value.IsAlive, "The table still holds a value after Clear.");
        Assert.Equal(0, table.Count);
    }

    [Fact]
    public void ByteKeyTable_KeyLongerThanArena()
    {
        var table = new ByteKeyTable<int>(capacity: 0);
        byte[] longKey = new byte[5000];
        new Random(3).NextBytes(longKey);
        table.GetValueRefOrAddDefault("short"u8, out _) = 1;
        table.GetValueRefOrAddDefault(longKey, out _) = 2;
        table.GetValueRefOrAddDefault(longKey.AsSpan(0, 4999), out _) = 3;
        Assert.Equal(3, table.Count);
        Assert.True(table.KeyAt(1).SequenceEqual(longKey));
        Assert.True(table.KeyAt(2).SequenceEqual(longKey.AsSpan(0, 4999)));
        Assert.Equal(2, table.GetValueRefOrNullRef(longKey));
        Assert.Equal("short", Encoding.ASCII.GetString(table.KeyAt(0)));
    }

    // Adds a value object from a frame of its own, so no local of the test keeps it alive.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference AddObject(ByteKeyTable<object?> table)
    {
        object value = new();
        table.GetValueRefOrAddDefault("k"u8, out _) = value;
        return new WeakReference(value);
    }

    [Fact]
    public void ByteKeyTable_OutOfRange_Throws()
    {
        var table = new ByteKeyTable<int>();
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = table.KeyAt(0); });
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = table.ValueAt(0); });
        table.GetValueRefOrAddDefault("a"u8, out _);
        table.GetValueRefOrAddDefault("b"u8, out _);
        Assert.Equal("b", Encoding.ASCII.GetString(table.KeyAt(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = table.KeyAt(2); });
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = table.KeyAt(-1); });
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = table.ValueAt(2); });
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = table.ValueAt(int.MinValue); });
        Assert.Throws<ArgumentOutOfRangeException>(() => new ByteKeyTable<int>(-1));
    }

    [Fact]
    public void ByteKeyTable_LargeTable_NoSlotStraddlesACacheLine()
    {
        // 32-byte slots (a long value): from 2,048 slots on, slot 0 starts on a multiple of 32 bytes, through every
        // growth, a clear, and the shrink after small batches; keys and values stay where they were put.
        var table = new ByteKeyTable<long>();
        Batch(table, "grow", 100_000, 2);
        Assert.True(table.SlotsStartOnAMultipleOfTheirSize, "the slots of a table of 100,000 keys straddle cache lines");
        table.Clear();
        for (int batch = 0; batch < 8; batch++)
        {
            Batch(table, "small", 2_000, 1);
            Assert.True(table.SlotsStartOnAMultipleOfTheirSize, $"after small batch {batch} the slots straddle cache lines");
            table.Clear();
        }

        Assert.Equal(8_192, table.Lengths.Buckets);
        Batch(table, "again", 3_000, 3);

        // A value holding a reference keeps a plain array, which is not placed; the table works the same.
        var references = new ByteKeyTable<string>();
        for (int i = 0; i < 10_000; i++)
        {
            references.GetValueRefOrAddDefault(Encoding.ASCII.GetBytes($"key-{i}"), out _) = $"value-{i}";
        }

        for (int i = 0; i < 10_000; i++)
        {
            Assert.Equal($"value-{i}", references.GetValueRefOrNullRef(Encoding.ASCII.GetBytes($"key-{i}")));
        }
    }

    // Adds `distinct` keys named prefix-0, prefix-1, ... `seen` times each, and checks the table holds them in
    // first-seen order with their counts, and nothing else.
    private static void Batch(ByteKeyTable<long> table, string prefix, int distinct, int seen)
    {
        byte[][] keys = [.. Enumerable.Range(0, distinct).Select(i => Encoding.ASCII.GetBytes($"{prefix}-{i}"))];
        for (int round = 0; round < seen; round++)
        {
            foreach (byte[] key in keys)
            {
                table.GetValueRefOrAddDefault(key, out bool exists)++;
                Assert.Equal(round > 0, exists);
            }
        }

        Assert.Equal(distinct, table.Count);
        for (int i = 0; i < distinct; i++)
        {
            Assert.True(table.KeyAt(i).SequenceEqual(keys[i]), $"entry {i} of batch {prefix}");
            Assert.Equal(seen, table.ValueAt(i));
            Assert.Equal(seen, table.GetValueRefOrNullRef(keys[i]));
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static long Lookups(ByteKeyTable<long> table, byte[][] keys)
    {
        long found = 0;
        for (int round = 0; round < 100; round++)
        {
            foreach (byte[] key in keys)
            {
                found += table.GetValueRefOrAddDefault(key, out bool exists) > 0 && exists ? 1 : 0;
            }
        }

        return found;
    }

    private static void AssertSame(ByteKeyTable<long> table, Dictionary<byte[], long> reference, List<byte[]> order)
    {
        Assert.Equal(order.Count, table.Count);
        for (int i = 0; i < order.Count; i++)
        {
            Assert.True(table.KeyAt(i).SequenceEqual(order[i]), $"entry {i} is {Show(table.KeyAt(i).ToArray())}, expected {Show(order[i])}");
            Assert.Equal(reference[order[i]], table.ValueAt(i));
        }
    }

    // Keys that stress a byte-key table: the empty key, short keys, keys of exactly 8 bytes, long keys,
    // keys that differ only in the last bytes, and keys that differ only in length (trailing zeros).
    internal static byte[][] KeyMix(Random random, int distinct)
    {
        var keys = new HashSet<byte[]>(ByteContent.Comparer) { Array.Empty<byte>() };
        for (int zeros = 1; zeros <= 17; zeros++)
        {
            keys.Add(new byte[zeros]);
        }

        byte[] prefix = new byte[40];
        random.NextBytes(prefix);
        while (keys.Count < distinct)
        {
            switch (random.Next(4))
            {
                case 0:
                    keys.Add(RandomBytes(random, random.Next(1, 8)));
                    break;
                case 1:
                    keys.Add(RandomBytes(random, random.Next(8, 70)));
                    break;
                case 2:
                    // A long shared prefix, then a different tail.
                    int length = random.Next(9, prefix.Length + 1);
                    byte[] key = prefix[..length];
                    key[^1] = (byte)random.Next(256);
                    key[^2] = (byte)random.Next(4);
                    keys.Add(key);
                    break;
                default:
                    keys.Add(Encoding.UTF8.GetBytes($"word{random.Next(100_000)}"));
                    break;
            }
        }

        return [.. keys];
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        byte[] bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static string Show(byte[] key) => Convert.ToHexString(key);
}

/// <summary>Compares byte arrays by content, for reference dictionaries.</summary>
internal sealed class ByteContent : IEqualityComparer<byte[]>
{
    public static readonly ByteContent Comparer = new();

    public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

    public int GetHashCode(byte[] obj)
    {
        var hash = new HashCode();
        hash.AddBytes(obj);
        return hash.ToHashCode();
    }
}
