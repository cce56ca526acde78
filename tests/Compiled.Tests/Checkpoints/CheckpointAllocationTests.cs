using Compiled.Checkpoints;
using Compiled.Keys;

namespace Compiled.Tests.Checkpoints;

/// <summary>Writing and reading keyed state costs no allocation per entry: only the file buffer, reused.</summary>
public class CheckpointAllocationTests
{
    private static ByteKeyTable<long> Table(int keys)
    {
        var table = new ByteKeyTable<long>(keys);
        Span<byte> key = stackalloc byte[16];
        for (int i = 0; i < keys; i++)
        {
            i.TryFormat(key[4..], out int written);
            "key-"u8.CopyTo(key);
            table.GetValueRefOrAddDefault(key[..(4 + written)], out _) = i;
        }

        return table;
    }

    private static void Write(CheckpointWriter writer, ByteKeyTable<long> table)
    {
        writer.Begin(CheckpointSamples.Header(1));
        var section = writer.BeginSection("Count");
        section.BeginShards(1);
        section.BeginShard(table.Count);
        for (int i = 0; i < table.Count; i++)
        {
            section.WriteKey(table.KeyAt(i));
            section.WriteUnmanaged(table.ValueAt(i));
        }

        section.End();
        writer.Complete();
    }

    [Theory]
    [InlineData(1_000)]
    [InlineData(1_000_000)]
    public void WritingByteKeyedLongs_AllocatesNothingPerEntry(int keys)
    {
        ByteKeyTable<long> table = Table(keys);
        using var writer = new CheckpointWriter();

        // The first write grows the buffer to the checkpoint's size; every later one reuses it.
        long allocated = AllocationMeter.LeastAllocated(() => Write(writer, table));

        Assert.True(allocated == 0, $"writing a checkpoint of {keys:N0} keys ({writer.WrittenFile.Length:N0} bytes) allocated {allocated:N0} bytes beyond the reused file buffer");
    }

    [Fact]
    public void ReadingByteKeyedLongs_AllocatesNothingPerEntry()
    {
        ByteKeyTable<long> table = Table(1_000_000);
        using var writer = new CheckpointWriter();
        Write(writer, table);
        using var reader = CheckpointReader.FromBytes(writer.WrittenFile.ToArray(), "memory");
        long sum = 0;

        long allocated = AllocationMeter.LeastAllocated(() =>
        {
            var section = reader.GetSection("Count");
            section.BeginShards();
            while (section.MoveNextEntry())
            {
                sum += section.ReadKey().Length + section.ReadUnmanaged<long>();
            }

            section.End();
        });

        Assert.True(allocated == 0, $"reading 1,000,000 entries allocated {allocated:N0} bytes");
        Assert.True(sum > 0);
    }
}
