using System.Text;
using Compiled.Keys;

namespace Compiled.Tests.Keys;

/// <summary>
/// Keys deferred into a <see cref="ByteKeyTable{TValue}"/> (<see cref="ByteKeyTable{TValue}.Defer"/>, then
/// <see cref="ByteKeyTable{TValue}.TakeOldest"/> as a generated [ReduceByKey] calls them) leave the table as the direct
/// lookups would: the same keys in the same first-seen order, each key's values reduced in the order they came.
/// </summary>
public class WaitingKeyTests
{
    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 16)]
    [InlineData(3, 4096)]
    public void Defer_ThenTakeOldest_LeavesTheTableAsDirectLookupsDo(int seed, int capacity)
    {
        var random = new Random(seed);

        // Short keys of every length from 0 to 16 bytes and long ones, as slices of a buffer overwritten after each
        // call: a waiting key must be the table's own copy.
        byte[][] keys = ByteKeyTableTests.KeyMix(random, distinct: 5000);
        var direct = new ByteKeyTable<long>(capacity);
        var deferred = new ByteKeyTable<long>(capacity);
        byte[] scratch = new byte[256];
        for (int step = 0; step < 60_000; step++)
        {
            byte[] key = keys[random.Next(keys.Length)];
            key.CopyTo(scratch, 0);
            ReadOnlySpan<byte> view = scratch.AsSpan(0, key.Length);

            // A reduce whose result depends on the order of a key's values: a key's values applied out of order differ.
            ref long slot = ref direct.GetValueRefOrAddDefault(view, out bool exists);
            slot = exists ? Reduce(slot, step) : step;
            for (int due = deferred.Defer(view, step); due > 0; due--)
            {
                ref long waited = ref deferred.TakeOldest(out bool known, out long value);
                waited = known ? Reduce(waited, value) : value;
            }

            scratch.AsSpan(0, key.Length).Fill(0xEE);
        }

        for (int due = deferred.Waiting; due > 0; due--)
        {
            ref long waited = ref deferred.TakeOldest(out bool known, out long value);
            waited = known ? Reduce(waited, value) : value;
        }

        Assert.Equal(0, deferred.Waiting);
        Assert.Equal(direct.Count, deferred.Count);
        for (int i = 0; i < direct.Count; i++)
        {
            Assert.True(direct.KeyAt(i).SequenceEqual(deferred.KeyAt(i)), $"seed {seed}: entry {i} is another key");
            Assert.Equal(direct.ValueAt(i), deferred.ValueAt(i));
        }
    }

    [Fact]
    public void Defer_SaysWhenAKeyIsDue_OneWhenTheQueueIsFull_LongKeysWaitingAsShortOnesDo()
    {
        var table = new ByteKeyTable<long>();
        for (int i = 0; i < ByteKeyTable<long>.WaitingKeys - 1; i++)
        {
            Assert.Equal(0, table.Defer(Encoding.ASCII.GetBytes($"w{i}"), 1));
        }

        Assert.Equal(1, table.Defer("full"u8, 1));
        ref long first = ref table.TakeOldest(out bool exists, out long value);
        Assert.False(exists);
        Assert.Equal(1, value);
        first = value;
        Assert.Equal(ByteKeyTable<long>.WaitingKeys - 1, table.Waiting);

        // Keys longer than a slot holds, each longer than any before while others wait (their copies move as the room
        // for them grows), and one of them again: each due in turn, as a short key is.
        string[] longKeys = ["a key longer than sixteen bytes", new string('b', 40), new string('c', 100), "a key longer than sixteen bytes"];
        foreach (string longKey in longKeys)
        {
            int due = table.Defer(Encoding.ASCII.GetBytes(longKey), 5);
            Assert.Equal(1, due);
            ref long slot = ref table.TakeOldest(out bool known, out long waited);
            slot = known ? slot + waited : waited;
        }

        for (int due = table.Waiting; due > 0; due--)
        {
            ref long slot = ref table.TakeOldest(out bool known, out long waited);
            slot = known ? slot + waited : waited;
        }

        Assert.Equal(ByteKeyTable<long>.WaitingKeys + 3, table.Count);
        Assert.Equal("w0"u8.ToArray(), table.KeyAt(0).ToArray());
        for (int k = 0; k < 3; k++)
        {
            Assert.Equal(Encoding.ASCII.GetBytes(longKeys[k]), table.KeyAt(ByteKeyTable<long>.WaitingKeys + k).ToArray());
        }

        Assert.Equal(10, table.ValueAt(ByteKeyTable<long>.WaitingKeys));
        Assert.Equal(5, table.ValueAt(ByteKeyTable<long>.WaitingKeys + 2));
    }

    [Fact]
    public void Reading_WhileKeysWait_Throws_SayingToTakeThemFirst()
    {
        var table = new ByteKeyTable<long>();
        table.GetValueRefOrAddDefault("known"u8, out _) = 3;
        table.Defer("word"u8, 1);

        var reading = Assert.Throws<InvalidOperationException>(() => table.KeyAt(0).Length);
        Assert.Contains("TakeOldest", reading.Message);
        Assert.Throws<InvalidOperationException>(() => table.ValueAt(0));
        Assert.Throws<InvalidOperationException>(table.Clear);

        table.TakeOldest(out _, out long value) = value;
        Assert.Equal(2, table.Count);
        table.Clear();
        Assert.Throws<InvalidOperationException>(() => table.TakeOldest(out _, out _));
    }

    [Fact]
    public void DeferringKnownKeys_AllocatesNothing()
    {
        var table = new ByteKeyTable<long>();
        byte[][] words = [.. Enumerable.Range(0, 1000).Select(i => Encoding.ASCII.GetBytes($"word{i}"))];
        long allocated = AllocationMeter.LeastAllocated(() =>
        {
            foreach (byte[] word in words)
            {
                for (int due = table.Defer(word, 1); due > 0; due--)
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

    private static long Reduce(long a, long b) => (a * 31) + b;
}
