using System.Globalization;
using System.Text;
using Compiled.Kafka.Sink;

namespace Compiled.Kafka.Tests.Sink;

/// <summary>
/// An at-least-once sink hands each record to Confluent.Kafka's producer as the batch computes it. Once warm, handing
/// one over allocates on the job's thread only what the client allocates for any record produced with a delivery
/// handler (its handler object, 48 B); the sink reuses its message, topic and partition, headers, and the key and
/// value arrays (one per length: the producer copies their bytes before <c>Produce</c> returns). Against librdkafka's
/// mock cluster, a TEST DOUBLE (<see cref="KafkaMockCluster"/>): what is measured is the sink's side, and the records
/// read back prove that reusing the arrays sends each record's own bytes.
/// </summary>
public sealed class KafkaSinkProduceAllocationTests : IDisposable
{
    // Confluent.Kafka's delivery handler object per record (an object header and four references, on 64 bits): what
    // Produce allocates with any delivery handler. Before the sink reused its arrays and message, a keyed record took
    // 264 B on this thread.
    private const int ClientHandlerBytes = 48;

    private readonly KafkaMockCluster _cluster = KafkaMockCluster.Start();

    [Fact]
    public async Task Write_AtLeastOnceOnceWarm_AllocatesOnlyTheClientsDeliveryHandlerPerRecord_AndEveryRecordArrivesAsWritten()
    {
        string topic = KafkaSinkTest.UniqueTopic("produce-alloc");
        await using KafkaSink sink = KafkaSinkTest.CreateSink($"kafka://{_cluster.Authority}/{topic}");
        await sink.OpenAsync(TestContext.Current.CancellationToken);
        Records[] batches = [new(0), new(1), new(2)];

        // Two batches to warm: every length's array, the client's topic handle, the JIT.
        await WriteBatchAsync(sink, 1000, batches[0]);
        await WriteBatchAsync(sink, 2000, batches[1]);

        sink.BeginBatch(3000);
        long before = GC.GetAllocatedBytesForCurrentThread();
        batches[2].WriteTo(sink);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        await sink.CommitBatchAsync(TestContext.Current.CancellationToken);

        double perRecord = allocated / (double)batches[2].Count;
        Assert.True(
            perRecord <= ClientHandlerBytes,
            $"Writing {batches[2].Count} records allocated {allocated} B on the job's thread, {perRecord:0.0} B per record; only the client's delivery handler ({ClientHandlerBytes} B) is expected.");
        List<(string? Key, string Value)> expected = KafkaSinkTest.Sorted(batches.SelectMany(b => b.Expected));
        Assert.Equal(expected, KafkaSinkTest.Sorted(_cluster.ReadAll(topic, expected.Count)));
    }

    /// <summary>Stops the mock brokers.</summary>
    public void Dispose() => _cluster.Dispose();

    private static async Task WriteBatchAsync(KafkaSink sink, long batchTime, Records records)
    {
        sink.BeginBatch(batchTime);
        records.WriteTo(sink);
        await sink.CommitBatchAsync(TestContext.Current.CancellationToken);
    }

    // One batch's records: keyed counts, pairs given as text, and text without a key, of many lengths each (so that
    // records of one length follow one another with other bytes), different in every batch.
    private sealed class Records
    {
        private const int PerKind = 2000;

        private readonly byte[][] _keys;
        private readonly long[] _counts;
        private readonly byte[][] _pairs;
        private readonly byte[][] _lines;

        public Records(int batch)
        {
            _keys = [.. Enumerable.Range(0, PerKind).Select(i => Encoding.UTF8.GetBytes($"b{batch}-word{i}"))];
            _counts = [.. Enumerable.Range(0, PerKind).Select(i => (long)(i * 7919 % 100_000) + batch)];
            _pairs = [.. Enumerable.Range(0, PerKind).Select(i => Encoding.UTF8.GetBytes($"(b{batch}-pair{i},{new string('v', i % 40)}{i})"))];
            _lines = [.. Enumerable.Range(0, PerKind).Select(i => Encoding.UTF8.GetBytes($"b{batch}-line-{i * 31 % 977}-{i}"))];
        }

        public int Count => _keys.Length + _pairs.Length + _lines.Length;

        public IEnumerable<(string? Key, string Value)> Expected =>
            _keys.Select((k, i) => ((string?)Encoding.UTF8.GetString(k), _counts[i].ToString(CultureInfo.InvariantCulture)))
                .Concat(_pairs.Select(p => Encoding.UTF8.GetString(p)).Select(p => ((string?)p[1..p.IndexOf(',', StringComparison.Ordinal)], p[(p.IndexOf(',', StringComparison.Ordinal) + 1)..^1])))
                .Concat(_lines.Select(l => ((string?)null, Encoding.UTF8.GetString(l))));

        public void WriteTo(KafkaSink sink)
        {
            for (int i = 0; i < _keys.Length; i++)
            {
                sink.Write(new KeyValue<long>(_keys[i], _counts[i]));
                sink.Write(_pairs[i]);
                sink.Write(_lines[i]);
            }
        }
    }
}
