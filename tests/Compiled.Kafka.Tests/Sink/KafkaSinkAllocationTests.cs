using System.Text;

namespace Compiled.Kafka.Tests.Sink;

/// <summary>
/// A transactional sink keeps each record of the batch for its transaction, and keeping one allocates nothing once the
/// sink's buffers have grown to a batch's size. (An at-least-once sink hands each record to Confluent.Kafka at once,
/// which allocates its delivery handler object per record: <see cref="KafkaSinkProduceAllocationTests"/>.)
/// </summary>
public sealed class KafkaSinkAllocationTests
{
    [Fact]
    public void Write_TransactionalKeyValueAndTextRecords_ZeroBytesPerRecordOnceWarm()
    {
        // Not opened: records are only kept until the commit, which is not part of this measure.
        var sink = KafkaSinkTest.CreateSink("kafka://127.0.0.1:1/counts?transactional.id=allocation");
        byte[][] keys = [.. Enumerable.Range(0, 10_000).Select(i => Encoding.UTF8.GetBytes($"word{i}"))];
        byte[][] texts = [.. Enumerable.Range(0, 10_000).Select(i => Encoding.UTF8.GetBytes($"(word{i},{i})"))];
        for (int round = 0; round < 2; round++)
        {
            sink.BeginBatch(1000 * (round + 1));
            WriteAll(sink, keys, texts);
            sink.AbortBatch();
        }

        sink.BeginBatch(3000);
        long before = GC.GetAllocatedBytesForCurrentThread();
        WriteAll(sink, keys, texts);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(keys.Length + texts.Length, sink.PendingRecords);
        Assert.Equal(0, allocated);
    }

    private static void WriteAll(Compiled.Kafka.Sink.KafkaSink sink, byte[][] keys, byte[][] texts)
    {
        for (int i = 0; i < keys.Length; i++)
        {
            sink.Write(new KeyValue<long>(keys[i], i));
            sink.Write(texts[i]);
        }
    }
}
