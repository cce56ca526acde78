using System.Buffers.Binary;
using System.Text;
using Compiled.Connectors.Messages;

namespace Compiled.Kafka.Tests.Source;

/// <summary>
/// The consumer's thread hands records to the job in runs, with each record's key and value copied out of the client
/// by the source's deserializer, and finds a record's partition by its topic's name only when it reads several topics:
/// two topics read at once give every record once, with its own value and key, in each partition's order; and the
/// smallest prefetch (runs of one record) still gives every record.
/// </summary>
[Collection(KafkaSourceCollection.Name)]
public sealed class KafkaSourceRunsTests(KafkaSourceFixture kafka)
{
    [Fact]
    public async Task TwoTopics_ReadByOneSource_GiveEveryRecordOnce_WithItsValueKeyAndEachPartitionsNextOffset()
    {
        string first = KafkaSourceTest.Unique("runs-a");
        string second = KafkaSourceTest.Unique("runs-b");
        await KafkaSourceTest.CreateTopicAsync(kafka.Server, first, partitions: 2);
        await KafkaSourceTest.CreateTopicAsync(kafka.Server, second, partitions: 3);
        KafkaSourceTest.Produce(kafka.Server, first, 0, 400);
        KafkaSourceTest.Produce(kafka.Server, second, 400, 1000);

        await using KafkaSource source = KafkaSourceTest.CreateSource(
            KafkaSourceTest.SourceUri(kafka.Server, $"{first},{second}", KafkaSourceTest.Unique("g")));
        Dictionary<string, string?> values = await ReadAsync(source, 1000);

        Assert.Equal(Enumerable.Range(0, 1000).ToDictionary(KafkaSourceTest.Value, i => i % 3 == 0 ? $"k{i}" : null), values);
        Assert.Equal(5, source.Assignment.Count);
        string position = source.GetPosition().Description;
        foreach ((string topic, int partitions) in new[] { (first, 2), (second, 3) })
        {
            foreach ((int partition, long end) in KafkaSourceTest.EndOffsets(kafka.Server, topic, partitions))
            {
                Assert.Contains($"{topic}[{partition}]@{end}", position, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task PrefetchOfOne_HandsRunsOfOneRecord_AndStillGivesEveryRecordOnce()
    {
        string topic = KafkaSourceTest.Unique("runs-one");
        await KafkaSourceTest.CreateTopicAsync(kafka.Server, topic, partitions: 2);
        KafkaSourceTest.Produce(kafka.Server, topic, 0, 200);

        await using KafkaSource source = KafkaSourceTest.CreateSource(
            KafkaSourceTest.SourceUri(kafka.Server, topic, KafkaSourceTest.Unique("g"), "start=earliest&prefetch=1"));
        Dictionary<string, string?> values = await ReadAsync(source, 200);

        Assert.Equal(Enumerable.Range(0, 200).ToDictionary(KafkaSourceTest.Value, i => i % 3 == 0 ? $"k{i}" : null), values);
    }

    // Reads until `count` records came: each value once, each partition's offsets one after another from 1.
    private static async Task<Dictionary<string, string?>> ReadAsync(KafkaSource source, int count)
    {
        using MessageBatch batch = source.CreateBatch();
        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        var lastOffset = new Dictionary<int, long>();
        while (values.Count < count)
        {
            Assert.True(await source.WaitToReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken));
            batch.Clear();
            source.TryRead(batch);
            for (int i = 0; i < batch.Count; i++)
            {
                Message message = batch[i];
                string value = Encoding.UTF8.GetString(message.Payload);
                Assert.True(values.TryAdd(value, message.HasKey ? Encoding.UTF8.GetString(message.Key) : null), $"{value} came twice");
                int slot = BinaryPrimitives.ReadInt32LittleEndian(message.Position);
                long next = BinaryPrimitives.ReadInt64LittleEndian(message.Position[4..]);
                Assert.Equal(lastOffset.GetValueOrDefault(slot) + 1, next);
                lastOffset[slot] = next;
            }
        }

        return values;
    }
}
