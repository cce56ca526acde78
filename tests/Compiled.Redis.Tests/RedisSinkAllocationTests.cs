using System.Text;

namespace Compiled.Redis.Tests;

/// <summary>Taking a record into the batch allocates nothing once the sink's buffers have grown to a batch's size.</summary>
public sealed class RedisSinkAllocationTests
{
    [Fact]
    public void Write_KeyValueRecords_ZeroBytesPerRecordOnceWarm()
    {
        // Not opened: records are only kept until the commit, which is not part of this measure.
        RedisSink sink = RedisTest.CreateSink("redis://127.0.0.1:1/counts");
        byte[][] keys = [.. Enumerable.Range(0, 10_000).Select(i => Encoding.UTF8.GetBytes($"word{i}"))];
        for (int round = 0; round < 2; round++)
        {
            sink.BeginBatch(1000 * (round + 1));
            WriteAll(sink, keys);
            sink.AbortBatch();
        }

        sink.BeginBatch(3000);
        long before = GC.GetAllocatedBytesForCurrentThread();
        WriteAll(sink, keys);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(keys.Length, sink.PendingRecords);
        Assert.Equal(0, allocated);
    }

    private static void WriteAll(RedisSink sink, byte[][] keys)
    {
        for (int i = 0; i < keys.Length; i++)
        {
            sink.Write(new KeyValue<long>(keys[i], i));
        }
    }
}
