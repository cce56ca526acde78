using System.Runtime.CompilerServices;
using Compiled.Keys;

namespace Compiled.Tests.Keys;

/// <summary>
/// Keys of up to 16 bytes live in a <see cref="ByteKeyTable{TValue}"/>'s slots as two words
/// (<see cref="KeyHash.LoadShort"/>): the words are the key's bytes, keys that differ in any byte or only in length
/// stay apart, <see cref="ByteKeyTable{TValue}.KeyAt"/> hands back exactly the bytes, and slots moved by a resize or
/// entries put in a new order by <c>Reorder</c> keep their keys and values.
/// </summary>
public class ShortKeySlotTests
{
    [Fact]
    public void LoadShort_WordsAreTheKeyBytesZeroPadded()
    {
        var random = new Random(11);
        byte[] buffer = new byte[64];
        for (int length = 0; length <= KeyHash.ShortKeyBytes; length++)
        {
            for (int trial = 0; trial < 20; trial++)
            {
                // The key sits inside random bytes: nothing around it may leak into the words.
                random.NextBytes(buffer);
                int at = random.Next(1, 32);
                ReadOnlySpan<byte> key = buffer.AsSpan(at, length);
                KeyHash.LoadShort(key, out ulong low, out ulong high);

                byte[] padded = new byte[16];
                key.CopyTo(padded);
                Assert.Equal(BitConverter.ToUInt64(padded, 0), low);
                Assert.Equal(BitConverter.ToUInt64(padded, 8), high);
                Assert.Equal(KeyHash.Of(key), KeyHash.OfWords(low, high, length));
            }
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => KeyHash.LoadShort(new byte[17], out _, out _));
    }

    [Fact]
    public void ByteKeyTable_KeysDifferingInOneByteOrInLength_StayApart()
    {
        // For each length up to 40 (short keys, the 16/17 boundary, long keys): a base key, the key with each one
        // byte changed, and the zero-padded key one byte longer, which has the same two words as the base key when
        // both are short.
        var random = new Random(12);
        var table = new ByteKeyTable<int>(capacity: 4);
        var expected = new List<(byte[] Key, int Value)>();
        var known = new HashSet<byte[]>(ByteContent.Comparer);
        for (int length = 0; length <= 40; length++)
        {
            byte[] key = new byte[length];
            random.NextBytes(key);
            List<byte[]> variants = [key, [.. key, (byte)0]];
            for (int i = 0; i < length; i++)
            {
                byte[] changed = (byte[])key.Clone();
                changed[i] ^= (byte)(1 << random.Next(8));
                variants.Add(changed);
            }

            foreach (byte[] variant in variants)
            {
                ref int value = ref table.GetValueRefOrAddDefault(variant, out bool exists);
                Assert.True(exists != known.Add(variant), $"exists is {exists} for {Convert.ToHexString(variant)}");
                if (!exists)
                {
                    value = expected.Count + 1;
                    expected.Add((variant, value));
                }
            }
        }

        Assert.Equal(expected.Count, table.Count);
        for (int index = 0; index < expected.Count; index++)
        {
            Assert.True(table.KeyAt(index).SequenceEqual(expected[index].Key), $"entry {index}: {Convert.ToHexString(table.KeyAt(index))}, expected {Convert.ToHexString(expected[index].Key)}");
            Assert.Equal(expected[index].Value, table.ValueAt(index));
            Assert.Equal(expected[index].Value, table.GetValueRefOrNullRef(expected[index].Key));
        }
    }

    [Fact]
    public void ByteKeyTable_KeyAtSpan_OutlivesGrowth()
    {
        // A key handed out before the table grows still reads as the same bytes after it: a resize writes a new slot
        // array and leaves the old one as it was.
        var table = new ByteKeyTable<long>(capacity: 0);
        table.GetValueRefOrAddDefault("first-key"u8, out _) = 7;
        table.GetValueRefOrAddDefault("a-first-key-longer-than-16"u8, out _) = 8;
        ReadOnlySpan<byte> shortKey = table.KeyAt(0);
        ReadOnlySpan<byte> longKey = table.KeyAt(1);
        for (int i = 0; i < 10_000; i++)
        {
            table.GetValueRefOrAddDefault(BitConverter.GetBytes((long)i * 7919), out _)++;
        }

        Assert.True(shortKey.SequenceEqual("first-key"u8));
        Assert.True(longKey.SequenceEqual("a-first-key-longer-than-16"u8));
        Assert.Equal(7, table.GetValueRefOrNullRef("first-key"u8));
        Assert.Equal(8, table.GetValueRefOrNullRef("a-first-key-longer-than-16"u8));
        Assert.True(table.KeyAt(0).SequenceEqual("first-key"u8));
    }

    [Fact]
    public void ByteKeyTable_Reorder_PermutesEntriesAndKeepsLookups()
    {
        var table = new ByteKeyTable<string?>(capacity: 0);
        string[] words = ["short", "", "exactly-16-bytes", "seventeen-bytes!!", "x", "a-much-longer-key-in-the-arena"];
        foreach (string word in words)
        {
            table.GetValueRefOrAddDefault(System.Text.Encoding.ASCII.GetBytes(word), out _) = word;
        }

        int[] order = [3, 0, 5, 1, 4, 2];
        table.Reorder(order);
        for (int k = 0; k < order.Length; k++)
        {
            Assert.Equal(words[order[k]], System.Text.Encoding.ASCII.GetString(table.KeyAt(k)));
            Assert.Equal(words[order[k]], table.ValueAt(k));
        }

        foreach (string word in words)
        {
            Assert.Equal(word, table.GetValueRefOrNullRef(System.Text.Encoding.ASCII.GetBytes(word)));
        }

        // A new key after the reorder goes to the end, and a resize keeps the new order.
        for (int i = 0; i < 100; i++)
        {
            table.GetValueRefOrAddDefault(BitConverter.GetBytes(i), out _) = $"n{i}";
        }

        Assert.Equal("seventeen-bytes!!", table.ValueAt(0));
        Assert.Equal("exactly-16-bytes", table.ValueAt(5));
        Assert.Equal("n0", table.ValueAt(6));
        Assert.Equal(106, table.Count);
    }

    [Fact]
    public void StructKeyTable_Reorder_PermutesEntriesAndKeepsLookups()
    {
        var table = new StructKeyTable<(int, long), string>(capacity: 0);
        for (int i = 0; i < 6; i++)
        {
            table.GetValueRefOrAddDefault((i, -i), out _) = $"v{i}";
        }

        int[] order = [5, 3, 1, 0, 2, 4];
        table.Reorder(order);
        for (int k = 0; k < order.Length; k++)
        {
            Assert.Equal((order[k], (long)-order[k]), table.KeyAt(k));
            Assert.Equal($"v{order[k]}", table.ValueAt(k));
        }

        for (int i = 6; i < 200; i++)
        {
            table.GetValueRefOrAddDefault((i, -i), out _) = $"v{i}";
        }

        for (int i = 0; i < 200; i++)
        {
            Assert.Equal($"v{i}", table.GetValueRefOrNullRef((i, -i)));
        }

        Assert.Equal((5, -5L), table.KeyAt(0));
        Assert.Equal((6, -6L), table.KeyAt(6));
        Assert.True(Unsafe.IsNullRef(ref table.GetValueRefOrNullRef((200, -200))));
    }
}
