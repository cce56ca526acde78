using Compiled.Keys;

namespace Compiled.Tests.Keys;

/// <summary>
/// Keys deferred into a <see cref="StructKeyTable{TKey, TValue}"/> (<see cref="StructKeyTable{TKey, TValue}.Defer"/>,
/// then <see cref="StructKeyTable{TKey, TValue}.TakeOldest"/> as a generated [ReduceByKey] of struct keys calls them)
/// leave the table as the direct lookups would: the same keys in the same first-seen order, each key's values reduced in
/// the order they came.
/// </summary>
public class StructWaitingKeyTests
{
    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 16)]
    [InlineData(3, 4096)]
    public void Defer_ThenTakeOldest_LeavesTheTableAsDirectLookupsDo_TupleKeys(int seed, int capacity)
    {
        // Keys that grow the table several times while keys wait, some of them seen again and again.
        var random = new Random(seed);
        DeferredAndDirect(
            new StructKeyTable<(int, long), long>(capacity),
            new StructKeyTable<(int, long), long>(capacity),
            60_000,
            () => random.Next(4) == 0 ? (7, random.Next(50)) : (random.Next(100), random.Next(5_000)));
    }

    [Fact]
    public void Defer_ThenTakeOldest_StringKeys_EachKeyItsOwnInstance()
    {
        // A new string instance for every record, as a parsed line gives: equal keys compare by their characters.
        var random = new Random(11);
        DeferredAndDirect(
            new StructKeyTable<string, long>(),
            new StructKeyTable<string, long>(),
            30_000,
            () => "symbol-" + random.Next(3_000).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Defer_SaysWhenAKeyIsDue_OneWhenTheRingIsFull()
    {
        var table = new StructKeyTable<long, long>();
        for (int i = 0; i < StructKeyTable<long, long>.WaitingKeys - 1; i++)
        {
            Assert.Equal(0, table.Defer(i, 1));
        }

        Assert.Equal(1, table.Defer(1000, 1));
        ref long first = ref table.TakeOldest(out bool exists, out long value);
        Assert.False(exists);
        Assert.Equal(1, value);
        first = 40;
        Assert.Equal(StructKeyTable<long, long>.WaitingKeys - 1, table.Waiting);

        // Key 0 again: due in its turn, after the keys before it, and reduced into its entry.
        Assert.Equal(1, table.Defer(0, 2));
        TakeAll(table);
        Assert.Equal(StructKeyTable<long, long>.WaitingKeys, table.Count);
        Assert.Equal(0, table.KeyAt(0));
        Assert.Equal(Reduce(40, 2), table.ValueAt(0));
        Assert.Equal(1000, table.KeyAt(StructKeyTable<long, long>.WaitingKeys - 1));
    }

    [Fact]
    public void Reading_WhileKeysWait_Throws_SayingToTakeThemFirst()
    {
        var table = new StructKeyTable<long, long>();
        table.GetValueRefOrAddDefault(5, out _) = 3;
        table.Defer(6, 1);

        var reading = Assert.Throws<InvalidOperationException>(() => table.KeyAt(0));
        Assert.Contains("TakeOldest", reading.Message);
        Assert.Throws<InvalidOperationException>(() => table.ValueAt(0));
        Assert.Throws<InvalidOperationException>(table.Clear);

        table.TakeOldest(out _, out long value) = value;
        Assert.Equal(2, table.Count);
        Assert.Equal(6, table.KeyAt(1));
        table.Clear();
        Assert.Throws<InvalidOperationException>(() => table.TakeOldest(out _, out _));
    }

    [Fact]
    public void LargeTables_Defer_SmallOnesDoNot()
    {
        var table = new StructKeyTable<long, long>();
        Assert.False(table.IsLargerThanCache);
        for (long key = 0; key < 200_000; key++)
        {
            table.GetValueRefOrAddDefault(key, out _) = key;
        }

        // 200,000 keys take 524,288 slots of 16 bytes: 8 MiB, from which a probe is likely to wait for memory.
        Assert.True(table.IsLargerThanCache);
    }

    [Fact]
    public void DeferringKnownKeys_AllocatesNothing()
    {
        var table = new StructKeyTable<long, long>();
        long allocated = AllocationMeter.LeastAllocated(() =>
        {
            for (long key = 0; key < 1000; key++)
            {
                for (int due = table.Defer(key, 1); due > 0; due--)
                {
                    ref long slot = ref table.TakeOldest(out bool exists, out long value);
                    slot = exists ? slot + value : value;
                }
            }

            for (int due = table.Waiting; due > 0; due--)
            {
                ref long slot = ref table.TakeOldest(out bool exists, out long value);
                slot = exists ? slot + value : value;
            }
        });

        Assert.Equal(0, allocated);
        Assert.Equal(1000, table.Count);
        Assert.Equal(4, table.ValueAt(999));
    }

    // Feeds the same keys to one table looked up at once and to one deferred into, each key's value its step (reduced so
    // that values out of order differ), and checks the two tables end alike.
    private static void DeferredAndDirect<TKey>(StructKeyTable<TKey, long> direct, StructKeyTable<TKey, long> deferred, int steps, Func<TKey> nextKey)
    {
        for (int step = 0; step < steps; step++)
        {
            TKey key = nextKey();
            ref long slot = ref direct.GetValueRefOrAddDefault(key, out bool exists);
            slot = exists ? Reduce(slot, step) : step;
            for (int due = deferred.Defer(key, step); due > 0; due--)
            {
                ref long waited = ref deferred.TakeOldest(out bool known, out long value);
                waited = known ? Reduce(waited, value) : value;
            }
        }

        TakeAll(deferred);
        AssertSame(direct, deferred);
    }

    private static void TakeAll<TKey>(StructKeyTable<TKey, long> table)
    {
        for (int due = table.Waiting; due > 0; due--)
        {
            ref long waited = ref table.TakeOldest(out bool known, out long value);
            waited = known ? Reduce(waited, value) : value;
        }

        Assert.Equal(0, table.Waiting);
    }

    private static void AssertSame<TKey>(StructKeyTable<TKey, long> direct, StructKeyTable<TKey, long> deferred)
    {
        Assert.Equal(direct.Count, deferred.Count);
        for (int i = 0; i < direct.Count; i++)
        {
            Assert.Equal(direct.KeyAt(i), deferred.KeyAt(i));
            Assert.Equal(direct.ValueAt(i), deferred.ValueAt(i));
        }
    }

    private static long Reduce(long a, long b) => (a * 31) + b;
}
