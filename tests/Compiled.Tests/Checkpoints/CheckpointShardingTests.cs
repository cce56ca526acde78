using System.Runtime.InteropServices;
using System.Runtime.CompilerServices;
using System.Text;
using Compiled.Checkpoints;

namespace Compiled.Tests.Checkpoints;

/// <summary>State written in N shards restores into M shards, each key landing in the shard KeyShards assigns it.</summary>
public class CheckpointShardingTests
{
    private static byte[] WriteInFourShards(Dictionary<string, long> state)
    {
        var shards = new List<KeyValuePair<string, long>>[4];
        for (int i = 0; i < shards.Length; i++)
        {
            shards[i] = [];
        }

        foreach (var entry in state)
        {
            shards[KeyShards.Of(Encoding.UTF8.GetBytes(entry.Key), 4)].Add(entry);
        }

        Assert.All(shards, shard => Assert.NotEmpty(shard));
        using var writer = new CheckpointWriter();
        writer.Begin(CheckpointSamples.Header(9));
        var section = writer.BeginSection("Count");
        section.BeginShards(shards.Length);
        foreach (var shard in shards)
        {
            section.BeginShard(shard.Count);
            foreach (var (key, value) in shard)
            {
                section.WriteKey(Encoding.UTF8.GetBytes(key));
                section.WriteUnmanaged(value);
            }
        }

        section.End();
        return writer.Complete().ToArray();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(7)]
    public void FourShards_RestoreInto_AnyShardCount(int targetShards)
    {
        var state = Enumerable.Range(0, 2000).ToDictionary(i => "key-" + i, i => (long)i * i);
        byte[] file = WriteInFourShards(state);

        using var reader = CheckpointReader.FromBytes(file, "memory");
        var section = reader.GetSection("Count");
        Assert.Equal(4, section.BeginShards());
        var targets = new Dictionary<string, long>[targetShards];
        for (int i = 0; i < targets.Length; i++)
        {
            targets[i] = [];
        }

        while (section.MoveNextEntry())
        {
            ReadOnlySpan<byte> key = section.ReadKey();

            // The shard an entry was written in is the one KeyShards gave it at write time.
            Assert.Equal(KeyShards.Of(key, 4), section.CurrentShard);
            targets[KeyShards.Of(key, targetShards)].Add(Encoding.UTF8.GetString(key), section.ReadUnmanaged<long>());
        }

        section.End();

        // Every key is restored once, with its value, into the shard the new count assigns it.
        Assert.Equal(state.Count, targets.Sum(t => t.Count));
        for (int shard = 0; shard < targetShards; shard++)
        {
            foreach (var (key, value) in targets[shard])
            {
                Assert.Equal(state[key], value);
                Assert.Equal(shard, KeyShards.Of(Encoding.UTF8.GetBytes(key), targetShards));
            }
        }

        if (targetShards > 1)
        {
            Assert.All(targets, t => Assert.NotEmpty(t));
        }
    }

    [Fact]
    public void KeyShards_EqualStructKeysWithDifferentPadding_ShareAShard()
    {
        // A byte then a long: seven bytes of padding that equality ignores. Keys built over garbage and over zeros are
        // equal, and must land in the same shard whatever the padding holds.
        Span<byte> garbage = stackalloc byte[Unsafe.SizeOf<Padded>()];
        for (int i = 0; i < 1000; i++)
        {
            garbage.Fill(0xA5);
            ref Padded dirty = ref MemoryMarshal.AsRef<Padded>(garbage);
            dirty.Flag = (byte)(i % 2);
            dirty.Value = i;
            var clean = new Padded { Flag = (byte)(i % 2), Value = i };

            Assert.Equal(clean, dirty);
            Assert.Equal(KeyShards.Of(clean, 7), KeyShards.Of(dirty, 7));
        }
    }

    private record struct Padded
    {
        public byte Flag;
        public long Value;
    }

    [Fact]
    public void KeyShards_StructKeys_HashAsTheirEqualityDoes_AndStayInRange()
    {
        var seen = new int[3];
        for (int i = 0; i < 3000; i++)
        {
            var key = new PageKey(i % 5, i);
            int shard = KeyShards.Of(key, 3);
            Assert.Equal(shard, KeyShards.Of(new PageKey(i % 5, i), 3));
            seen[shard]++;
        }

        Assert.All(seen, count => Assert.InRange(count, 800, 1200));
        Assert.Throws<ArgumentOutOfRangeException>(() => KeyShards.Of("a"u8, 0));
    }
}
