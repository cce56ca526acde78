using Compiled.Connectors;
using Compiled.Sinks;

namespace Compiled.PostgreSQL.Tests;

/// <summary>The records of a batch are kept in buffers the sink reuses: a warm sink allocates nothing per record.</summary>
public sealed class PostgresSinkAllocationTests
{
    [Fact]
    public void Write_WarmSink_AllocatesNothingPerRecord()
    {
        var sink = new PostgresSink(ConnectorUri.Parse("postgres://app@db/shop?table=t", "sink"), new SinkContext());
        byte[][] records = [.. Enumerable.Range(0, 10_000).Select(i => System.Text.Encoding.UTF8.GetBytes($"(word{i},{i})"))];

        long allocated = AllocatedByTheSecondOf(() => WriteBatch(sink, records));

        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Write_WarmSink_RepeatedKeys_AllocatesNothingPerRecord()
    {
        var sink = new PostgresSink(ConnectorUri.Parse("postgres://app@db/shop?table=t", "sink"), new SinkContext());
        // 10,000 records over 1,000 keys: each key's later records replace its earlier ones in the batch.
        byte[][] records = [.. Enumerable.Range(0, 10_000).Select(i => System.Text.Encoding.UTF8.GetBytes($"(word{i % 1000},{i})"))];

        long allocated = AllocatedByTheSecondOf(() => WriteBatch(sink, records));

        Assert.Equal(0, allocated);
    }

    [Fact]
    public void WriteKeyValue_WarmSink_AllocatesNothingPerRecord()
    {
        var sink = new PostgresSink(ConnectorUri.Parse("postgres://app@db/shop?table=t", "sink"), new SinkContext());
        byte[][] keys = [.. Enumerable.Range(0, 10_000).Select(i => System.Text.Encoding.UTF8.GetBytes($"word{i % 1000}"))];

        long allocated = AllocatedByTheSecondOf(() => WriteKeyValues(sink, keys));

        Assert.Equal(0, allocated);
    }

    // What the second of two runs of a batch allocates: the first grows the buffers to the batch's size, the second
    // reuses them.
    private static long AllocatedByTheSecondOf(Action batch)
    {
        batch();
        long before = GC.GetAllocatedBytesForCurrentThread();
        batch();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    private static void WriteKeyValues(PostgresSink sink, byte[][] keys)
    {
        sink.BeginBatch(1000);
        for (int i = 0; i < keys.Length; i++)
        {
            ((IRecordWriter<KeyValue<long>>)sink).Write(new KeyValue<long>(keys[i], i));
        }

        sink.AbortBatch();
    }

    [Fact]
    public void Add_WarmBuffer_RepeatedKeys_AllocatesNothing()
    {
        var buffer = new KeyedRecordBuffer();
        byte[][] keys = [.. Enumerable.Range(0, 10_000).Select(i => System.Text.Encoding.UTF8.GetBytes($"word{i % 1000}"))];

        long allocated = AllocatedByTheSecondOf(() => FillAndMark(buffer, keys));

        Assert.Equal(0, allocated);
        Assert.Equal(1000, Enumerable.Range(0, buffer.Count).Count(i => !buffer.IsReplaced(i)));
    }

    private static void FillAndMark(KeyedRecordBuffer buffer, byte[][] keys)
    {
        buffer.Clear();
        for (int i = 0; i < keys.Length; i++)
        {
            buffer.Add(keys[i], i);
        }
    }

    private static void WriteBatch(PostgresSink sink, byte[][] records)
    {
        sink.BeginBatch(1000);
        foreach (byte[] record in records)
        {
            sink.Write(record);
        }

        sink.AbortBatch();
    }
}
