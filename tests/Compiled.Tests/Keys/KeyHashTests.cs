using System.Text;
using Compiled.Keys;

namespace Compiled.Tests.Keys;

/// <summary><see cref="KeyHash"/>: every byte and the length count; where the key lies in memory does not.</summary>
public class KeyHashTests
{
    [Fact]
    public void KeyHash_DependsOnContentNotAddress()
    {
        var random = new Random(1);
        byte[] buffer = new byte[200];
        for (int length = 0; length <= 64; length++)
        {
            byte[] key = new byte[length];
            random.NextBytes(key);
            uint expected = KeyHash.Of(key);
            for (int at = 1; at < 9; at++)
            {
                random.NextBytes(buffer);
                key.CopyTo(buffer, at);
                Assert.Equal(expected, KeyHash.Of(buffer.AsSpan(at, length)));
            }
        }
    }

    [Fact]
    public void KeyHash_EveryByteCounts()
    {
        // Changing any one byte of a key of any length changes its hash (a 32-bit collision among these few
        // thousand pairs is vanishingly unlikely for a sound hash; a hash that skips a byte fails for sure).
        var random = new Random(2);
        for (int length = 1; length <= 48; length++)
        {
            for (int trial = 0; trial < 4; trial++)
            {
                byte[] key = new byte[length];
                random.NextBytes(key);
                uint original = KeyHash.Of(key);
                for (int i = 0; i < length; i++)
                {
                    byte saved = key[i];
                    key[i] ^= (byte)(1 << random.Next(8));
                    Assert.True(KeyHash.Of(key) != original, $"changing byte {i} of a {length}-byte key did not change its hash");
                    key[i] = saved;
                }
            }
        }
    }

    [Fact]
    public void KeyHash_LengthCounts()
    {
        // Keys of zeros differ only in length.
        var hashes = new HashSet<uint>();
        for (int length = 0; length <= 40; length++)
        {
            Assert.True(hashes.Add(KeyHash.Of(new byte[length])), $"{length} zeros hash like a shorter run of zeros");
        }
    }

    [Fact]
    public void KeyHash_SpreadsKeysThatDifferOnlyInTheTail()
    {
        // 4096 keys with a long common prefix, in 8192 buckets chosen by the top bits as the byte-key table does: a
        // random function fills about 3223 of them.
        const int Keys = 4096;
        const int BucketBits = 13;
        var used = new HashSet<uint>();
        for (int i = 0; i < Keys; i++)
        {
            used.Add(KeyHash.Of(Encoding.ASCII.GetBytes($"/api/v1/customers/orders/items?id={i}")) >> (32 - BucketBits));
        }

        Assert.True(used.Count > 3000, $"only {used.Count} buckets used");

        // Numbers as 8-byte keys, where only a few low bytes vary.
        used.Clear();
        for (long i = 0; i < Keys; i++)
        {
            used.Add(KeyHash.Of(BitConverter.GetBytes(i * 4096)) >> (32 - BucketBits));
        }

        Assert.True(used.Count > 3000, $"only {used.Count} buckets used by 8-byte keys");

        // Keys of 8 and of 16 bytes that differ only in their last 12 bits: a multiply carries a bit only upward, so these
        // reach the buckets only through the top bits of the hash.
        foreach (int length in new[] { 8, 16 })
        {
            used.Clear();
            for (long i = 0; i < Keys; i++)
            {
                byte[] key = new byte[length];
                key.AsSpan().Fill((byte)'k');
                BitConverter.TryWriteBytes(key.AsSpan(length - 8), 0x6B6B_6B6B_6B6B_6B6BL ^ (i << 52));
                used.Add(KeyHash.Of(key) >> (32 - BucketBits));
            }

            Assert.True(used.Count > 3000, $"only {used.Count} buckets used by {length}-byte keys that differ in their last bits");
        }
    }
}
