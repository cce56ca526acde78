using System.Globalization;
using System.Text;
using Compiled.Keys;

namespace Compiled.Tests.State;

/// <summary>
/// The job's <see cref="UpdateStateStore{TKey, TValue, TState, TKeys, TFunction}"/> on N partitions (N − 1 partition
/// stores merged into it each batch) works out a batch's updates on N threads, and hands out the same keys, in the same
/// order, with the same states as one store fed the same records; what the function throws for a key comes when that
/// key is reached, after the keys before it.
/// </summary>
public class UpdateStateSideBySideTests
{
    private static long s_throwAt = -1;

    [Theory]
    [InlineData(2, 1)]
    [InlineData(3, 2)]
    public void StructKeys_OnNStores_HandOutWhatOneStoreDoes_BatchAfterBatch(int partitions, int seed)
    {
        var random = new Random(seed);
        var one = new UpdateStateStore<long, int, (long Count, long Hash), StructKeys<long, UpdateEntry<(long Count, long Hash)>>, Fold>();
        var job = new UpdateStateStore<long, int, (long Count, long Hash), StructKeys<long, UpdateEntry<(long Count, long Hash)>>, Fold>();
        var others = Enumerable.Range(1, partitions - 1)
            .Select(_ => new UpdateStateStore<long, int, (long Count, long Hash), StructKeys<long, UpdateEntry<(long Count, long Hash)>>, Fold>())
            .ToArray();
        for (int batch = 0; batch < 4; batch++)
        {
            // 60,000 records over 30,000 keys, dealt in order to the job's store and the others', as ranges of a file are.
            int records = 60_000;
            for (int r = 0; r < records; r++)
            {
                long key = random.Next(30_000);
                int value = random.Next(1000);
                one.Add(key, value);
                int partition = r * partitions / records;
                if (partition == 0)
                {
                    job.Add(key, value);
                }
                else
                {
                    others[partition - 1].Add(key, value);
                }
            }

            foreach (var other in others)
            {
                other.MergeBatchInto(job);
            }

            long time = 1000L * (batch + 1);
            var expected = new List<(long, (long, long))>();
            while (one.NextState(time, out long key, out var state))
            {
                expected.Add((key, state));
            }

            var actual = new List<(long, (long, long))>();
            while (job.NextState(time, out long key, out var state))
            {
                actual.Add((key, state));
            }

            Assert.True(job.Count > 2 * 4096, $"The store holds {job.Count} keys; the test needs more than two runs of them.");
            Assert.Equal(expected, actual);
            Assert.Equal(partitions, job.UpdateThreads);
            Assert.Equal(batch + 1, job.BatchesSideBySide);
        }

        Assert.Equal(0, one.BatchesSideBySide);
    }

    [Fact]
    public void ByteKeys_OnTwoStores_HandOutWhatOneStoreDoes()
    {
        var random = new Random(7);
        var one = new UpdateStateStore<ReadOnlySpan<byte>, int, (long Count, long Hash), ByteKeys<UpdateEntry<(long Count, long Hash)>>, ByteFold>();
        var job = new UpdateStateStore<ReadOnlySpan<byte>, int, (long Count, long Hash), ByteKeys<UpdateEntry<(long Count, long Hash)>>, ByteFold>();
        var other = new UpdateStateStore<ReadOnlySpan<byte>, int, (long Count, long Hash), ByteKeys<UpdateEntry<(long Count, long Hash)>>, ByteFold>();
        for (int batch = 0; batch < 3; batch++)
        {
            for (int r = 0; r < 40_000; r++)
            {
                byte[] key = Encoding.ASCII.GetBytes("user-" + random.Next(20_000).ToString(CultureInfo.InvariantCulture));
                int value = random.Next(1000);
                one.Add(key, value);
                (r < 20_000 ? job : other).Add(key, value);
            }

            other.MergeBatchInto(job);
            var expected = new List<(string, (long, long))>();
            while (one.NextState(batch, out ReadOnlySpan<byte> key, out var state))
            {
                expected.Add((Encoding.ASCII.GetString(key), state));
            }

            var actual = new List<(string, (long, long))>();
            while (job.NextState(batch, out ReadOnlySpan<byte> key, out var state))
            {
                actual.Add((Encoding.ASCII.GetString(key), state));
            }

            Assert.Equal(expected, actual);
        }

        Assert.Equal(2, job.UpdateThreads);
    }

    [Fact]
    public void AFunctionThatThrows_OnTwoStores_ThrowsAtItsKey_AfterTheKeysBeforeIt()
    {
        var job = new UpdateStateStore<long, int, (long Count, long Hash), StructKeys<long, UpdateEntry<(long Count, long Hash)>>, Fold>();
        var other = new UpdateStateStore<long, int, (long Count, long Hash), StructKeys<long, UpdateEntry<(long Count, long Hash)>>, Fold>();
        for (long key = 0; key < 20_000; key++)
        {
            (key < 10_000 ? job : other).Add(key, 1);
        }

        other.MergeBatchInto(job);
        s_throwAt = 12_345;
        try
        {
            var handedOut = new List<long>();
            var error = Assert.Throws<InvalidOperationException>(() =>
            {
                while (job.NextState(1000, out long key, out _))
                {
                    handedOut.Add(key);
                }
            });

            Assert.Equal("key 12345 refused", error.Message);

            // Every key before it was updated and handed out (those whose state was not removed), none after it.
            Assert.Equal(Enumerable.Range(0, 12_345).Select(k => (long)k).Where(k => Fold.Keeps(1, k)), handedOut);
        }
        finally
        {
            s_throwAt = -1;
        }
    }

    // A fold of a key's values in order (a value out of order changes the hash); a state whose count and key make a
    // multiple of 7 is removed, so keys come and go.
    private struct Fold : IUpdateStateFunction<long, int, (long Count, long Hash)>
    {
        public static (long Count, long Hash)? Update(long batchTime, long key, ReadOnlySpan<int> values, (long Count, long Hash)? state)
        {
            if (key == s_throwAt)
            {
                throw new InvalidOperationException($"key {key} refused");
            }

            (long count, long hash) = state ?? (0, 17);
            foreach (int value in values)
            {
                count++;
                hash = (hash * 31) + value;
            }

            return Keeps(count, key) ? (count, hash) : null;
        }

        public static bool Keeps(long count, long key) => (count + key) % 7 != 0;
    }

    private struct ByteFold : IUpdateStateFunction<ReadOnlySpan<byte>, int, (long Count, long Hash)>
    {
        public static (long Count, long Hash)? Update(long batchTime, ReadOnlySpan<byte> key, ReadOnlySpan<int> values, (long Count, long Hash)? state)
        {
            (long count, long hash) = state ?? (key.Length, 17);
            foreach (int value in values)
            {
                count++;
                hash = (hash * 31) + value;
            }

            return (count + key[^1]) % 5 != 0 ? (count, hash) : null;
        }
    }
}
